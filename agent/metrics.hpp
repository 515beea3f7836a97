#pragma once
// The agent's own /metrics, named as design.md fixes them. Every outcome
// series of every check exists from the start (value 0), so alert rules and
// dashboards never see a series appear out of nowhere.
#include <array>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "agent/probers/prober.hpp"
#include "core/check.hpp"
#include "core/result.hpp"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace netprobe {

class AgentMetrics {
 public:
  AgentMetrics(const Identity& identity, const std::string& version);
  ~AgentMetrics();
  AgentMetrics(const AgentMetrics&) = delete;
  AgentMetrics& operator=(const AgentMetrics&) = delete;

  // Creates the series of new checks and removes those of checks that are gone.
  void set_checks(const std::vector<Check>& checks);
  // Scheduled results only: ad hoc probes do not touch the agent's metrics.
  void record(const ProbeResult& result);
  // A run was due while the previous one was still in flight.
  void skipped(const Check& check);
  void config_reloaded(bool success);

  std::string render() const;  // Prometheus text format 0.0.4

 private:
  using CheckKey = std::tuple<std::string, std::string, std::string>;  // probe, target, transport
  using ProbeTransport = std::pair<std::string, std::string>;
  struct CheckSeries {
    prometheus::Gauge* success = nullptr;
    std::array<prometheus::Gauge*, kAllOutcomes.size()> outcome{};
    std::string type;
    std::string expect;
  };

  void remove_check(const CheckKey& key, CheckSeries& series);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& success_;
  prometheus::Family<prometheus::Gauge>& outcome_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& runs_;
  prometheus::Family<prometheus::Counter>& skipped_;
  prometheus::Family<prometheus::Gauge>& reload_success_;
  prometheus::Family<prometheus::Counter>& reloads_;

  std::map<CheckKey, CheckSeries> checks_;
  std::map<ProbeTransport, prometheus::Histogram*> durations_;
  std::map<std::tuple<std::string, std::string, Outcome>, prometheus::Counter*> run_counters_;
  std::map<ProbeTransport, prometheus::Counter*> skip_counters_;
};

}  // namespace netprobe
