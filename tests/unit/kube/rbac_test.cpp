// The controller's ClusterRole grants exactly what it uses: list and watch on
// kWatchedResources (never get: it reads no object by name), nothing more (a missing one is a 403 loop in a
// real cluster, an extra one a permission nobody uses).
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "kube/discovery_store.hpp"
#include "core/yaml_reader.hpp"

using namespace netprobe;
using namespace netprobe::kube;

namespace {

// "/apis/networking.k8s.io/v1/networkpolicies" → "networking.k8s.io/networkpolicies"; core is "".
std::string group_and_resource(const ResourceInfo& resource) {
  const std::string path(resource.path);
  if (path.starts_with("/api/v1/")) return "/" + std::string(resource.name);
  const std::string group = path.substr(6, path.find('/', 6) - 6);
  return group + "/" + std::string(resource.name);
}

}  // namespace

TEST_CASE("the ClusterRole of manifests/base grants list and watch on exactly the watched resources") {
  std::ifstream file(std::string(NETPROBE_TESTDATA) + "/../../../manifests/base/controller-rbac.yaml");
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  std::set<std::string> granted;
  for (const YAML::Node& document : load_yaml_documents(text.str(), "controller-rbac.yaml")) {
    if (document["kind"].as<std::string>() != "ClusterRole") continue;
    for (const YAML::Node& rule : document["rules"]) {
      CHECK(rule["verbs"].as<std::vector<std::string>>() == std::vector<std::string>{"list", "watch"});
      for (const YAML::Node& group : rule["apiGroups"]) {
        for (const YAML::Node& resource : rule["resources"]) {
          granted.insert(group.as<std::string>() + "/" + resource.as<std::string>());
        }
      }
    }
  }
  std::set<std::string> watched;
  for (const Resource resource : kWatchedResources) watched.insert(group_and_resource(info(resource)));
  CHECK(granted == watched);
}
