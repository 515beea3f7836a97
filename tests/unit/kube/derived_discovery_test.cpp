// Derived expect-deny probes as discovery hands them out: the probe agents run,
// who runs it, why, and what is never asked of them.
#include "kube/derived_discovery.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::kube;

namespace {

// Model data: the probes are built, never run.  # not-a-destination
netpol::DerivedDenyProbe derived(const std::string& pod, const char* ip, std::uint16_t port) {
  return netpol::DerivedDenyProbe{"payments", pod, *parse_ip(ip), port, "payments/payment-ingress", true,
                                  "payments/payment-ingress is meant to isolate payments/" + pod, "… reaches it now"};
}

DiscoveredProbe scrape_of(const std::string& ip, std::uint16_t port, bool http) {
  ProbeSpec spec;
  spec.name = "scrape";
  if (http) {
    HttpSpec get;
    get.url = "http://" + ip + ":" + std::to_string(port) + "/metrics";
    spec.params = std::move(get);
  } else {
    spec.params = TcpSpec{Endpoint{ip, port}};
  }
  return DiscoveredProbe{std::make_shared<const ProbeSpec>(spec), "Pod payments/x", false, "payments/x", ""};
}

}  // namespace

TEST_CASE("each derived probe: a TCP connect expected to be denied, at the derived interval, from a few agents") {
  DiscoverySettings settings;
  settings.derived_interval = std::chrono::seconds{45};
  settings.timeout = std::chrono::seconds{1};
  const auto got = derived_deny_discovery({derived("payment-0", "127.0.2.30", 8080)}, settings);
  REQUIRE(got.size() == 1);
  const ProbeSpec& spec = *got[0].spec;
  CHECK(spec.name == "derived-deny");
  CHECK(spec.expect == Expect::deny);
  CHECK(spec.interval == std::chrono::seconds{45});
  CHECK(spec.timeout == std::chrono::seconds{1});
  CHECK(std::get<TcpSpec>(spec.params).target.to_string() == "127.0.2.30:8080");
  CHECK_FALSE(got[0].every_agent);
  CHECK(got[0].source == "NetworkPolicy payments/payment-ingress");
  CHECK(got[0].reason == "payments/payment-ingress is meant to isolate payments/payment-0");
  CHECK(got[0].target_key == "deny payments/payment-0:8080");  // not a scrape target's key: assigned on its own

  const auto v6 = derived_deny_discovery({derived("payment-1", "::1", 8080)}, settings);
  REQUIRE(v6.size() == 1);
  CHECK(std::get<TcpSpec>(v6[0].spec->params).target.to_string() == "[::1]:8080");
  CHECK(derived_target(derived("payment-1", "::1", 8080)) == "[::1]:8080");  // as the results name it
}

TEST_CASE("never a path a scrape probe expects open, by TCP or by GET; nothing when turned off") {
  const std::vector<netpol::DerivedDenyProbe> both{derived("payment-0", "127.0.2.30", 8080),
                                                   derived("payment-1", "127.0.2.31", 9090)};
  CHECK(not_expected_open(both, {scrape_of("127.0.2.30", 8080, false)}).size() == 1);
  CHECK(not_expected_open(both, {scrape_of("127.0.2.31", 9090, true)}).front().pod == "payment-0");
  CHECK(not_expected_open(both, {scrape_of("127.0.2.30", 9090, false)}).size() == 2);  // another port
  CHECK(derived_deny_discovery(both, DiscoverySettings{.derived_deny = false}).empty());
}
