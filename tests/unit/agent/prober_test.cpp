// agent/probers/prober: the dispatch from probe type to prober, and what
// run_check stamps on every result whichever prober ran (the probers
// themselves are tested against real servers in tests/integration).
#include "agent/probers/prober.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "agent/probers/run_checks.hpp"
#include "core/probe_config.hpp"

using namespace netprobe;

namespace {

// A loopback port nothing listens on: bound, read, closed.
int closed_loopback_port() {
  const int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(socket_fd);
  return ntohs(address.sin_port);
}

ProbeResult run_once(const std::string& spec_yaml, const Identity& identity) {
  auto spec = std::make_shared<const ProbeSpec>(parse_probe_document(spec_yaml, "test", ProbeDefaults{}));
  ProbeEnv env;
  std::vector<ProbeResult> results = run_checks_blocking(expand_checks(spec, {}), env, identity);
  REQUIRE(results.size() == 1);
  return results.front();
}

}  // namespace

TEST_CASE("every probe type has a prober of its own") {
  std::set<Prober> probers;
  for (const auto& entry : kProbeTypes) probers.insert(prober_for(entry.value));
  CHECK(probers.size() == kProbeTypes.size());
  CHECK((prober_for(ProbeType::tcp) == &probe_tcp));
  CHECK((prober_for(ProbeType::dns) == &probe_dns));
}

TEST_CASE("run_check stamps the check, who ran it and when, and measures it") {
  const std::string target = "127.0.0.1:" + std::to_string(closed_loopback_port());
  const auto before = std::chrono::system_clock::now();
  const ProbeResult result = run_once("{name: api, type: tcp, target: '" + target + "'}", Identity{"node-7", "netprobe"});
  CHECK(result.probe == "api");
  CHECK(result.type == ProbeType::tcp);
  CHECK(result.target == target);
  CHECK(result.transport == "tcp");
  CHECK(result.node == "node-7");
  CHECK(result.ns == "netprobe");
  CHECK(result.time >= before);
  CHECK(result.duration_seconds >= 0);
  CHECK(result.duration_seconds < 5);
  CHECK(result.outcome == Outcome::refused);
  CHECK_FALSE(result.success);
}

TEST_CASE("run_check applies the probe's expectation to the outcome") {
  const std::string target = "127.0.0.1:" + std::to_string(closed_loopback_port());
  const ProbeResult denied = run_once("{type: tcp, expect: deny, target: '" + target + "'}", Identity{});
  CHECK(denied.expect == Expect::deny);
  CHECK(denied.outcome == Outcome::refused);
  CHECK(denied.success);  // expected to be blocked, and it was
}
