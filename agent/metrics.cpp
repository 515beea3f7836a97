#include "metrics.hpp"

#include <algorithm>
#include <set>

#include "core/exposition.hpp"

namespace netprobe {

using exposition::MetricType;

AgentMetrics::AgentMetrics(const Identity& identity, const std::string& version)
    : identity_(identity), version_(version) {}

void AgentMetrics::set_checks(const std::vector<Check>& checks) {
  std::map<CheckKey, CheckSeries, std::less<>> kept;
  std::set<ProbeTransport> pairs;
  for (const Check& check : checks) {
    const ProbeSpec& spec = *check.probe;
    CheckKey key = key_of(check);
    pairs.emplace(spec.name, check.transport);
    CheckSeries fresh;
    fresh.type = to_string(spec.type());
    fresh.expect = to_string(spec.expect);
    auto existing = checks_.find(key);
    // The same check with new labels (type, expect) starts over.
    if (existing != checks_.end() && existing->second.type == fresh.type && existing->second.expect == fresh.expect) {
      kept.insert(checks_.extract(existing));
    } else {
      kept.insert_or_assign(std::move(key), std::move(fresh));
    }
  }
  checks_ = std::move(kept);
  std::erase_if(pairs_, [&](const auto& entry) { return !pairs.contains(entry.first); });
  std::erase_if(skips_, [&](const auto& entry) { return !pairs.contains(entry.first); });
  for (auto& [key, series] : checks_) series.pair = &pairs_[ProbeTransport{key.probe, key.transport}];
  render_size_ = 0;
}

void AgentMetrics::record(const ProbeResult& result) {
  auto series = checks_.find(key_ref_of(result));
  if (series == checks_.end()) return;  // the check was removed by a reload while it ran
  series->second.success = result.success;
  series->second.outcome = result.outcome;
  PairSeries& pair = *series->second.pair;
  const auto bucket = std::lower_bound(kDurationBuckets.begin(), kDurationBuckets.end(), result.duration_seconds);
  ++pair.durations.counts[static_cast<std::size_t>(bucket - kDurationBuckets.begin())];
  pair.durations.sum += result.duration_seconds;
  ++pair.runs[static_cast<std::size_t>(result.outcome)];
}

void AgentMetrics::skipped(const Check& check) { ++skips_[{check.probe->name, check.transport}]; }

void AgentMetrics::config_reloaded(bool success) {
  last_reload_successful_ = success;
  ++(success ? reloads_succeeded_ : reloads_failed_);
}

void AgentMetrics::set_controllers(const std::vector<std::string>& urls) {
  std::map<std::string, std::array<std::uint64_t, 3>> kept;
  for (const std::string& url : urls) kept[url] = reports_[url];  // counters survive a reload
  reports_ = std::move(kept);
  render_size_ = 0;
}

void AgentMetrics::report_sent(const std::string& controller, ReportDelivery delivery) {
  const auto it = reports_.find(controller);
  if (it != reports_.end()) ++it->second[static_cast<std::size_t>(delivery)];
}

std::string AgentMetrics::render() const {
  // After a change of the series (and before the first scrape) the text is
  // measured first; otherwise the last one's size, with room for counters
  // that gained digits, is enough.
  if (render_size_ == 0) {
    auto counter = exposition::Writer::counting();
    write(counter);
    render_size_ = counter.length();
  }
  std::string text;
  text.reserve(render_size_ + render_size_ / 8);
  exposition::Writer out(text);
  write(out);
  render_size_ = text.size();
  return text;
}

void AgentMetrics::write(exposition::Writer& out) const {
  out.family("netprobe_agent_info", MetricType::gauge, "Identity of this agent; always 1.");
  out.sample("netprobe_agent_info", {{"namespace", identity_.ns}, {"node", identity_.node}, {"version", version_}}, 1.0);

  out.family("netprobe_probe_success", MetricType::gauge,
             "Whether the latest run of the check succeeded against its expect (1) or not (0).");
  for (const auto& [key, series] : checks_) {
    const auto& [probe, target, transport] = key;
    out.sample("netprobe_probe_success",
               {{"expect", series.expect}, {"probe", probe}, {"target", target}, {"transport", transport}, {"type", series.type}},
               series.success ? 1.0 : 0.0);
  }

  out.family("netprobe_probe_outcome", MetricType::gauge,
             "1 for the outcome of the latest run of the check, 0 for every other outcome.");
  for (const auto& [key, series] : checks_) {
    const auto& [probe, target, transport] = key;
    for (const auto& outcome : kOutcomes) {
      out.sample("netprobe_probe_outcome",
                 {{"outcome", outcome.name}, {"probe", probe}, {"target", target}, {"transport", transport}},
                 series.outcome == outcome.value ? 1.0 : 0.0);
    }
  }

  out.family("netprobe_probe_duration_seconds", MetricType::histogram, "How long probe runs took.");
  for (const auto& [key, pair] : pairs_) {
    if (!pair.ran()) continue;
    out.histogram("netprobe_probe_duration_seconds", {{"probe", std::get<0>(key)}, {"transport", std::get<1>(key)}},
                  kDurationBuckets, pair.durations.counts, pair.durations.sum);
  }

  out.family("netprobe_probe_runs_total", MetricType::counter, "Probe runs by outcome.");
  for (const auto& [key, pair] : pairs_) {
    const auto& [probe, transport] = key;
    for (const auto& outcome : kOutcomes) {
      const std::uint64_t count = pair.runs[static_cast<std::size_t>(outcome.value)];
      if (count == 0) continue;  // no run had this outcome yet
      out.sample("netprobe_probe_runs_total", {{"outcome", outcome.name}, {"probe", probe}, {"transport", transport}},
                 count);
    }
  }

  out.family("netprobe_probe_skipped_total", MetricType::counter,
             "Runs skipped because the previous run of the check was still in flight.");
  for (const auto& [key, count] : skips_) {
    out.sample("netprobe_probe_skipped_total", {{"probe", std::get<0>(key)}, {"transport", std::get<1>(key)}}, count);
  }

  out.family("netprobe_agent_config_last_reload_successful", MetricType::gauge,
             "Whether the last configuration load succeeded.");
  out.sample("netprobe_agent_config_last_reload_successful", {}, last_reload_successful_ ? 1.0 : 0.0);
  out.family("netprobe_agent_config_reloads_total", MetricType::counter, "Configuration loads by result.");
  out.sample("netprobe_agent_config_reloads_total", {{"result", "failure"}}, reloads_failed_);
  out.sample("netprobe_agent_config_reloads_total", {{"result", "success"}}, reloads_succeeded_);

  out.family("netprobe_agent_reports_total", MetricType::counter,
             "Reports sent to each controller address, by result: accepted, rejected (refused by the controller), "
             "failed (no answer).");
  for (const auto& [controller, counts] : reports_) {
    out.sample("netprobe_agent_reports_total", {{"controller", controller}, {"result", "accepted"}}, counts[0]);
    out.sample("netprobe_agent_reports_total", {{"controller", controller}, {"result", "failed"}}, counts[2]);
    out.sample("netprobe_agent_reports_total", {{"controller", controller}, {"result", "rejected"}}, counts[1]);
  }
}

}  // namespace netprobe
