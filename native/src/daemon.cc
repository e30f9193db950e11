// The seed's claim on the real machine: a request served by a user-level daemon (the client writes a
// request into a pipe, the daemon reads it, makes the system call, writes the reply, the client reads it)
// against the client making the same system call (getppid) itself. The difference is what the model
// 3σ + 2c predicts. Both threads run on one CPU when `pin` is allowed, as in the context-switch figure.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "measure.h"

namespace measure {

DaemonResult daemon_round_trip(uint64_t iterations, bool pin) {
  DaemonResult r{0, 0, 0, false, ""};
  int req[2], rep[2];
  if (pipe(req) != 0) { r.error = "pipe() failed"; return r; }
  if (pipe(rep) != 0) { close(req[0]); close(req[1]); r.error = "pipe() failed"; return r; }
  int cpus[1];
  int cpu = allowed_cpus(cpus, 1) == 1 ? cpus[0] : -1;
  std::atomic<int> pinned{0};
  std::atomic<bool> failed{false};
  const uint64_t warmup = 100;

  std::thread daemon([&]() {
    if (pin && cpu >= 0 && pin_self(cpu)) pinned.fetch_add(1);
    char c;
    for (uint64_t i = 0; i < warmup + iterations; i++) {
      if (read(req[0], &c, 1) != 1) { failed.store(true); break; }
      long answer = syscall(SYS_getppid);
      c = static_cast<char>(answer);
      if (write(rep[1], &c, 1) != 1) { failed.store(true); break; }
    }
  });
  std::thread client([&]() {
    if (pin && cpu >= 0 && pin_self(cpu)) pinned.fetch_add(1);
    // Direct: the client makes the call itself.
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iterations; i++) {
      long answer = syscall(SYS_getppid);
      asm volatile("" ::"r"(answer) : "memory");
    }
    r.direct_ns = static_cast<double>(now_ns() - t0) / static_cast<double>(iterations);
    // Through the daemon.
    char c = 'q';
    uint64_t t1 = 0;
    for (uint64_t i = 0; i < warmup + iterations; i++) {
      if (i == warmup) t1 = now_ns();
      if (write(req[1], &c, 1) != 1 || read(rep[0], &c, 1) != 1) {
        failed.store(true);
        close(req[1]);  // lets the daemon's read end
        req[1] = -1;
        break;
      }
    }
    r.daemon_ns = static_cast<double>(now_ns() - t1) / static_cast<double>(iterations);
  });
  client.join();
  daemon.join();
  for (int fd : {req[0], req[1], rep[0], rep[1]}) if (fd >= 0) close(fd);
  if (failed.load()) { r.error = "a pipe operation failed"; return r; }
  r.difference_ns = r.daemon_ns - r.direct_ns;
  r.pinned = pinned.load() == 2;
  return r;
}

}  // namespace measure
