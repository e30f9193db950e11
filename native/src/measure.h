// Shared declarations of the native measurements: each returns plain numbers in nanoseconds (suffix _ns)
// or counts, and never allocates in its timed loop. Linux only (futex, sched_setaffinity, SYS_getppid).
#pragma once
#include <cstdint>
#include <string>

namespace measure {

// Monotonic time in nanoseconds (CLOCK_MONOTONIC; through the vDSO, no system call).
uint64_t now_ns();

// Cost of an empty counted loop, per iteration: the overhead subtracted from the per-call loops.
double empty_loop_ns(uint64_t iterations);

struct PerCall {
  double raw_ns;       // measured loop time per iteration
  double overhead_ns;  // empty loop time per iteration
  double ns;           // raw_ns - overhead_ns, floored at 0
};

// lmbench lat_syscall "null": syscall(SYS_getppid), which glibc cannot cache.
PerCall null_syscall(uint64_t iterations);
// clock_gettime(CLOCK_MONOTONIC) through the vDSO.
PerCall clock_gettime_cost(uint64_t iterations);

enum class Channel { Pipe, Futex };

struct CtxResult {
  double switch_ns;       // per hop, overhead subtracted: the context switch cost c
  double hop_raw_ns;      // per hop as measured round the ring
  double overhead_ns;     // per hop, the same channel operations in one thread without blocking
  uint64_t hops;
  bool pinned;            // every ring thread was pinned to one CPU
  std::string error;      // non-empty when the measurement could not be made
};

// lmbench lat_ctx: a token passed round a ring of `ring` threads (or processes), `rounds` times.
CtxResult context_switch(int ring, uint64_t rounds, Channel channel, bool pin, bool processes);

enum class LockKind { Tas, Ttas, Ticket };

struct LockResult {
  double ns;             // elapsed / acquisitions: one acquire + critical section + release
  uint64_t acquisitions;
  uint64_t spins;        // failed attempts / polls while waiting
  uint64_t yields;       // sched_yield calls after a long spin (bounded spinning, see spinlock.cc)
  uint64_t count;        // the shared counter incremented under the lock
  uint64_t handoffs;     // acquisitions that followed another thread's (the lock changed hands)
  bool count_ok;         // count == threads * iterations
  bool pinned;           // threads pinned to distinct CPUs
  double overlap;        // share of the run during which all threads were in their loops (1 = fully contended)
  std::string error;
};

LockResult spinlock_run(LockKind kind, int threads, uint64_t iterations);

struct DaemonResult {
  double direct_ns;      // the client makes the system call itself
  double daemon_ns;      // the client asks a daemon thread over pipes; the daemon makes the call and replies
  double difference_ns;  // daemon_ns - direct_ns
  bool pinned;
  std::string error;
};

DaemonResult daemon_round_trip(uint64_t iterations, bool pin, bool processes);

struct ProcResult {
  double ns;             // per operation (per byte for the bandwidth)
  uint64_t count;        // operations (bytes) measured
  std::string error;
};

// lmbench lat_proc: fork + _exit + waitpid, or fork + execve(exec_path) + waitpid when exec_path is given.
ProcResult fork_wait(uint64_t iterations, const char* exec_path);
// lmbench lat_pipe: a byte to a child and back over two pipes; ns per hop (half a round trip).
ProcResult pipe_ping_pong(uint64_t round_trips);
// lmbench bw_pipe: bytes from a child through one pipe in writes of `chunk`; ns per byte.
ProcResult pipe_bandwidth(uint64_t bytes, uint64_t chunk);

// Pin the calling thread to one CPU; false when the system refuses.
bool pin_self(int cpu);
// The CPUs this process may run on (at most `max` of them), in order.
int allowed_cpus(int* out, int max);

}  // namespace measure
