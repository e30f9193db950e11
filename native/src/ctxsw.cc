// The context switch, as lmbench's lat_ctx measures it: a one-byte token passed round a ring of threads,
// each blocking until the token reaches it, so every hop is one switch. Two channels: pipes (read/write,
// as lmbench) and futexes (a word per thread, FUTEX_WAIT/FUTEX_WAKE). The cost of the channel operations
// themselves, done in one thread without blocking, is measured and subtracted per hop. With `pin`, all
// ring threads run on one CPU, so a hop is a real switch on that CPU rather than a cross-CPU wake-up.
// Limits: threads, not processes (no address-space switch, as with Linux threads); ring size 2..64.
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "measure.h"

namespace measure {

namespace {

constexpr uint64_t kWarmupRounds = 100;

long futex(std::atomic<uint32_t>* addr, int op, uint32_t val) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), op, val, nullptr, nullptr, 0);
}

// One member of the ring: wait for the token on its own channel, pass it to the next.
struct Ring {
  int size;
  Channel channel;
  std::vector<int> pipe_fds;                   // 2 per member: [read, write]
  std::vector<std::atomic<uint32_t>> words;   // 1 per member, padded by stride
  static constexpr int kStride = 16;          // 64 bytes between futex words

  Ring(int n, Channel ch) : size(n), channel(ch), pipe_fds(2 * n, -1), words(n * kStride) {
    for (auto& w : words) w.store(0);
  }
  bool open() {
    if (channel != Channel::Pipe) return true;
    for (int i = 0; i < size; i++) {
      if (pipe(&pipe_fds[2 * i]) != 0) return false;
    }
    return true;
  }
  ~Ring() {
    for (int fd : pipe_fds) if (fd >= 0) close(fd);
  }
  bool wait(int i) {
    if (channel == Channel::Pipe) {
      char c;
      return read(pipe_fds[2 * i], &c, 1) == 1;
    }
    std::atomic<uint32_t>* w = &words[i * kStride];
    while (w->load(std::memory_order_acquire) == 0) {
      long r = futex(w, FUTEX_WAIT_PRIVATE, 0);
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
    return futex(w, FUTEX_WAKE_PRIVATE, 1) >= 0;
  }
};

// The channel operations of one hop, in one thread, never blocking: the overhead to subtract.
double channel_overhead_ns(Channel channel, uint64_t iterations) {
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
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < iterations; i++) {
    word.store(1, std::memory_order_release);
    futex(&word, FUTEX_WAKE_PRIVATE, 1);   // wakes nobody
    futex(&word, FUTEX_WAIT_PRIVATE, 0);   // value is 1, returns EAGAIN at once
    word.store(0, std::memory_order_relaxed);
  }
  uint64_t t1 = now_ns();
  return static_cast<double>(t1 - t0) / static_cast<double>(iterations);
}

}  // namespace

CtxResult context_switch(int ring_size, uint64_t rounds, Channel channel, bool pin) {
  CtxResult result{0, 0, 0, 0, false, ""};
  if (ring_size < 2 || ring_size > 64) {
    result.error = "ring size must be 2..64";
    return result;
  }
  Ring ring(ring_size, channel);
  if (!ring.open()) {
    result.error = "pipe() failed";
    return result;
  }
  int cpus[1];
  int cpu = allowed_cpus(cpus, 1) == 1 ? cpus[0] : -1;
  std::atomic<int> pinned_count{0};
  std::atomic<bool> failed{false};
  uint64_t elapsed_ns = 0;
  const uint64_t total_rounds = kWarmupRounds + rounds;

  std::vector<std::thread> threads;
  threads.reserve(ring_size);
  for (int i = 0; i < ring_size; i++) {
    threads.emplace_back([&, i]() {
      if (pin && cpu >= 0 && pin_self(cpu)) pinned_count.fetch_add(1);
      if (i == 0) {
        uint64_t t0 = 0;
        for (uint64_t r = 0; r < total_rounds; r++) {
          if (r == kWarmupRounds) t0 = now_ns();
          if (!ring.pass(0) || !ring.wait(0)) { failed.store(true); break; }
        }
        elapsed_ns = now_ns() - t0;
      } else {
        for (uint64_t r = 0; r < total_rounds; r++) {
          if (!ring.wait(i) || !ring.pass(i)) { failed.store(true); break; }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed.load()) {
    result.error = "a ring channel operation failed";
    return result;
  }
  result.hops = rounds * static_cast<uint64_t>(ring_size);
  result.hop_raw_ns = static_cast<double>(elapsed_ns) / static_cast<double>(result.hops);
  result.overhead_ns = channel_overhead_ns(channel, rounds < 10000 ? 10000 : rounds);
  double c = result.hop_raw_ns - result.overhead_ns;
  result.switch_ns = c < 0 ? 0 : c;
  result.pinned = pinned_count.load() == ring_size;
  return result;
}

}  // namespace measure
