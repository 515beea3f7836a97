#pragma once
// The agent process: config, scheduler, metrics, HTTP server and signals on
// one io_context. SIGHUP reloads (a bad file keeps the old config running),
// SIGTERM finishes in-flight runs and exits within 2 s.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/probers/prober.hpp"
#include "core/agent_config.hpp"

namespace netprobe {

struct AgentOptions {
  std::string config_path;                 // empty: no probes until one is given
  std::optional<std::string> listen;       // overrides the file
  std::vector<std::string> controllers;    // overrides the file when non-empty
  std::string token_file;                  // empty: one-shot probes disabled
  std::string advertise;                   // "host:port" controllers call back; empty: derived
  Identity identity;
};

class Agent {
 public:
  Agent(boost::asio::io_context& io, AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Loads config and token; throws ConfigError / std::runtime_error (exit 2).
  void load();
  // --check-config: what load() checks of the file and the flags, without the
  // token file; returns the config's probe count. Throws as load().
  static std::size_t check_config(const AgentOptions& options);
  // Binds the listener, starts probing and handling signals.
  void start();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace netprobe
