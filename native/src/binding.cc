// The JavaScript face of the native measurements (node-addon-api, no C++ exceptions). Every function
// checks its arguments and throws a TypeError/RangeError naming the bad one; results are plain objects.
// All measurements run synchronously on the calling thread (plus the threads they start and join).
#include <napi.h>
#include <sched.h>

#include <string>

#include "measure.h"

namespace {

constexpr double kMaxIterations = 1e9;

bool count_arg(const Napi::CallbackInfo& info, size_t i, const char* name, uint64_t* out) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsNumber()) {
    Napi::TypeError::New(env, std::string(name) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 1 && v <= kMaxIterations) || v != static_cast<double>(static_cast<uint64_t>(v))) {
    Napi::RangeError::New(env, std::string(name) + " must be an integer in 1..1e9").ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

Napi::Object per_call(Napi::Env env, const measure::PerCall& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ns", p.ns);
  o.Set("raw_ns", p.raw_ns);
  o.Set("overhead_ns", p.overhead_ns);
  return o;
}

Napi::Value NullSyscall(const Napi::CallbackInfo& info) {
  uint64_t n;
  if (!count_arg(info, 0, "iterations", &n)) return info.Env().Null();
  return per_call(info.Env(), measure::null_syscall(n));
}

Napi::Value ClockGettime(const Napi::CallbackInfo& info) {
  uint64_t n;
  if (!count_arg(info, 0, "iterations", &n)) return info.Env().Null();
  return per_call(info.Env(), measure::clock_gettime_cost(n));
}

// Optional trailing 'threads' | 'processes' argument (default threads).
bool members_arg(const Napi::CallbackInfo& info, size_t i, bool* processes) {
  *processes = false;
  if (info.Length() <= i || info[i].IsUndefined()) return true;
  std::string m = info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (m != "threads" && m != "processes") {
    Napi::TypeError::New(info.Env(), "members must be 'threads' or 'processes'").ThrowAsJavaScriptException();
    return false;
  }
  *processes = m == "processes";
  return true;
}

// contextSwitch(ring, rounds, channel: 'pipe' | 'futex', pin: boolean, members?: 'threads' | 'processes')
Napi::Value ContextSwitch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t ring, rounds;
  if (!count_arg(info, 0, "ring", &ring) || !count_arg(info, 1, "rounds", &rounds)) return env.Null();
  if (ring < 2 || ring > 64) {
    Napi::RangeError::New(env, "ring must be 2..64").ThrowAsJavaScriptException();
    return env.Null();
  }
  if (info.Length() < 4 || !info[2].IsString() || !info[3].IsBoolean()) {
    Napi::TypeError::New(env, "usage: contextSwitch(ring, rounds, 'pipe' | 'futex', pin)").ThrowAsJavaScriptException();
    return env.Null();
  }
  std::string ch = info[2].As<Napi::String>().Utf8Value();
  if (ch != "pipe" && ch != "futex") {
    Napi::TypeError::New(env, "channel must be 'pipe' or 'futex'").ThrowAsJavaScriptException();
    return env.Null();
  }
  bool processes;
  if (!members_arg(info, 4, &processes)) return env.Null();
  measure::CtxResult r = measure::context_switch(static_cast<int>(ring), rounds,
                                             ch == "pipe" ? measure::Channel::Pipe : measure::Channel::Futex,
                                             info[3].As<Napi::Boolean>().Value(), processes);
  if (!r.error.empty()) {
    Napi::Error::New(env, "contextSwitch: " + r.error).ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("switch_ns", r.switch_ns);
  o.Set("hop_raw_ns", r.hop_raw_ns);
  o.Set("overhead_ns", r.overhead_ns);
  o.Set("hops", static_cast<double>(r.hops));
  o.Set("pinned", r.pinned);
  return o;
}

// spinlock(kind: 'tas' | 'ttas' | 'ticket', threads: 1 | 2, iterations)
Napi::Value Spinlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "kind must be 'tas', 'ttas' or 'ticket'").ThrowAsJavaScriptException();
    return env.Null();
  }
  std::string k = info[0].As<Napi::String>().Utf8Value();
  measure::LockKind kind;
  if (k == "tas") kind = measure::LockKind::Tas;
  else if (k == "ttas") kind = measure::LockKind::Ttas;
  else if (k == "ticket") kind = measure::LockKind::Ticket;
  else {
    Napi::TypeError::New(env, "kind must be 'tas', 'ttas' or 'ticket'").ThrowAsJavaScriptException();
    return env.Null();
  }
  uint64_t threads, n;
  if (!count_arg(info, 1, "threads", &threads) || !count_arg(info, 2, "iterations", &n)) return env.Null();
  if (threads > 2) {
    Napi::RangeError::New(env, "threads must be 1 or 2").ThrowAsJavaScriptException();
    return env.Null();
  }
  measure::LockResult r = measure::spinlock_run(kind, static_cast<int>(threads), n);
  if (!r.error.empty()) {
    Napi::Error::New(env, "spinlock: " + r.error).ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("ns", r.ns);
  o.Set("acquisitions", static_cast<double>(r.acquisitions));
  o.Set("spins", static_cast<double>(r.spins));
  o.Set("yields", static_cast<double>(r.yields));
  o.Set("count", static_cast<double>(r.count));
  o.Set("handoffs", static_cast<double>(r.handoffs));
  o.Set("count_ok", r.count_ok);
  o.Set("pinned", r.pinned);
  o.Set("overlap", r.overlap);
  return o;
}

// daemonRoundTrip(iterations, pin, daemon?: 'threads' | 'processes')
Napi::Value DaemonRoundTrip(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t n;
  if (!count_arg(info, 0, "iterations", &n)) return env.Null();
  if (info.Length() < 2 || !info[1].IsBoolean()) {
    Napi::TypeError::New(env, "pin must be a boolean").ThrowAsJavaScriptException();
    return env.Null();
  }
  bool processes;
  if (!members_arg(info, 2, &processes)) return env.Null();
  measure::DaemonResult r = measure::daemon_round_trip(n, info[1].As<Napi::Boolean>().Value(), processes);
  if (!r.error.empty()) {
    Napi::Error::New(env, "daemonRoundTrip: " + r.error).ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("direct_ns", r.direct_ns);
  o.Set("daemon_ns", r.daemon_ns);
  o.Set("difference_ns", r.difference_ns);
  o.Set("pinned", r.pinned);
  return o;
}

Napi::Value ProcObject(Napi::Env env, const char* what, const measure::ProcResult& r) {
  if (!r.error.empty()) {
    Napi::Error::New(env, std::string(what) + ": " + r.error).ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("ns", r.ns);
  o.Set("count", static_cast<double>(r.count));
  return o;
}

// forkWait(iterations, execPath?): ns per fork + exit (or exec of execPath) + waitpid.
Napi::Value ForkWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t n;
  if (!count_arg(info, 0, "iterations", &n)) return env.Null();
  std::string path;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsString()) {
      Napi::TypeError::New(env, "execPath must be a string").ThrowAsJavaScriptException();
      return env.Null();
    }
    path = info[1].As<Napi::String>().Utf8Value();
  }
  return ProcObject(env, "forkWait", measure::fork_wait(n, path.empty() ? nullptr : path.c_str()));
}

// pipePingPong(roundTrips): ns per hop of a byte bounced between two processes over two pipes.
Napi::Value PipePingPong(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t n;
  if (!count_arg(info, 0, "round trips", &n)) return env.Null();
  return ProcObject(env, "pipePingPong", measure::pipe_ping_pong(n));
}

// pipeBandwidth(bytes, chunk): ns per byte through one pipe between two processes.
Napi::Value PipeBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t bytes, chunk;
  if (!count_arg(info, 0, "bytes", &bytes) || !count_arg(info, 1, "chunk", &chunk)) return env.Null();
  return ProcObject(env, "pipeBandwidth", measure::pipe_bandwidth(bytes, chunk));
}

// pinThread(cpu): pin the calling thread (e.g. a worker thread) to one CPU; false when refused.
Napi::Value PinThread(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "cpu must be a number").ThrowAsJavaScriptException();
    return env.Null();
  }
  double cpu = info[0].As<Napi::Number>().DoubleValue();
  if (!(cpu >= 0 && cpu < CPU_SETSIZE) || cpu != static_cast<double>(static_cast<int>(cpu))) {
    Napi::RangeError::New(env, "cpu must be an integer CPU number").ThrowAsJavaScriptException();
    return env.Null();
  }
  return Napi::Boolean::New(env, measure::pin_self(static_cast<int>(cpu)));
}

// allowedCpus(): the CPUs this process may run on (at most 64), in order.
Napi::Value AllowedCpus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int cpus[64];
  int n = measure::allowed_cpus(cpus, 64);
  Napi::Array out = Napi::Array::New(env, n);
  for (int i = 0; i < n; i++) out.Set(i, cpus[i]);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("pinThread", Napi::Function::New(env, PinThread));
  exports.Set("allowedCpus", Napi::Function::New(env, AllowedCpus));
  exports.Set("nullSyscall", Napi::Function::New(env, NullSyscall));
  exports.Set("clockGettime", Napi::Function::New(env, ClockGettime));
  exports.Set("contextSwitch", Napi::Function::New(env, ContextSwitch));
  exports.Set("spinlock", Napi::Function::New(env, Spinlock));
  exports.Set("daemonRoundTrip", Napi::Function::New(env, DaemonRoundTrip));
  exports.Set("forkWait", Napi::Function::New(env, ForkWait));
  exports.Set("pipePingPong", Napi::Function::New(env, PipePingPong));
  exports.Set("pipeBandwidth", Napi::Function::New(env, PipeBandwidth));
  exports.Set("version", Napi::Number::New(env, 2));
  return exports;
}

}  // namespace

NODE_API_MODULE(atoll_native, Init)
