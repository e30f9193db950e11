// Clocks, the empty-loop overhead, the clock_gettime cost and CPU pinning shared by the measurements.
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "measure.h"

namespace measure {

uint64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Overheads are the minimum over a few batches: a batch that was preempted or interrupted only reads
// higher, so the minimum is the undisturbed cost (lmbench's practice), and c or σ is not understated.
constexpr int kOverheadBatches = 5;

double empty_loop_ns(uint64_t iterations) {
  uint64_t batch = iterations / kOverheadBatches + 1;
  double best = 0;
  for (int b = 0; b < kOverheadBatches; b++) {
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < batch; i++) {
      asm volatile("" ::: "memory");  // keeps the loop; costs nothing itself
    }
    double per = static_cast<double>(now_ns() - t0) / static_cast<double>(batch);
    if (b == 0 || per < best) best = per;
  }
  return best;
}

static PerCall per_call(double raw_ns, double overhead_ns) {
  double ns = raw_ns - overhead_ns;
  return PerCall{raw_ns, overhead_ns, ns < 0 ? 0 : ns};
}

PerCall clock_gettime_cost(uint64_t iterations) {
  struct timespec ts;
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < iterations; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    asm volatile("" ::"r"(&ts) : "memory");
  }
  uint64_t t1 = now_ns();
  double raw = static_cast<double>(t1 - t0) / static_cast<double>(iterations);
  return per_call(raw, empty_loop_ns(iterations));
}

PerCall make_per_call(double raw_ns, double overhead_ns) { return per_call(raw_ns, overhead_ns); }

bool pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

int allowed_cpus(int* out, int max) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
  int n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++) {
    if (CPU_ISSET(cpu, &set)) out[n++] = cpu;
  }
  return n;
}

}  // namespace measure
