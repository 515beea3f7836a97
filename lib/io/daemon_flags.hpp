#pragma once
// What netprobe-agent and netprobe-controller share: --help, --version,
// --log-level and --check-config (Boost.Program_options), and how a daemon is
// started and run.
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "core/yaml_reader.hpp"
#include "io/log.hpp"

namespace netprobe {

// Adds --help, --version, --log-level and --check-config to `flags`.
void add_daemon_flags(boost::program_options::options_description& flags);

// --check-config, as `promtool check config`: `check` reads and validates the
// config file and the flags it meets, without listening, connecting, resolving
// or reading token files, and returns how many probes it holds. Prints
// "agent.yaml: ok (12 probes)" on stdout and returns 0, or the error as a start
// would say it (file:line: field: message) on stderr and returns 2.
// What HttpServer::listen() will take: "[IP]:port" or ":port"; throws
// std::runtime_error naming `what` ("--listen", "agent.yaml: listen") otherwise.
void check_listen_address(const std::string& what, const std::string& listen);

int check_daemon_config(const std::string& program, const std::string& config_path,
                        const std::function<std::size_t()>& check);

// Parses argv. Returns the variables to run with, or the exit code when the
// program should stop now (--help and --version: 0; a usage error: 2, said on stderr).
// On success the log level is already set.
std::optional<boost::program_options::variables_map> parse_daemon_flags(
    int argc, char** argv, const boost::program_options::options_description& flags, const std::string& program,
    int* exit_code);

// Hands memory of large buffers (request bodies, /metrics pages) back to the
// system as soon as they are freed. glibc otherwise raises its mmap threshold
// after the first large free, and later bodies come from a heap that keeps
// the peak resident: a flood of 8 MiB bodies then holds far more than the
// bodies in flight (docs/security.md, the body budget).
void return_large_buffers_promptly();

// Loads and starts `daemon` (an Agent or a Controller), then runs the io_context
// until it stops. Invalid config and start-up failures are logged and give exit code 2.
template <class Daemon>
int run_daemon(boost::asio::io_context& io, Daemon& daemon) {
  return_large_buffers_promptly();
  try {
    daemon.load();
    daemon.start();
  } catch (const ConfigError& error) {
    log::error("invalid config", {{"error", error.what()}});
    return 2;
  } catch (const std::exception& error) {
    log::error("cannot start", {{"error", error.what()}});
    return 2;
  }
  io.run();
  return 0;
}

}  // namespace netprobe
