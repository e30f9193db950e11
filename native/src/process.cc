// The Unix process costs on the real machine, as lmbench measures them: fork+exit+wait (lat_proc fork),
// fork+exec+wait of a small program (lat_proc exec), a one-byte ping-pong between two processes over two
// pipes (lat_pipe: half a round trip per hop), and the bandwidth of one pipe between two processes
// (bw_pipe: 64 KiB writes, the reader drains). Every fork happens on a driver thread, never on Node's main
// thread, and the children only read, write, exec and _exit.
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "measure.h"

namespace measure {

namespace {

bool reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Runs fn on a fresh thread (forks from it) and waits for it.
template <typename F>
void on_driver(F fn) {
  std::thread t(fn);
  t.join();
}

}  // namespace

ProcResult fork_wait(uint64_t iterations, const char* exec_path) {
  ProcResult r{0, iterations, ""};
  on_driver([&]() {
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iterations; i++) {
      pid_t pid = fork();
      if (pid == 0) {
        if (exec_path != nullptr) {
          char* argv[] = {const_cast<char*>(exec_path), nullptr};
          char* envp[] = {nullptr};
          execve(exec_path, argv, envp);
          _exit(127);
        }
        _exit(0);
      }
      if (pid < 0) { r.error = "fork() failed"; return; }
      if (!reap(pid)) { r.error = exec_path ? "the exec'd program did not exit 0" : "the child did not exit 0"; return; }
    }
    r.ns = static_cast<double>(now_ns() - t0) / static_cast<double>(iterations);
  });
  return r;
}

ProcResult pipe_ping_pong(uint64_t round_trips) {
  ProcResult r{0, round_trips, ""};
  int there[2], back[2];
  if (pipe(there) != 0) { r.error = "pipe() failed"; return r; }
  if (pipe(back) != 0) { close(there[0]); close(there[1]); r.error = "pipe() failed"; return r; }
  on_driver([&]() {
    pid_t pid = fork();
    if (pid == 0) {
      char c;
      for (uint64_t i = 0; i < round_trips; i++) {
        if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1) _exit(1);
      }
      _exit(0);
    }
    if (pid < 0) { r.error = "fork() failed"; return; }
    char c = 'p';
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < round_trips; i++) {
      if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) { kill(pid, SIGKILL); r.error = "a pipe operation failed"; break; }
    }
    // A hop is one direction: half a round trip, as lmbench's lat_pipe reports.
    if (r.error.empty()) r.ns = static_cast<double>(now_ns() - t0) / static_cast<double>(2 * round_trips);
    if (!reap(pid) && r.error.empty()) r.error = "the echo process failed";
  });
  for (int fd : {there[0], there[1], back[0], back[1]}) close(fd);
  return r;
}

ProcResult pipe_bandwidth(uint64_t bytes, uint64_t chunk) {
  ProcResult r{0, bytes, ""};
  int p[2];
  if (chunk == 0 || chunk > (1u << 20)) { r.error = "chunk must be 1..1 MiB"; return r; }
  if (pipe(p) != 0) { r.error = "pipe() failed"; return r; }
  on_driver([&]() {
    pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      std::vector<char> buf(chunk, 'x');
      uint64_t left = bytes;
      while (left > 0) {
        size_t n = left < chunk ? left : chunk;
        if (!write_all(p[1], buf.data(), n)) _exit(1);
        left -= n;
      }
      _exit(0);
    }
    if (pid < 0) { r.error = "fork() failed"; return; }
    close(p[1]);
    p[1] = -1;
    std::vector<char> buf(chunk);
    uint64_t got = 0;
    uint64_t t0 = now_ns();
    for (;;) {
      ssize_t n = read(p[0], buf.data(), chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<uint64_t>(n);
    }
    uint64_t dt = now_ns() - t0;
    if (!reap(pid)) r.error = "the writer failed";
    else if (got != bytes) r.error = "the reader got fewer bytes than were written";
    else r.ns = static_cast<double>(dt) / static_cast<double>(bytes);  // ns per byte
  });
  for (int fd : {p[0], p[1]}) if (fd >= 0) close(fd);
  return r;
}

}  // namespace measure
