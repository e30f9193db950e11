// The daemon claim on the real machine: a request served by a user-level daemon (the client writes a
// request into a pipe, the daemon reads it, makes the system call, writes the reply, the client reads it)
// against the client making the same system call (getppid) itself. The difference is what the model
// 3σ + 2c predicts. The daemon is a thread or, as a real daemon is, a process (forked from a driver
// thread; it only reads, writes, calls getppid and exits). Both sides run on one CPU when `pin` is allowed.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "measure.h"

namespace measure {

namespace {

constexpr uint64_t kWarmup = 100;

bool daemon_loop(int req_r, int rep_w, uint64_t requests) {
  char c;
  for (uint64_t i = 0; i < requests; i++) {
    if (read(req_r, &c, 1) != 1) return false;
    long answer = syscall(SYS_getppid);
    c = static_cast<char>(answer);
    if (write(rep_w, &c, 1) != 1) return false;
  }
  return true;
}

// The client: first the direct calls, then the same number of requests through the daemon.
bool client_loop(int req_w, int rep_r, uint64_t iterations, DaemonResult* r) {
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < iterations; i++) {
    long answer = syscall(SYS_getppid);
    asm volatile("" ::"r"(answer) : "memory");
  }
  r->direct_ns = static_cast<double>(now_ns() - t0) / static_cast<double>(iterations);
  char c = 'q';
  uint64_t t1 = 0;
  for (uint64_t i = 0; i < kWarmup + iterations; i++) {
    if (i == kWarmup) t1 = now_ns();
    if (write(req_w, &c, 1) != 1 || read(rep_r, &c, 1) != 1) return false;
  }
  r->daemon_ns = static_cast<double>(now_ns() - t1) / static_cast<double>(iterations);
  return true;
}

}  // namespace

DaemonResult daemon_round_trip(uint64_t iterations, bool pin, bool processes) {
  DaemonResult r{0, 0, 0, false, ""};
  int req[2], rep[2];
  if (pipe(req) != 0) { r.error = "pipe() failed"; return r; }
  if (pipe(rep) != 0) { close(req[0]); close(req[1]); r.error = "pipe() failed"; return r; }
  int cpus[1];
  int cpu = allowed_cpus(cpus, 1) == 1 ? cpus[0] : -1;
  bool ok = true;
  if (processes) {
    std::thread driver([&]() {
      r.pinned = pin && cpu >= 0 && pin_self(cpu);  // the forked daemon inherits the CPU
      pid_t pid = fork();
      if (pid == 0) _exit(daemon_loop(req[0], rep[1], kWarmup + iterations) ? 0 : 1);
      if (pid < 0) { ok = false; return; }
      ok = client_loop(req[1], rep[0], iterations, &r);
      if (!ok) kill(pid, SIGKILL);
      int status = 0;
      if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
    });
    driver.join();
  } else {
    std::atomic<int> pinned{0};
    std::atomic<bool> daemon_ok{true};
    std::thread daemon([&]() {
      if (pin && cpu >= 0 && pin_self(cpu)) pinned.fetch_add(1);
      daemon_ok.store(daemon_loop(req[0], rep[1], kWarmup + iterations));
    });
    std::thread client([&]() {
      if (pin && cpu >= 0 && pin_self(cpu)) pinned.fetch_add(1);
      ok = client_loop(req[1], rep[0], iterations, &r);
      if (!ok) { close(req[1]); req[1] = -1; }  // lets the daemon's read end
    });
    client.join();
    daemon.join();
    ok = ok && daemon_ok.load();
    r.pinned = pinned.load() == 2;
  }
  for (int fd : {req[0], req[1], rep[0], rep[1]}) if (fd >= 0) close(fd);
  if (!ok) { r.error = "a pipe operation or the daemon failed"; return r; }
  r.difference_ns = r.daemon_ns - r.direct_ns;
  return r;
}

}  // namespace measure
