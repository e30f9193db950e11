{
  "targets": [
    {
      "target_name": "atoll_native",
      "sources": [
        "src/binding.cc",
        "src/timing.cc",
        "src/syscall.cc",
        "src/ctxsw.cc",
        "src/spinlock.cc",
        "src/daemon.cc",
        "src/process.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O2", "-std=c++17", "-pthread", "-Wall", "-Wextra"],
      "libraries": ["-pthread"]
    },
    {
      "target_name": "atoll_true",
      "type": "executable",
      "sources": ["src/true.c"],
      "cflags": ["-O2"],
      "ldflags": ["-static"]
    }
  ]
}
