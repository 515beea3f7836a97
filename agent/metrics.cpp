#include "metrics.hpp"

#include <set>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace netprobe {
namespace {

// From a loopback connect (~100us) to a slow DNS timeout (10s), a bucket per
// half decade: every bucket is a series per check, so fewer keep /metrics small.
const prometheus::Histogram::BucketBoundaries kDurationBuckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10};

std::size_t outcome_index(Outcome outcome) { return static_cast<std::size_t>(outcome); }

}  // namespace

AgentMetrics::AgentMetrics(const Identity& identity, const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()),
      success_(prometheus::BuildGauge()
                   .Name("netprobe_probe_success")
                   .Help("Whether the latest run of the check succeeded against its expect (1) or not (0).")
                   .Register(*registry_)),
      outcome_(prometheus::BuildGauge()
                   .Name("netprobe_probe_outcome")
                   .Help("1 for the outcome of the latest run of the check, 0 for every other outcome.")
                   .Register(*registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("netprobe_probe_duration_seconds")
                    .Help("How long probe runs took.")
                    .Register(*registry_)),
      runs_(prometheus::BuildCounter()
                .Name("netprobe_probe_runs_total")
                .Help("Probe runs by outcome.")
                .Register(*registry_)),
      skipped_(prometheus::BuildCounter()
                   .Name("netprobe_probe_skipped_total")
                   .Help("Runs skipped because the previous run of the check was still in flight.")
                   .Register(*registry_)),
      reload_success_(prometheus::BuildGauge()
                          .Name("netprobe_agent_config_last_reload_successful")
                          .Help("Whether the last configuration load succeeded.")
                          .Register(*registry_)),
      reloads_(prometheus::BuildCounter()
                   .Name("netprobe_agent_config_reloads_total")
                   .Help("Configuration loads by result.")
                   .Register(*registry_)) {
  prometheus::BuildGauge()
      .Name("netprobe_agent_info")
      .Help("Identity of this agent; always 1.")
      .Register(*registry_)
      .Add({{"node", identity.node}, {"namespace", identity.ns}, {"version", version}})
      .Set(1);
  reload_success_.Add({}).Set(1);
}

AgentMetrics::~AgentMetrics() = default;

void AgentMetrics::remove_check(const CheckKey& key, CheckSeries& series) {
  (void)key;
  success_.Remove(series.success);
  for (prometheus::Gauge* gauge : series.outcome) outcome_.Remove(gauge);
}

void AgentMetrics::set_checks(const std::vector<Check>& checks) {
  std::set<CheckKey> wanted;
  std::set<ProbeTransport> wanted_pairs;
  for (const Check& check : checks) {
    const ProbeSpec& spec = *check.probe;
    CheckKey key{spec.name, check.target, check.transport};
    wanted.insert(key);
    wanted_pairs.emplace(spec.name, check.transport);
    const std::string type(to_string(spec.type()));
    const std::string expect(to_string(spec.expect));
    auto existing = checks_.find(key);
    if (existing != checks_.end() && (existing->second.type != type || existing->second.expect != expect)) {
      remove_check(existing->first, existing->second);  // same check, new labels: start over
      checks_.erase(existing);
      existing = checks_.end();
    }
    if (existing != checks_.end()) continue;
    CheckSeries series;
    series.type = type;
    series.expect = expect;
    series.success = &success_.Add({{"probe", spec.name},
                                    {"type", type},
                                    {"target", check.target},
                                    {"transport", check.transport},
                                    {"expect", expect}});
    for (Outcome outcome : kAllOutcomes) {
      series.outcome[outcome_index(outcome)] = &outcome_.Add({{"probe", spec.name},
                                                              {"target", check.target},
                                                              {"transport", check.transport},
                                                              {"outcome", std::string(to_string(outcome))}});
    }
    checks_.emplace(std::move(key), series);
  }
  for (auto it = checks_.begin(); it != checks_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
    } else {
      remove_check(it->first, it->second);
      it = checks_.erase(it);
    }
  }
  for (auto it = durations_.begin(); it != durations_.end();) {
    if (wanted_pairs.contains(it->first)) {
      ++it;
    } else {
      duration_.Remove(it->second);
      it = durations_.erase(it);
    }
  }
  for (auto it = run_counters_.begin(); it != run_counters_.end();) {
    if (wanted_pairs.contains({std::get<0>(it->first), std::get<1>(it->first)})) {
      ++it;
    } else {
      runs_.Remove(it->second);
      it = run_counters_.erase(it);
    }
  }
  for (auto it = skip_counters_.begin(); it != skip_counters_.end();) {
    if (wanted_pairs.contains(it->first)) {
      ++it;
    } else {
      skipped_.Remove(it->second);
      it = skip_counters_.erase(it);
    }
  }
}

void AgentMetrics::record(const ProbeResult& result) {
  auto series = checks_.find({result.probe, result.target, result.transport});
  if (series == checks_.end()) return;  // the check was removed by a reload while it ran
  series->second.success->Set(result.success ? 1 : 0);
  for (Outcome outcome : kAllOutcomes) {
    series->second.outcome[outcome_index(outcome)]->Set(outcome == result.outcome ? 1 : 0);
  }
  const ProbeTransport pair{result.probe, result.transport};
  auto& histogram = durations_[pair];
  if (histogram == nullptr) {
    histogram = &duration_.Add({{"probe", result.probe}, {"transport", result.transport}}, kDurationBuckets);
  }
  histogram->Observe(result.duration_seconds);
  auto& counter = run_counters_[{result.probe, result.transport, result.outcome}];
  if (counter == nullptr) {
    counter = &runs_.Add(
        {{"probe", result.probe}, {"transport", result.transport}, {"outcome", std::string(to_string(result.outcome))}});
  }
  counter->Increment();
}

void AgentMetrics::skipped(const Check& check) {
  auto& counter = skip_counters_[{check.probe->name, check.transport}];
  if (counter == nullptr) counter = &skipped_.Add({{"probe", check.probe->name}, {"transport", check.transport}});
  counter->Increment();
}

void AgentMetrics::config_reloaded(bool success) {
  reload_success_.Add({}).Set(success ? 1 : 0);
  reloads_.Add({{"result", success ? "success" : "failure"}}).Increment();
}

std::string AgentMetrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace netprobe
