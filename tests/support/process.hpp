#pragma once
// Child processes and loopback helpers for integration tests. Real servers
// (dnsmasq, unbound, openssl s_server, stand-ins) run as children and are
// killed when the handle goes out of scope.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace netprobe::testing {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with stdout/stderr sent to `log_path` (or inherited when empty).
  explicit ChildProcess(std::vector<std::string> argv, const std::string& log_path = "");
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signal_number);
  // Sends SIGTERM and waits up to `grace`, then SIGKILL. Returns the exit status as waitpid gives it.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});
  // Waits for the child to exit on its own, up to `limit`; -1 if it did not.
  int wait_exit(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, then released).
std::uint16_t free_port();

// Polls until something accepts TCP connections on 127.0.0.1:port, up to `limit`.
bool wait_for_tcp_port(std::uint16_t port, std::chrono::milliseconds limit = std::chrono::milliseconds{5000},
                       const std::string& host = "127.0.0.1");

// A fresh directory under $TMPDIR (or /tmp), removed by the caller if it cares.
std::string make_temp_dir(const std::string& prefix = "netprobe-test");

void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

// An executable in PATH, or "" (to skip tests whose real server is not installed).
std::string find_program(const std::string& name);

// The directory holding the test binary: stand-ins are built beside it.
std::string binary_dir();

}  // namespace netprobe::testing
