// The context switch, as lmbench's lat_ctx measures it: a one-byte token passed round a ring of threads
// or processes, each blocking until the token reaches it, so every hop is one switch. Two channels: pipes
// (read/write, as lmbench) and futexes (a word per member in a shared mapping, FUTEX_WAIT/FUTEX_WAKE;
// process-shared futexes for processes). The cost of the channel operations themselves, done by one
// thread without blocking, is measured and subtracted per hop. With `pin`, every member runs on one CPU,
// so a hop is a real switch on that CPU rather than a cross-CPU wake-up. Processes are forked from a
// driver thread (never from the Node main thread) and only read, write, futex and _exit.
// Limits: ring size 2..64; a member that fails mid-run is not recovered (the ring would stall).
#include <errno.h>
#include <signal.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <thread>
#include <vector>

#include "measure.h"

namespace measure {

namespace {

constexpr uint64_t kWarmupRounds = 100;
constexpr int kStride = 16;  // 64 bytes between futex words

long futex(std::atomic<uint32_t>* addr, int op, uint32_t val) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), op, val, nullptr, nullptr, 0);
}

struct Ring {
  int size;
  Channel channel;
  bool shared;                        // members are processes: process-shared futexes
  std::vector<int> pipe_fds;          // 2 per member: [read, write]
  std::atomic<uint32_t>* words = nullptr;  // kStride per member, in a MAP_SHARED mapping
  size_t words_bytes = 0;

  Ring(int n, Channel ch, bool processes) : size(n), channel(ch), shared(processes), pipe_fds(2 * n, -1) {}
  bool open() {
    if (channel == Channel::Pipe) {
      for (int i = 0; i < size; i++) {
        if (pipe(&pipe_fds[2 * i]) != 0) return false;
      }
      return true;
    }
    words_bytes = static_cast<size_t>(size) * kStride * sizeof(uint32_t);
    void* m = mmap(nullptr, words_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return false;
    words = static_cast<std::atomic<uint32_t>*>(m);
    for (int i = 0; i < size * kStride; i++) new (&words[i]) std::atomic<uint32_t>(0);
    return true;
  }
  ~Ring() {
    for (int fd : pipe_fds) if (fd >= 0) close(fd);
    if (words) munmap(words, words_bytes);
  }
  int wait_op() const { return shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE; }
  int wake_op() const { return shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE; }
  bool wait(int i) {
    if (channel == Channel::Pipe) {
      char c;
      return read(pipe_fds[2 * i], &c, 1) == 1;
    }
    std::atomic<uint32_t>* w = &words[i * kStride];
    while (w->load(std::memory_order_acquire) == 0) {
      long r = futex(w, wait_op(), 0);
      if (r != 0 && errno != EAGAIN && errno != EINTR) return false;
    }
    w->store(0, std::memory_order_relaxed);
    return true;
  }
  bool pass(int i) {
    int next = (i + 1) % size;
    if (channel == Channel::Pipe) {
      char c = 't';
      return write(pipe_fds[2 * next + 1], &c, 1) == 1;
    }
    std::atomic<uint32_t>* w = &words[next * kStride];
    w->store(1, std::memory_order_release);
    return futex(w, wake_op(), 1) >= 0;
  }
  // Member 0 starts the token and times the rounds after the warm-up; the others pass it on.
  bool member(int i, uint64_t total_rounds, uint64_t* elapsed_ns) {
    if (i == 0) {
      uint64_t t0 = 0;
      for (uint64_t r = 0; r < total_rounds; r++) {
        if (r == kWarmupRounds) t0 = now_ns();
        if (!pass(0) || !wait(0)) return false;
      }
      *elapsed_ns = now_ns() - t0;
      return true;
    }
    for (uint64_t r = 0; r < total_rounds; r++) {
      if (!wait(i) || !pass(i)) return false;
    }
    return true;
  }
};

// The channel operations of one hop, in one thread, never blocking: the overhead to subtract. The
// minimum over a few batches, so a preempted batch does not inflate it (which would understate c).
double channel_overhead_batch_ns(Channel channel, bool shared, uint64_t iterations);

double channel_overhead_ns(Channel channel, bool shared, uint64_t iterations) {
  constexpr int kBatches = 5;
  uint64_t batch = iterations / kBatches + 1;
  double best = 0;
  for (int b = 0; b < kBatches; b++) {
    double per = channel_overhead_batch_ns(channel, shared, batch);
    if (b == 0 || per < best) best = per;
  }
  return best;
}

double channel_overhead_batch_ns(Channel channel, bool shared, uint64_t iterations) {
  if (channel == Channel::Pipe) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    char c = 't';
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iterations; i++) {
      if (write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1) break;
    }
    uint64_t t1 = now_ns();
    close(fds[0]);
    close(fds[1]);
    return static_cast<double>(t1 - t0) / static_cast<double>(iterations);
  }
  std::atomic<uint32_t> word{0};
  const int wake = shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE;
  const int wait = shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE;
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < iterations; i++) {
    word.store(1, std::memory_order_release);
    futex(&word, wake, 1);  // wakes nobody
    futex(&word, wait, 0);  // value is 1, returns EAGAIN at once
    word.store(0, std::memory_order_relaxed);
  }
  uint64_t t1 = now_ns();
  return static_cast<double>(t1 - t0) / static_cast<double>(iterations);
}

// Threads: one std::thread per member.
bool run_threads(Ring& ring, uint64_t total_rounds, int cpu, bool pin, uint64_t* elapsed_ns, bool* pinned) {
  std::atomic<int> pinned_count{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  threads.reserve(ring.size);
  for (int i = 0; i < ring.size; i++) {
    threads.emplace_back([&, i]() {
      if (pin && cpu >= 0 && pin_self(cpu)) pinned_count.fetch_add(1);
      if (!ring.member(i, total_rounds, elapsed_ns)) failed.store(true);
    });
  }
  for (auto& t : threads) t.join();
  *pinned = pinned_count.load() == ring.size;
  return !failed.load();
}

// Processes: a driver thread (pinned, so the children inherit the CPU) forks members 1..n-1 and is
// member 0 itself. Children exit with status 0 when their rounds went through.
bool run_processes(Ring& ring, uint64_t total_rounds, int cpu, bool pin, uint64_t* elapsed_ns, bool* pinned) {
  bool ok = true;
  std::thread driver([&]() {
    *pinned = pin && cpu >= 0 && pin_self(cpu);
    std::vector<pid_t> children;
    for (int i = 1; i < ring.size; i++) {
      pid_t pid = fork();
      if (pid == 0) {
        bool good = ring.member(i, total_rounds, nullptr);
        _exit(good ? 0 : 1);
      }
      if (pid < 0) { ok = false; break; }
      children.push_back(pid);
    }
    if (ok) ok = ring.member(0, total_rounds, elapsed_ns);
    for (pid_t pid : children) {
      if (!ok) kill(pid, SIGKILL);
      int status = 0;
      if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
    }
  });
  driver.join();
  return ok;
}

}  // namespace

CtxResult context_switch(int ring_size, uint64_t rounds, Channel channel, bool pin, bool processes) {
  CtxResult result{0, 0, 0, 0, false, ""};
  if (ring_size < 2 || ring_size > 64) {
    result.error = "ring size must be 2..64";
    return result;
  }
  Ring ring(ring_size, channel, processes);
  if (!ring.open()) {
    result.error = channel == Channel::Pipe ? "pipe() failed" : "mmap() failed";
    return result;
  }
  int cpus[1];
  int cpu = allowed_cpus(cpus, 1) == 1 ? cpus[0] : -1;
  uint64_t elapsed_ns = 0;
  bool pinned = false;
  const uint64_t total_rounds = kWarmupRounds + rounds;
  bool ok = processes ? run_processes(ring, total_rounds, cpu, pin, &elapsed_ns, &pinned)
                      : run_threads(ring, total_rounds, cpu, pin, &elapsed_ns, &pinned);
  if (!ok) {
    result.error = processes ? "a ring process failed (fork, channel or exit)" : "a ring channel operation failed";
    return result;
  }
  result.hops = rounds * static_cast<uint64_t>(ring_size);
  result.hop_raw_ns = static_cast<double>(elapsed_ns) / static_cast<double>(result.hops);
  result.overhead_ns = channel_overhead_ns(channel, processes, rounds < 10000 ? 10000 : rounds);
  double c = result.hop_raw_ns - result.overhead_ns;
  result.switch_ns = c < 0 ? 0 : c;
  result.pinned = pinned;
  return result;
}

}  // namespace measure
