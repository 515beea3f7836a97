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
}

void AgentMetrics::report_sent(const std::string& controller, ReportDelivery delivery) {
  const auto it = reports_.find(controller);
  if (it != reports_.end()) ++it->second[static_cast<std::size_t>(delivery)];
}

std::string AgentMetrics::render() const {
  std::string text;
  MetricsPieces pieces = render_pieces();
  while (pieces(text)) {
  }
  return text;
}

namespace {

// A piece ends after the series that took it past this size.
constexpr std::size_t kPieceSize = 32 << 10;

// Writes the series of `map` after the key `after` (from the first when
// none) until `text` reaches `limit` bytes. Returns true when the map is done;
// otherwise `after` is where the next piece resumes. Resuming by key, not
// by iterator, keeps a reload between two pieces harmless: series it added
// or removed are simply in or out of the rest of the text.
template <class Map, class Write>
bool write_from(const Map& map, std::optional<typename Map::key_type>& after, const std::string& text,
                std::size_t limit, Write write) {
  for (auto it = after ? map.upper_bound(*after) : map.begin(); it != map.end(); ++it) {
    write(it->first, it->second);
    if (text.size() >= limit) {
      after = it->first;
      return false;
    }
  }
  after.reset();
  return true;
}

}  // namespace

struct AgentMetrics::Cursor {
  enum class Family { info, success, outcome, duration, runs, skipped, rest, done };
  Family family = Family::info;
  bool family_begun = false;
  std::optional<CheckKey> after_check;
  std::optional<ProbeTransport> after_pair;
};

MetricsPieces AgentMetrics::render_pieces() const {
  return [this, cursor = std::make_shared<Cursor>()](std::string& text) { return write_piece(*cursor, text); };
}

bool AgentMetrics::write_piece(Cursor& cursor, std::string& text) const {
  using Family = Cursor::Family;
  exposition::Writer out(text);
  const std::size_t limit = text.size() + kPieceSize;
  while (cursor.family != Family::done && text.size() < limit) {
    const bool begin = !cursor.family_begun;
    cursor.family_begun = true;
    bool finished = true;
    switch (cursor.family) {
      case Family::info:
        out.family("netprobe_agent_info", MetricType::gauge, "Identity of this agent; always 1.");
        out.sample("netprobe_agent_info", {{"namespace", identity_.ns}, {"node", identity_.node}, {"version", version_}},
                   1.0);
        break;
      case Family::success:
        if (begin) {
          out.family("netprobe_probe_success", MetricType::gauge,
                     "Whether the latest run of the check succeeded against its expect (1) or not (0).");
        }
        finished = write_from(checks_, cursor.after_check, text, limit, [&](const CheckKey& key, const CheckSeries& series) {
          out.sample("netprobe_probe_success",
                     {{"expect", series.expect}, {"probe", key.probe}, {"target", key.target},
                      {"transport", key.transport}, {"type", series.type}},
                     series.success ? 1.0 : 0.0);
        });
        break;
      case Family::outcome:
        if (begin) {
          out.family("netprobe_probe_outcome", MetricType::gauge,
                     "1 for the outcome of the latest run of the check, 0 for every other outcome.");
        }
        finished = write_from(checks_, cursor.after_check, text, limit, [&](const CheckKey& key, const CheckSeries& series) {
          for (const auto& outcome : kOutcomes) {
            out.sample("netprobe_probe_outcome",
                       {{"outcome", outcome.name}, {"probe", key.probe}, {"target", key.target}, {"transport", key.transport}},
                       series.outcome == outcome.value ? 1.0 : 0.0);
          }
        });
        break;
      case Family::duration:
        if (begin) out.family("netprobe_probe_duration_seconds", MetricType::histogram, "How long probe runs took.");
        finished = write_from(pairs_, cursor.after_pair, text, limit, [&](const ProbeTransport& key, const PairSeries& pair) {
          if (!pair.ran()) return;
          out.histogram("netprobe_probe_duration_seconds", {{"probe", std::get<0>(key)}, {"transport", std::get<1>(key)}},
                        kDurationBuckets, pair.durations.counts, pair.durations.sum);
        });
        break;
      case Family::runs:
        if (begin) out.family("netprobe_probe_runs_total", MetricType::counter, "Probe runs by outcome.");
        finished = write_from(pairs_, cursor.after_pair, text, limit, [&](const ProbeTransport& key, const PairSeries& pair) {
          for (const auto& outcome : kOutcomes) {
            const std::uint64_t count = pair.runs[static_cast<std::size_t>(outcome.value)];
            if (count == 0) continue;  // no run had this outcome yet
            out.sample("netprobe_probe_runs_total",
                       {{"outcome", outcome.name}, {"probe", std::get<0>(key)}, {"transport", std::get<1>(key)}}, count);
          }
        });
        break;
      case Family::skipped:
        if (begin) {
          out.family("netprobe_probe_skipped_total", MetricType::counter,
                     "Runs skipped because the previous run of the check was still in flight.");
        }
        finished = write_from(skips_, cursor.after_pair, text, limit, [&](const ProbeTransport& key, std::uint64_t count) {
          out.sample("netprobe_probe_skipped_total", {{"probe", std::get<0>(key)}, {"transport", std::get<1>(key)}},
                     count);
        });
        break;
      case Family::rest:
        write_rest(out);
        break;
      case Family::done:
        break;
    }
    if (finished) {
      cursor.family = static_cast<Family>(static_cast<int>(cursor.family) + 1);
      cursor.family_begun = false;
    }
  }
  return cursor.family != Family::done;
}

// The agent's own series: a few, whatever the checks.
void AgentMetrics::write_rest(exposition::Writer& out) const {
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
