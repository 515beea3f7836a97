// Services as attribution resolves them: ClusterIPs, mapped ports, ready pods.
#include "kube/service_backends.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::kube;

TEST_CASE("a Service's ClusterIPs, ports and the pods of its ready endpoints, over every slice") {
  DiscoveryInput input;
  // Model data only: nothing connects to these.  # not-a-destination
  input.services.push_back(ServiceRecord{"shop", "web", {}, {"10.96.0.20", "fd00::20"},  // # not-a-destination
                                         {{"http", 80, "TCP", "http"}, {"dns", 53, "UDP", ""}, {"odd", 9, "QUIC", ""}}, {}, {}});
  input.services.push_back(ServiceRecord{"kube-system", "kube-dns", {}, {}, {}, {}, {}});  // headless, no ports
  input.slices.push_back(EndpointSliceRecord{"shop", "web-a", "web",
                                             {SliceEndpoint{{"10.0.0.1"}, true, false, "web-1"},  // # not-a-destination
                                              SliceEndpoint{{"10.0.0.2"}, false, false, "web-2"},   // not ready  # not-a-destination
                                              SliceEndpoint{{"10.0.0.3"}, true, true, "web-3"},     // terminating  # not-a-destination
                                              SliceEndpoint{{"10.0.0.4"}, true, false, ""}}});      // no pod  # not-a-destination
  input.slices.push_back(EndpointSliceRecord{"shop", "web-b", "web", {SliceEndpoint{{"10.0.0.5"}, true, false, "web-0"}}});  // # not-a-destination
  input.slices.push_back(EndpointSliceRecord{"shop", "orphan", "", {SliceEndpoint{{"10.0.0.6"}, true, false, "x"}}});  // # not-a-destination
  input.slices.push_back(EndpointSliceRecord{"other", "web-c", "web", {SliceEndpoint{{"10.0.0.7"}, true, false, "y"}}});  // # not-a-destination

  const std::vector<netpol::ServiceBackends> got = service_backends(input);
  REQUIRE(got.size() == 2);
  CHECK(got[0].id() == "kube-system/kube-dns");  // sorted
  CHECK(got[0].cluster_ips.empty());
  CHECK(got[0].pods.empty());
  const netpol::ServiceBackends& web = got[1];
  CHECK(web.cluster_ips == std::vector<IpAddress>{*parse_ip("10.96.0.20"), *parse_ip("fd00::20")});  // # not-a-destination
  REQUIRE(web.ports.size() == 2);  // an unknown protocol is left out
  CHECK(web.ports[0] == netpol::ServiceBackends::Port{80, netpol::Protocol::tcp, "http"});
  CHECK(web.ports[1] == netpol::ServiceBackends::Port{53, netpol::Protocol::udp, ""});
  CHECK(web.pods == std::vector<std::string>{"web-0", "web-1"});
}
