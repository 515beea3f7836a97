#include "agent/metrics.hpp"

#include <doctest/doctest.h>

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

}  // namespace

TEST_CASE("every outcome series exists before the first run") {
  AgentMetrics metrics(Identity{"node-a", "monitoring"}, "1.2.3");
  metrics.set_checks(expand_checks(tcp_probe("api"), {}));
  const std::string text = metrics.render();
  CHECK(count_lines(text, "netprobe_probe_outcome{") == 14);
  CHECK(has_line(text, R"(netprobe_probe_outcome{outcome="timeout",probe="api",target="127.0.0.1:80",transport="tcp"} 0)"));
  CHECK(has_line(text, R"(netprobe_agent_info{namespace="monitoring",node="node-a",version="1.2.3"} 1)"));
}

TEST_CASE("a result sets success, one outcome, duration and the run counter") {
  AgentMetrics metrics(Identity{"node-a", "monitoring"}, "1.2.3");
  metrics.set_checks(expand_checks(tcp_probe("api"), {}));
  ProbeResult result;
  result.probe = "api";
  result.target = "127.0.0.1:80";
  result.transport = "tcp";
  result.outcome = Outcome::refused;
  result.duration_seconds = 0.002;
  metrics.record(result);
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
