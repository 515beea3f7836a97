#pragma once
// The agent's own /metrics, named as README.md, "Metrics (agent)", lists them. Every outcome
// series of every check exists from the start (value 0), so alert rules and
// dashboards never see a series appear out of nowhere.
//
// The series have a fixed shape (a check has one success gauge and one gauge
// per outcome, a probe and transport one duration histogram), so they are kept
// as plain values keyed by their labels and written out on each scrape
// (core/exposition.hpp): a check costs a few hundred bytes, and a scrape
// writes its text a piece at a time as the socket takes it.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "agent/probers/prober.hpp"
#include "agent/reporter.hpp"
#include "core/check.hpp"
#include "core/outcome.hpp"
#include "core/result.hpp"

namespace netprobe {

namespace exposition {
class Writer;
}

// Appends the next piece of a text to its argument; false once the text is complete.
using MetricsPieces = std::function<bool(std::string&)>;

class AgentMetrics {
 public:
  AgentMetrics(const Identity& identity, const std::string& version);

  // Creates the series of new checks and removes those of checks that are gone.
  void set_checks(const std::vector<Check>& checks);
  // Scheduled results only: ad hoc probes do not touch the agent's metrics.
  void record(const ProbeResult& result);
  // A run was due while the previous one was still in flight.
  void skipped(const Check& check);
  void config_reloaded(bool success);
  // The controllers reported to (the configured URLs): their series exist from the start.
  void set_controllers(const std::vector<std::string>& urls);
  // One report sent to one address of `controller`: accepted (200), rejected
  // (any other answer: a wrong token, a limit) or failed (no answer).
  void report_sent(const std::string& controller, ReportDelivery delivery);

  // Prometheus text format 0.0.4, whole (tests) or in pieces (the /metrics
  // route, so the agent never holds a scrape's hundreds of KB at once). The
  // pieces refer to these metrics, which must outlive them.
  std::string render() const;
  MetricsPieces render_pieces() const;

  // From a loopback connect (~100us) to a slow DNS timeout (10s), a bucket per
  // half decade: every bucket is a series per probe, so fewer keep /metrics small.
  static constexpr std::array<double, 10> kDurationBuckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10};

 private:
  struct Cursor;
  bool write_piece(Cursor& cursor, std::string& text) const;
  void write_rest(exposition::Writer& out) const;

  using ProbeTransport = std::tuple<std::string, std::string>;

  struct Durations {
    std::array<std::uint64_t, kDurationBuckets.size() + 1> counts{};  // the last is above 10 s
    double sum = 0;
  };
  // What a probe over a transport has run, over all its targets. Its series
  // appear with its first run (runs_total: with the first run of each outcome).
  struct PairSeries {
    Durations durations;
    std::array<std::uint64_t, kOutcomes.size()> runs{};  // by Outcome
    bool ran() const { return std::ranges::any_of(runs, [](std::uint64_t count) { return count > 0; }); }
  };
  struct CheckSeries {
    std::string type;
    std::string expect;
    bool success = false;
    std::optional<Outcome> outcome;  // of the latest run; none before the first
    PairSeries* pair = nullptr;      // its probe and transport's, in pairs_; set by set_checks()
  };

  Identity identity_;
  std::string version_;
  std::map<CheckKey, CheckSeries, std::less<>> checks_;
  std::map<ProbeTransport, PairSeries> pairs_;
  std::map<ProbeTransport, std::uint64_t> skips_;
  std::map<std::string, std::array<std::uint64_t, 3>> reports_;  // by controller URL, then ReportDelivery
  bool last_reload_successful_ = true;
  std::uint64_t reloads_succeeded_ = 0;
  std::uint64_t reloads_failed_ = 0;
};

}  // namespace netprobe
