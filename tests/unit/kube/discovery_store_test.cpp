// kube/discovery_store.hpp: records kept by key, handed to discovery shared (not
// copied), versions bumped by real changes only, and the tee that feeds pods to
// both stores.
#include "kube/discovery_store.hpp"

#include <doctest/doctest.h>

using namespace netprobe::kube;
using nlohmann::json;

namespace {

json pod(const std::string& name, const std::string& ip) {
  return json{{"metadata", {{"namespace", "shop"}, {"name", name}}},
              {"status", {{"phase", "Running"}, {"podIP", ip}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

}  // namespace

TEST_CASE("pods are shared with discovery's input, and a change replaces only its own record") {
  DiscoveryStore store;
  ObjectSink& pods = store.sink(Resource::pods);
  REQUIRE_FALSE(pods.upsert(ObjectKey{"shop", "a"}, pod("a", "127.0.0.21")));
  REQUIRE_FALSE(pods.upsert(ObjectKey{"shop", "b"}, pod("b", "127.0.0.22")));
  const DiscoveryInput first = store.input();
  REQUIRE(first.pods.size() == 2);

  REQUIRE_FALSE(pods.upsert(ObjectKey{"shop", "b"}, pod("b", "127.0.0.23")));
  const DiscoveryInput second = store.input();
  CHECK(second.pods[0] == first.pods[0]);  // the same record, not a copy
  CHECK(first.pods[1]->ip == "127.0.0.22");  // the earlier input still sees what it saw
  CHECK(second.pods[1]->ip == "127.0.0.23");
}

TEST_CASE("versions move on changes only; an unreadable object is refused with its name") {
  DiscoveryStore store;
  ObjectSink& nodes = store.sink(Resource::nodes);
  const auto start = store.version();
  nodes.remove(ObjectKey{"", "never-there"});
  CHECK(store.version() == start);
  REQUIRE_FALSE(nodes.upsert(ObjectKey{"", "node-a"}, json{{"metadata", {{"name", "node-a"}}}}));
  CHECK(store.version() > start);
  CHECK(store.nodes().size() == 1);
  const auto refused = store.sink(Resource::services).upsert(ObjectKey{"shop", "web"}, json{{"metadata", 7}});
  REQUIRE(refused);
  CHECK(refused->starts_with("services/shop/web: "));
  CHECK_THROWS_AS(store.sink(Resource::networkpolicies), std::invalid_argument);
}

TEST_CASE("the tee gives an object to both stores; refused by either is refused") {
  DiscoveryStore first;
  DiscoveryStore second;
  TeeSink tee(first.sink(Resource::pods), second.sink(Resource::pods));
  REQUIRE_FALSE(tee.upsert(ObjectKey{"shop", "a"}, pod("a", "127.0.0.24")));
  CHECK(first.input().pods.size() == 1);
  CHECK(second.input().pods.size() == 1);
  tee.remove(ObjectKey{"shop", "a"});
  CHECK(first.input().pods.empty());
  CHECK(second.input().pods.empty());
}
