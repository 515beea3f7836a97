#include "agent/metrics.hpp"

#include <doctest/doctest.h>

#include <set>
#include <sstream>

using namespace netprobe;

namespace {

std::shared_ptr<const ProbeSpec> tcp_probe(const std::string& name, Expect expect = Expect::allow) {
  return std::make_shared<const ProbeSpec>(ProbeSpec{name, expect, Millis{10'000}, Millis{2'000}, TcpSpec{{"127.0.0.1", 80}}});
}

int count_lines(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(needle, 0) == 0) ++count;
  }
  return count;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// A result of the check tcp_probe("api") makes.
ProbeResult api_result(Outcome outcome, double seconds) {
  ProbeResult result;
  result.probe = "api";
  result.target = "127.0.0.1:80";
  result.transport = "tcp";
  result.outcome = outcome;
  result.success = outcome == Outcome::ok;
  result.duration_seconds = seconds;
  return result;
}

}  // namespace

TEST_CASE("every outcome series exists before the first run") {
  AgentMetrics metrics(Identity{"node-a", "monitoring"}, "1.2.3");
  metrics.set_checks(expand_checks(tcp_probe("api"), {}));
  const std::string text = metrics.render();
  CHECK(count_lines(text, "netprobe_probe_outcome{") == 14);
  CHECK(has_line(text, R"(netprobe_probe_outcome{outcome="timeout",probe="api",target="127.0.0.1:80",transport="tcp"} 0)"));
  CHECK(has_line(text, R"(netprobe_agent_info{namespace="monitoring",node="node-a",version="1.2.3"} 1)"));
  // A histogram and run counters appear with the first run, not before.
  CHECK(count_lines(text, "netprobe_probe_duration_seconds_") == 0);
  CHECK(count_lines(text, "netprobe_probe_runs_total{") == 0);
}

TEST_CASE("a result sets success, one outcome, duration and the run counter") {
  AgentMetrics metrics(Identity{"node-a", "monitoring"}, "1.2.3");
  metrics.set_checks(expand_checks(tcp_probe("api"), {}));
  metrics.record(api_result(Outcome::refused, 0.002));
  const std::string text = metrics.render();
  CHECK(has_line(text, R"(netprobe_probe_success{expect="allow",probe="api",target="127.0.0.1:80",transport="tcp",type="tcp"} 0)"));
  CHECK(has_line(text, R"(netprobe_probe_outcome{outcome="refused",probe="api",target="127.0.0.1:80",transport="tcp"} 1)"));
  CHECK(has_line(text, R"(netprobe_probe_outcome{outcome="ok",probe="api",target="127.0.0.1:80",transport="tcp"} 0)"));
  CHECK(has_line(text, R"(netprobe_probe_runs_total{outcome="refused",probe="api",transport="tcp"} 1)"));
  CHECK(has_line(text, R"(netprobe_probe_duration_seconds_count{probe="api",transport="tcp"} 1)"));
}

TEST_CASE("a reload removes the series of probes that are gone and relabels changed ones") {
  AgentMetrics metrics(Identity{"node-a", "monitoring"}, "1.2.3");
  std::vector<Check> first = expand_checks(tcp_probe("api"), {});
  auto other = expand_checks(tcp_probe("gone"), {});
  first.insert(first.end(), other.begin(), other.end());
  metrics.set_checks(first);
  CHECK(count_lines(metrics.render(), "netprobe_probe_outcome{") == 28);

  metrics.set_checks(expand_checks(tcp_probe("api", Expect::deny), {}));
  const std::string text = metrics.render();
  CHECK(count_lines(text, "netprobe_probe_outcome{") == 14);
  CHECK(text.find("probe=\"gone\"") == std::string::npos);
  CHECK(has_line(text, R"(netprobe_probe_success{expect="deny",probe="api",target="127.0.0.1:80",transport="tcp",type="tcp"} 0)"));
  CHECK(text.find(R"(expect="allow",probe="api")") == std::string::npos);
}

TEST_CASE("results of checks that are no longer configured are ignored") {
  AgentMetrics metrics(Identity{"n", "ns"}, "v");
  ProbeResult stray;
  stray.probe = "removed";
  metrics.record(stray);
  CHECK(metrics.render().find("removed") == std::string::npos);
}

TEST_CASE("durations land in the bucket whose bound is the first at or above them") {
  AgentMetrics metrics(Identity{"n", "ns"}, "v");
  metrics.set_checks(expand_checks(tcp_probe("api"), {}));
  for (double seconds : {0.0002, 0.001, 0.003, 0.7, 30.0}) metrics.record(api_result(Outcome::ok, seconds));
  const std::string text = metrics.render();
  const auto bucket = [&](const std::string& le, int count) {
    return has_line(text, R"(netprobe_probe_duration_seconds_bucket{probe="api",transport="tcp",le=")" + le + "\"} " +
                              std::to_string(count));
  };
  CHECK(bucket("0.001", 2));
  CHECK(bucket("0.005", 3));
  CHECK(bucket("0.5", 3));
  CHECK(bucket("1", 4));
  CHECK(bucket("10", 4));
  CHECK(bucket("+Inf", 5));
  CHECK(count_lines(text, "netprobe_probe_duration_seconds_bucket{") == 11);
  CHECK(has_line(text, R"(netprobe_probe_duration_seconds_count{probe="api",transport="tcp"} 5)"));
  CHECK(has_line(text, R"(netprobe_probe_duration_seconds_sum{probe="api",transport="tcp"} 30.7042)"));
  CHECK(has_line(text, R"(netprobe_probe_success{expect="allow",probe="api",target="127.0.0.1:80",transport="tcp",type="tcp"} 1)"));
  CHECK(has_line(text, R"(netprobe_probe_runs_total{outcome="ok",probe="api",transport="tcp"} 5)"));
}

TEST_CASE("skipped runs and configuration loads are counted") {
  AgentMetrics metrics(Identity{"n", "ns"}, "v");
  const auto checks = expand_checks(tcp_probe("api"), {});
  metrics.set_checks(checks);
  std::string text = metrics.render();
  CHECK(has_line(text, R"(netprobe_agent_config_reloads_total{result="failure"} 0)"));
  CHECK(has_line(text, R"(netprobe_agent_config_reloads_total{result="success"} 0)"));
  CHECK(count_lines(text, "netprobe_probe_skipped_total{") == 0);

  metrics.skipped(checks.front());
  metrics.skipped(checks.front());
  metrics.config_reloaded(true);
  metrics.config_reloaded(false);
  text = metrics.render();
  CHECK(has_line(text, R"(netprobe_probe_skipped_total{probe="api",transport="tcp"} 2)"));
  CHECK(has_line(text, R"(netprobe_agent_config_reloads_total{result="failure"} 1)"));
  CHECK(has_line(text, R"(netprobe_agent_config_reloads_total{result="success"} 1)"));
  CHECK(has_line(text, "netprobe_agent_config_last_reload_successful 0"));

  metrics.set_checks(expand_checks(tcp_probe("other"), {}));  // "api" is gone, with its counters
  CHECK(metrics.render().find(R"(probe="api")") == std::string::npos);
}

TEST_CASE("every family has help and a type, once") {
  AgentMetrics metrics(Identity{"n", "ns"}, "v");
  metrics.set_checks(expand_checks(tcp_probe("api"), {}));
  const std::string text = metrics.render();
  for (const char* family : {"netprobe_agent_info", "netprobe_probe_success", "netprobe_probe_outcome",
                             "netprobe_probe_duration_seconds", "netprobe_probe_runs_total",
                             "netprobe_probe_skipped_total", "netprobe_agent_config_last_reload_successful",
                             "netprobe_agent_config_reloads_total"}) {
    CAPTURE(family);
    CHECK(count_lines(text, std::string("# HELP ") + family + " ") == 1);
    CHECK(count_lines(text, std::string("# TYPE ") + family + " ") == 1);
  }
}

namespace {

// Enough checks, each with a run, for a text of several pieces.
AgentMetrics metrics_of(int probes, const std::string& prefix) {
  AgentMetrics metrics(Identity{"node-a", "monitoring"}, "1.2.3");
  std::vector<Check> checks;
  for (int i = 0; i < probes; ++i) {
    for (Check& check : expand_checks(tcp_probe(prefix + std::to_string(i)), {})) checks.push_back(std::move(check));
  }
  metrics.set_checks(checks);
  for (int i = 0; i < probes; ++i) {
    ProbeResult result = api_result(Outcome::ok, 0.001);
    result.probe = prefix + std::to_string(i);
    metrics.record(result);
  }
  return metrics;
}

}  // namespace

TEST_CASE("the text in pieces is the whole text, a bounded piece at a time") {
  const AgentMetrics metrics = metrics_of(200, "p");
  const std::string whole = metrics.render();
  MetricsPieces pieces = metrics.render_pieces();
  std::string joined;
  int count = 0;
  for (bool more = true; more; ++count) {
    std::string piece;
    more = pieces(piece);
    CHECK(piece.size() < 40 * 1024);  // 32 KiB, and the series that crossed it
    joined += piece;
  }
  CHECK(count > 3);
  CHECK(joined == whole);
}

TEST_CASE("a reload between two pieces leaves a well-formed text") {
  AgentMetrics metrics = metrics_of(200, "p");
  MetricsPieces pieces = metrics.render_pieces();
  std::string text;
  REQUIRE(pieces(text));
  // Half the checks go, others come: the rest of the text resumes by key.
  std::vector<Check> checks;
  for (int i = 100; i < 300; ++i) {
    for (Check& check : expand_checks(tcp_probe("p" + std::to_string(i)), {})) checks.push_back(std::move(check));
  }
  metrics.set_checks(checks);
  while (pieces(text)) {
  }
  CHECK(count_lines(text, "# TYPE ") == 9);  // every family once
  std::istringstream lines(text);
  std::set<std::string> seen;
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    CHECK(seen.insert(line).second);  // no series twice
  }
  // The first piece ended in the outcome family: the families after it show the checks after the reload.
  CHECK(has_line(text, R"(netprobe_probe_outcome{outcome="ok",probe="p299",target="127.0.0.1:80",transport="tcp"} 0)"));
  CHECK(has_line(text, R"(netprobe_probe_duration_seconds_count{probe="p150",transport="tcp"} 1)"));
  CHECK(count_lines(text, R"(netprobe_probe_duration_seconds_count{probe="p0",)") == 0);
}
