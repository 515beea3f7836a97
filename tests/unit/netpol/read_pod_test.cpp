// What a pod contributes to the model, called directly on parsed YAML.
#include "netpol/read_pod.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

// Fields keep a reference to their source's name, so it must outlive them.
const std::string kSource = "pod.yaml";

Field field_of(const std::string& yaml) { return Field(YAML::Load(yaml), "spec", kSource); }

Metadata owned_by(const std::string& kind, const std::string& owner, Labels labels = {}) {
  Metadata metadata;
  metadata.name = "pod-x";
  metadata.labels = std::move(labels);
  metadata.owners.emplace_back(kind, owner);
  return metadata;
}

}  // namespace

TEST_CASE("container ports of every container and init container") {
  const std::vector<ContainerPort> ports = read_pod_spec_ports(field_of(
      "containers:\n- {name: app, ports: [{containerPort: 8080, name: http}, {containerPort: 53, protocol: UDP}]}\n"
      "- {name: sidecar}\ninitContainers:\n- {name: init, ports: [{containerPort: 9000}]}\n"));
  REQUIRE(ports.size() == 3);
  CHECK(ports[0].port == 8080);
  CHECK(ports[0].name == "http");
  CHECK(ports[0].protocol == Protocol::tcp);
  CHECK(ports[1].protocol == Protocol::udp);
  CHECK(ports[2].port == 9000);
  CHECK_THROWS_AS(read_pod_spec_ports(field_of("containers: [{ports: [{containerPort: 0}]}]")), ConfigError);
  CHECK_THROWS_AS(read_pod_spec_ports(field_of("containers: [{ports: [{containerPort: 80, protocol: udp}]}]")), ConfigError);
}

TEST_CASE("the service account: serviceAccountName, the deprecated serviceAccount, else default") {
  CHECK(read_service_account(field_of("{serviceAccountName: shop}")) == "shop");
  CHECK(read_service_account(field_of("{serviceAccount: legacy}")) == "legacy");
  CHECK(read_service_account(field_of("{serviceAccountName: ''}")) == "default");
  CHECK(read_service_account(field_of("{}")) == "default");
}

TEST_CASE("the owning workload: a Deployment behind its ReplicaSet, else the owner, else the pod") {
  const Metadata from_deployment = owned_by("ReplicaSet", "web-5d8f9", {{"pod-template-hash", "5d8f9"}});
  CHECK(workload_of(from_deployment) == "web");
  CHECK(workload_kind_of(from_deployment) == "Deployment");
  const Metadata bare_replicaset = owned_by("ReplicaSet", "cache", {});
  CHECK(workload_of(bare_replicaset) == "cache");
  CHECK(workload_kind_of(bare_replicaset) == "ReplicaSet");
  CHECK(workload_of(owned_by("StatefulSet", "db")) == "db");
  CHECK(workload_kind_of(owned_by("StatefulSet", "db")) == "StatefulSet");
  Metadata bare;
  bare.name = "debug";
  CHECK(workload_of(bare) == "debug");
  CHECK(workload_kind_of(bare) == "Pod");
}

TEST_CASE("the pod IP, while it has one") {
  const Field with_ip = field_of("{status: {podIP: 127.0.0.5}}");
  MapReader with_ip_reader(with_ip);
  CHECK(read_pod_ip(with_ip_reader) == parse_ip("127.0.0.5"));
  const Field pending = field_of("{status: {phase: Pending}}");
  MapReader pending_reader(pending);
  CHECK_FALSE(read_pod_ip(pending_reader));
  const Field bad = field_of("{status: {podIP: 300.1.1.1}}");
  MapReader bad_reader(bad);
  CHECK_THROWS_AS(read_pod_ip(bad_reader), ConfigError);
}

TEST_CASE("the node and the host network of a pod spec") {
  CHECK(read_node_name(field_of("{nodeName: node-7}")) == "node-7");
  CHECK(read_node_name(field_of("{containers: []}")).empty());
  CHECK_THROWS_AS(read_node_name(field_of("{nodeName: 12}")), ConfigError);  // a string field
  CHECK(read_host_network(field_of("{hostNetwork: true}")));
  CHECK_FALSE(read_host_network(field_of("{hostNetwork: false}")));
  CHECK_FALSE(read_host_network(field_of("{containers: []}")));
  CHECK_THROWS_AS(read_host_network(field_of("{hostNetwork: yes please}")), ConfigError);
}
