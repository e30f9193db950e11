// The null system call, as lmbench's lat_syscall measures it: syscall(SYS_getppid) in a counted loop,
// with the empty loop's cost subtracted. getppid goes into the kernel every time (glibc caches nothing).
#include <sys/syscall.h>
#include <unistd.h>

#include "measure.h"

namespace measure {

PerCall make_per_call(double raw_ns, double overhead_ns);

PerCall null_syscall(uint64_t iterations) {
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < iterations; i++) {
    long r = syscall(SYS_getppid);
    asm volatile("" ::"r"(r) : "memory");
  }
  uint64_t t1 = now_ns();
  double raw = static_cast<double>(t1 - t0) / static_cast<double>(iterations);
  return make_per_call(raw, empty_loop_ns(iterations));
}

}  // namespace measure
