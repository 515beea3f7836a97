#pragma once
// Pushes the agent's results to every controller: a full report each interval,
// and at once when an outcome changes, so a controller sees a failure within
// about a second. Each controller URL may name several replicas (a headless
// Service): the agent reports to every address it resolves to. When name
// resolution fails (the very DNS outage being reported) it keeps using the
// last addresses that worked. A controller that is down still gets the full
// report of each interval, but early reports only after a backoff (1 s
// doubling to 30 s, reset by a success); probing and the agent's own /metrics
// carry on meanwhile.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json_fwd.hpp>

#include "core/report.hpp"

namespace netprobe {

struct ReporterOptions {
  std::vector<std::string> controllers;  // base URLs
  std::string token;                     // the agent token
  std::string node;
  std::string ns;
  std::string advertise;                 // "host:port" where controllers reach this agent
  Millis interval{10'000};
};

class Reporter {
 public:
  // Called with the "probes" list of each controller reply (the probes assigned to this agent).
  using AssignmentSink = std::function<void(const nlohmann::json& probes)>;

  Reporter(boost::asio::any_io_executor executor, ReporterOptions options, AssignmentSink on_assignment);
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  void start();
  void stop();
  void reconfigure(ReporterOptions options);  // after SIGHUP

  // The latest result of a check; an outcome change triggers an early report.
  void record(const ProbeResult& result);
  // Checks that are no longer configured: dropped from the next full report.
  void retain_only(const std::vector<std::tuple<std::string, std::string, std::string>>& keys);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace netprobe
