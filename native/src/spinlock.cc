// Native spinlocks on C++ atomics, the reference for the kernel's Wasm locks: test-and-set (exchange),
// test-and-test-and-set (spin on a plain load, then exchange) and a ticket lock (fetch_add a ticket, spin
// until served). Each waiting poll counts as a spin. Spinning is bounded: after kSpinsBeforeYield polls
// the waiter calls sched_yield once (counted), so a waiter never burns a whole time slice when the holder
// was preempted on a busy machine. Contended runs use two threads pinned to two CPUs when allowed.
// Handoffs count acquisitions that followed the other thread's: fair locks hand over, TAS lets the
// releasing thread take the lock straight back.
#include <sched.h>

#include <atomic>
#include <thread>
#include <vector>

#include "measure.h"

namespace measure {

namespace {

constexpr uint64_t kSpinsBeforeYield = 1024;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

struct alignas(64) Lock {
  std::atomic<uint32_t> word{0};   // TAS/TTAS: held flag; ticket: next ticket
  std::atomic<uint32_t> owner{0};  // ticket: now serving
};

struct alignas(64) Shared {
  Lock lock;
  alignas(64) volatile uint64_t counter = 0;  // plain, protected by the lock
  volatile int holder = -1;                    // thread that last held the lock, under the lock
  volatile uint64_t handoffs = 0;              // acquisitions that followed another thread's
};

struct Waits {
  uint64_t spins = 0;
  uint64_t yields = 0;
  inline void spin() {
    spins++;
    if (spins % kSpinsBeforeYield == 0) {
      yields++;
      sched_yield();
    } else {
      cpu_relax();
    }
  }
};

template <LockKind K>
inline void acquire(Lock& l, Waits& w) {
  if constexpr (K == LockKind::Tas) {
    while (l.word.exchange(1, std::memory_order_acquire) != 0) w.spin();
  } else if constexpr (K == LockKind::Ttas) {
    for (;;) {
      while (l.word.load(std::memory_order_relaxed) != 0) w.spin();
      if (l.word.exchange(1, std::memory_order_acquire) == 0) return;
      w.spin();
    }
  } else {
    uint32_t ticket = l.word.fetch_add(1, std::memory_order_relaxed);
    while (l.owner.load(std::memory_order_acquire) != ticket) w.spin();
  }
}

template <LockKind K>
inline void release(Lock& l) {
  if constexpr (K == LockKind::Ticket) {
    l.owner.store(l.owner.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  } else {
    l.word.store(0, std::memory_order_release);
  }
}

template <LockKind K>
void worker(Shared& s, uint64_t iterations, Waits& w, int self) {
  for (uint64_t i = 0; i < iterations; i++) {
    acquire<K>(s.lock, w);
    s.counter = s.counter + 1;
    if (s.holder != self) {
      s.handoffs = s.handoffs + 1;
      s.holder = self;
    }
    release<K>(s.lock);
  }
}

template <LockKind K>
LockResult run(int threads, uint64_t iterations) {
  LockResult r{0, 0, 0, 0, 0, 0, false, false, 0, ""};
  Shared shared;
  int cpus[2];
  int ncpu = allowed_cpus(cpus, 2);
  std::vector<Waits> waits(threads);
  std::vector<uint64_t> start_ns(threads, 0), end_ns(threads, 0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<int> pinned{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++) {
    pool.emplace_back([&, t]() {
      if (threads > 1 && ncpu >= threads && pin_self(cpus[t])) pinned.fetch_add(1);
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) cpu_relax();
      start_ns[t] = now_ns();
      worker<K>(shared, iterations, waits[t], t);
      end_ns[t] = now_ns();
    });
  }
  while (ready.load() != threads) std::this_thread::yield();
  uint64_t t0 = now_ns();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  uint64_t elapsed = now_ns() - t0;
  r.acquisitions = static_cast<uint64_t>(threads) * iterations;
  for (auto& w : waits) {
    r.spins += w.spins;
    r.yields += w.yields;
  }
  r.count = shared.counter;
  r.handoffs = shared.handoffs;
  r.count_ok = r.count == r.acquisitions;
  r.pinned = threads > 1 && pinned.load() == threads;
  r.ns = static_cast<double>(elapsed) / static_cast<double>(r.acquisitions);
  uint64_t last_start = 0, first_end = UINT64_MAX, first_start = UINT64_MAX, last_end = 0;
  for (int t = 0; t < threads; t++) {
    last_start = start_ns[t] > last_start ? start_ns[t] : last_start;
    first_start = start_ns[t] < first_start ? start_ns[t] : first_start;
    first_end = end_ns[t] < first_end ? end_ns[t] : first_end;
    last_end = end_ns[t] > last_end ? end_ns[t] : last_end;
  }
  double span = static_cast<double>(last_end - first_start);
  double both = first_end > last_start ? static_cast<double>(first_end - last_start) : 0;
  r.overlap = span > 0 ? both / span : 1;
  return r;
}

}  // namespace

LockResult spinlock_run(LockKind kind, int threads, uint64_t iterations) {
  if (threads < 1 || threads > 2) {
    LockResult r{0, 0, 0, 0, 0, 0, false, false, 0, "threads must be 1 or 2"};
    return r;
  }
  switch (kind) {
    case LockKind::Tas: return run<LockKind::Tas>(threads, iterations);
    case LockKind::Ttas: return run<LockKind::Ttas>(threads, iterations);
    case LockKind::Ticket: return run<LockKind::Ticket>(threads, iterations);
  }
  return LockResult{0, 0, 0, 0, 0, 0, false, false, 0, "unknown lock kind"};
}

}  // namespace measure
