#pragma once
// The controller process's CPU and memory, read from /proc/PID.
#include <cstdint>

namespace netprobe::bench {

struct ProcReading {
  double cpu_s = 0;        // utime + stime, all threads, exited ones included (clock ticks)
  std::uint64_t cpu_ns = 0;  // sum of /proc/PID/task/*/schedstat: finer, live threads only
  long hwm_kib = 0;        // VmHWM: peak RSS over the process's life
  long rss_kib = 0;        // VmRSS now
};

// Throws when the process is gone.
ProcReading read_proc(int pid);

}  // namespace netprobe::bench
