#pragma once
// Random clusters for the tests that hold the partitioned analysis equal to the
// whole-cluster one (partitioned_test, incremental_test): few namespaces, labels
// and ports, so selectors often match, often typo, and every check fires.
#include <random>
#include <string>

#include "netpol/partitioned.hpp"

namespace netprobe::netpol::testing {

inline Pod pod_named(const std::string& ns, const std::string& name, Labels labels = {}) {
  Pod pod;
  pod.ns = ns;
  pod.name = pod.workload = name;
  pod.labels = std::move(labels);
  return pod;
}

// Selects `selector`'s pods for both directions and admits nothing.
inline NetworkPolicy deny_all(const std::string& ns, const std::string& name, LabelSelector selector = {}) {
  NetworkPolicy policy;
  policy.ns = ns;
  policy.name = name;
  policy.pod_selector = std::move(selector);
  policy.affects_ingress = policy.affects_egress = true;
  return policy;
}

class RandomCluster {
 public:
  explicit RandomCluster(unsigned seed) : random_(seed) {}

  std::string pick(std::initializer_list<const char*> choices) {
    return *(choices.begin() + std::uniform_int_distribution<std::size_t>(0, choices.size() - 1)(random_));
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }

  std::string some_namespace() { return pick({"kube-system", "monitoring", "payments", "shop", "dev", "ci"}); }

  LabelSelector selector(const char* key, std::initializer_list<const char*> values) {
    LabelSelector selector;
    if (chance(0.2)) return selector;  // {}: everything
    if (chance(0.7)) selector.match_labels[key] = pick(values);
    else selector.match_expressions.push_back({key, LabelRequirement::Operator::in, {pick(values), pick(values)}});
    return selector;
  }

  Namespace a_namespace(const std::string& name) {
    Namespace ns{name, {}, {}};
    if (chance(0.7)) ns.labels["team"] = pick({"core", "web", "data"});
    return ns;
  }

  Pod pod(const std::string& ns, int index) {
    Pod pod;
    pod.ns = ns;
    pod.name = "pod-" + std::to_string(index);
    pod.workload = pod.name;
    pod.workload_kind = "Pod";
    if (ns == "kube-system" && chance(0.5)) pod.labels["k8s-app"] = "kube-dns";
    else pod.labels["app"] = pick({"payment", "web", "db", "prometheus"});
    pod.ip = IpAddress{};
    (*pod.ip)[10] = (*pod.ip)[11] = 0xff;  // IPv4-mapped 10.9.x.y, data only
    (*pod.ip)[12] = 10, (*pod.ip)[13] = 9, (*pod.ip)[14] = static_cast<std::uint8_t>(index / 250),
    (*pod.ip)[15] = static_cast<std::uint8_t>(index % 250);
    if (chance(0.05)) pod.ip = parse_ip("169.254.169.254");  // # not-a-destination: holds the checked address
    if (chance(0.5)) pod.ports.push_back({"metrics", 9090, Protocol::tcp});
    if (chance(0.5)) pod.ports.push_back({"http", 8080, Protocol::tcp});
    if (pod.labels.count("k8s-app")) pod.ports = {{"dns", 53, Protocol::udp}, {"dns-tcp", 53, Protocol::tcp}};
    if (chance(0.2)) pod.annotations = {{"prometheus.io/scrape", "true"}, {"prometheus.io/port", "8080"}};
    pod.service_account = chance(0.5) ? "default" : "cloud";
    if (chance(0.5)) {  // a Deployment's pod
      pod.workload = pick({"web", "db", "batch"});
      pod.workload_kind = "Deployment";
    }
    return pod;
  }

  // A Deployment as the pod its template makes (no IP).
  Pod workload(const std::string& ns) {
    Pod pod = this->pod(ns, 0);
    pod.name = pod.workload = pick({"web", "db", "batch", "idle"});
    pod.workload_kind = "Deployment";
    pod.ip.reset();
    return pod;
  }

  PolicyPeer peer() {
    PolicyPeer peer;
    if (chance(0.15)) {
      peer.ip_block = IpBlock{*parse_cidr("0.0.0.0/0"), {}};
      if (chance(0.5)) peer.ip_block->except.push_back(*parse_cidr("169.254.169.254/32"));  // # not-a-destination
      return peer;
    }
    if (chance(0.6)) peer.namespace_selector = chance(0.5) ? selector("team", {"core", "web", "data", "dtaa"})
                                                           : selector("kubernetes.io/metadata.name",
                                                                      {"kube-system", "monitoring", "shop", "ci"});
    if (!peer.namespace_selector || chance(0.5)) peer.pod_selector = selector("app", {"payment", "web", "paymnet", "prometheus"});
    return peer;
  }

  PolicyRule rule() {
    PolicyRule rule;
    const int peers = std::uniform_int_distribution<int>(0, 2)(random_);
    for (int i = 0; i < peers; ++i) rule.peers.push_back(peer());
    if (chance(0.6)) rule.ports.push_back({chance(0.5) ? Protocol::udp : Protocol::tcp, chance(0.5) ? 53 : 8080, "", {}});
    return rule;
  }

  NetworkPolicy policy(const std::string& ns, int index) {
    NetworkPolicy policy;
    policy.ns = ns;
    policy.name = "policy-" + std::to_string(index);
    policy.pod_selector = selector("app", {"payment", "web", "db", "paymnet"});
    policy.affects_ingress = chance(0.7);
    policy.affects_egress = !policy.affects_ingress || chance(0.5);
    if (policy.affects_ingress) {
      for (int i = std::uniform_int_distribution<int>(0, 2)(random_); i > 0; --i) policy.ingress.push_back(rule());
    }
    if (policy.affects_egress) {
      for (int i = std::uniform_int_distribution<int>(0, 2)(random_); i > 0; --i) policy.egress.push_back(rule());
    }
    return policy;
  }

  ServiceAccount account(const std::string& ns) {
    ServiceAccount account{ns, "cloud", {}, {}};
    if (chance(0.7)) account.annotations["eks.amazonaws.com/role-arn"] = "arn:aws:iam::1:role/x";
    return account;
  }

  NamespaceObjects& objects(PartitionedCluster& cluster, const std::string& ns) {
    auto& slot = cluster.objects[ns];
    auto copy = std::make_shared<NamespaceObjects>(slot ? *slot : NamespaceObjects{});
    slot = copy;
    return *copy;
  }

  // One change of the kinds a live cluster sees, in a copy-on-write way: the
  // namespace changed gets new objects, the others stay shared.
  void change(PartitionedCluster& cluster, int serial) {
    const std::string ns = some_namespace();
    switch (std::uniform_int_distribution<int>(0, 8)(random_)) {
      case 7: {
        Pod added = workload(ns);
        objects(cluster, ns).workloads[workload_key(added.workload_kind, added.workload)] = added;
        break;
      }
      case 8: {
        NamespaceObjects& objects = this->objects(cluster, ns);
        if (!objects.workloads.empty()) objects.workloads.erase(objects.workloads.begin());
        break;
      }
      case 0: cluster.namespaces[ns] = a_namespace(ns); break;
      case 1: cluster.namespaces.erase(ns); break;
      case 2: {  // a pod added, or one of the same name changed
        Pod added = pod(ns, serial % 40);
        objects(cluster, ns).pods[added.name] = added;
        break;
      }
      case 3: {
        NamespaceObjects& objects = this->objects(cluster, ns);
        if (!objects.pods.empty()) objects.pods.erase(objects.pods.begin());
        break;
      }
      case 4: {
        NetworkPolicy added = policy(ns, serial % 12);
        objects(cluster, ns).policies[added.name] = added;
        break;
      }
      case 5: {
        NamespaceObjects& objects = this->objects(cluster, ns);
        if (!objects.policies.empty()) objects.policies.erase(objects.policies.begin());
        break;
      }
      default: objects(cluster, ns).service_accounts["cloud"] = account(ns); break;
    }
    if (const auto found = cluster.objects.find(ns); found != cluster.objects.end() && found->second->empty()) {
      cluster.objects.erase(found);
    }
  }

  PartitionedCluster cluster(int pods, int policies) {
    PartitionedCluster cluster;
    for (const char* ns : {"kube-system", "monitoring", "payments", "shop", "dev"}) {
      if (chance(0.8)) cluster.namespaces[ns] = a_namespace(ns);
    }
    for (int i = 0; i < pods; ++i) {
      const std::string ns = some_namespace();
      objects(cluster, ns).pods["pod-" + std::to_string(i)] = pod(ns, i);
    }
    for (int i = 0; i < policies; ++i) {
      const std::string ns = some_namespace();
      objects(cluster, ns).policies["policy-" + std::to_string(i)] = policy(ns, i);
    }
    for (const char* ns : {"payments", "shop"}) objects(cluster, ns).service_accounts["cloud"] = account(ns);
    for (int i = 0; i < 6; ++i) {
      const std::string ns = some_namespace();
      Pod added = workload(ns);
      objects(cluster, ns).workloads[workload_key(added.workload_kind, added.workload)] = added;
    }
    return cluster;
  }

 private:
  std::mt19937 random_;
};

}  // namespace netprobe::netpol::testing
