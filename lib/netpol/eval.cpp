#include "eval.hpp"

#include <algorithm>
#include <stdexcept>

namespace netprobe::netpol {

struct PolicyEvaluator::Party {
  const Pod* pod = nullptr;  // null for an address outside the cluster's pods
  std::optional<IpAddress> ip;
};

namespace {

std::string key_of(std::string_view ns, std::string_view name) {
  std::string key(ns);
  key += '/';
  key += name;
  return key;
}

}  // namespace

PolicyEvaluator::PolicyEvaluator(const Cluster& cluster)
    : cluster_(cluster),
      selected_pods_(cluster.policies.size()),
      ingress_policies_(cluster.pods.size()),
      egress_policies_(cluster.pods.size()) {
  for (const Namespace& ns : cluster.namespaces) {
    Labels labels = ns.labels;
    labels[std::string(kNamespaceNameLabel)] = ns.name;
    namespace_labels_[ns.name] = std::move(labels);
  }
  // Pods and policies may name namespaces the manifests never declare; those
  // exist in the cluster too, with only the automatic name label.
  const auto imply = [&](const std::string& ns) {
    namespace_labels_.try_emplace(ns, Labels{{std::string(kNamespaceNameLabel), ns}});
  };

  std::unordered_map<std::string, std::vector<std::size_t>> pods_by_namespace;
  for (std::size_t i = 0; i < cluster.pods.size(); ++i) {
    const Pod& pod = cluster.pods[i];
    imply(pod.ns);
    pods_by_namespace[pod.ns].push_back(i);
    pods_by_name_[key_of(pod.ns, pod.name)] = i;
    if (pod.ip) pods_by_ip_.emplace_back(*pod.ip, i);
  }
  // Workload names second, so a pod's own name wins over another pod's workload.
  for (std::size_t i = 0; i < cluster.pods.size(); ++i) {
    const Pod& pod = cluster.pods[i];
    if (!pod.workload.empty()) pods_by_name_.try_emplace(key_of(pod.ns, pod.workload), i);
  }
  std::sort(pods_by_ip_.begin(), pods_by_ip_.end());

  // The one quadratic step, bounded by policies × pods of the same namespace.
  for (std::size_t p = 0; p < cluster.policies.size(); ++p) {
    const NetworkPolicy& policy = cluster.policies[p];
    imply(policy.ns);
    const auto in_namespace = pods_by_namespace.find(policy.ns);
    if (in_namespace == pods_by_namespace.end()) continue;
    for (const std::size_t pod : in_namespace->second) {
      if (!policy.pod_selector.matches(cluster.pods[pod].labels)) continue;
      selected_pods_[p].push_back(pod);
      if (policy.affects_ingress) ingress_policies_[pod].push_back(p);
      if (policy.affects_egress) egress_policies_[pod].push_back(p);
    }
  }
}

const std::vector<std::size_t>& PolicyEvaluator::policies_selecting(std::size_t pod, Direction direction) const {
  return direction == Direction::ingress ? ingress_policies_.at(pod) : egress_policies_.at(pod);
}

const std::vector<std::size_t>& PolicyEvaluator::pods_selected_by(std::size_t policy) const {
  return selected_pods_.at(policy);
}

const Labels& PolicyEvaluator::namespace_labels(const std::string& ns) const {
  static const Labels kNone;
  const auto found = namespace_labels_.find(ns);
  return found == namespace_labels_.end() ? kNone : found->second;
}

std::optional<std::size_t> PolicyEvaluator::find_pod(std::string_view ns, std::string_view name) const {
  const auto found = pods_by_name_.find(key_of(ns, name));
  if (found == pods_by_name_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::size_t> PolicyEvaluator::pod_with_ip(const IpAddress& ip) const {
  const auto found = std::lower_bound(pods_by_ip_.begin(), pods_by_ip_.end(), ip,
                                      [](const auto& entry, const IpAddress& wanted) { return entry.first < wanted; });
  if (found == pods_by_ip_.end() || found->first != ip) return std::nullopt;
  return found->second;
}

PolicyEvaluator::Party PolicyEvaluator::resolve(const ConnectionEnd& endpoint) const {
  Party party;
  if (endpoint.pod) {
    if (*endpoint.pod >= cluster_.pods.size()) throw std::out_of_range("no pod with index " + std::to_string(*endpoint.pod));
    party.pod = &cluster_.pods[*endpoint.pod];
    party.ip = party.pod->ip;
  } else if (endpoint.ip) {
    // A pod's IP is that pod: its policies and labels apply.
    party.ip = endpoint.ip;
    if (const auto pod = pod_with_ip(*endpoint.ip)) party.pod = &cluster_.pods[*pod];
  }
  return party;
}

ConnectionVerdict PolicyEvaluator::may_connect(const ConnectionEnd& source, const ConnectionEnd& destination, std::uint16_t port,
                                               Protocol protocol) const {
  const Party from = resolve(source);
  const Party to = resolve(destination);
  ConnectionVerdict verdict;
  verdict.egress = decide(from, to, to, port, protocol, Direction::egress);
  verdict.ingress = decide(to, from, to, port, protocol, Direction::ingress);
  verdict.allowed = verdict.egress.allowed && verdict.ingress.allowed;
  return verdict;
}

// `self` is the pod whose policies apply in `direction`, `peer` the other end;
// ports always resolve against the destination.
DirectionVerdict PolicyEvaluator::decide(const Party& self, const Party& peer, const Party& destination,
                                         std::uint16_t port, Protocol protocol, Direction direction) const {
  DirectionVerdict verdict;
  if (self.pod == nullptr) return verdict;  // outside the cluster's pods: no policy applies
  const auto self_index = static_cast<std::size_t>(self.pod - cluster_.pods.data());
  const std::vector<std::size_t>& selecting = policies_selecting(self_index, direction);
  if (selecting.empty()) return verdict;

  verdict.isolated = true;
  for (const std::size_t index : selecting) {
    const NetworkPolicy& policy = cluster_.policies[index];
    verdict.isolated_by.push_back(policy.id());
    const std::vector<PolicyRule>& rules = direction == Direction::ingress ? policy.ingress : policy.egress;
    const bool admits = std::any_of(rules.begin(), rules.end(), [&](const PolicyRule& rule) {
      return rule_admits(policy, rule, peer, destination, port, protocol);
    });
    if (admits) verdict.allowed_by.push_back(policy.id());
  }
  verdict.allowed = !verdict.allowed_by.empty();
  return verdict;
}

bool PolicyEvaluator::rule_admits(const NetworkPolicy& policy, const PolicyRule& rule, const Party& peer,
                                  const Party& destination, std::uint16_t port, Protocol protocol) const {
  const bool port_ok = rule.ports.empty() || std::any_of(rule.ports.begin(), rule.ports.end(), [&](const PolicyPort& p) {
                         return port_matches(p, destination, port, protocol);
                       });
  if (!port_ok) return false;
  return rule.peers.empty() || std::any_of(rule.peers.begin(), rule.peers.end(), [&](const PolicyPeer& p) {
           return peer_matches(policy, p, peer);
         });
}

bool PolicyEvaluator::peer_matches(const NetworkPolicy& policy, const PolicyPeer& peer, const Party& party) const {
  if (peer.ip_block) return party.ip && peer.ip_block->contains(*party.ip);
  // Selectors only ever match pods, never outside addresses.
  if (party.pod == nullptr) return false;
  if (!peer.pod_selector && !peer.namespace_selector) return false;  // invalid in the API; matches nothing
  const bool namespace_ok = peer.namespace_selector ? peer.namespace_selector->matches(namespace_labels(party.pod->ns))
                                                    : party.pod->ns == policy.ns;
  if (!namespace_ok) return false;
  return !peer.pod_selector || peer.pod_selector->matches(party.pod->labels);
}

bool PolicyEvaluator::port_matches(const PolicyPort& rule_port, const Party& destination, std::uint16_t port,
                                   Protocol protocol) const {
  if (rule_port.protocol != protocol) return false;
  if (rule_port.port) {
    const std::uint16_t last = rule_port.end_port.value_or(*rule_port.port);
    return port >= *rule_port.port && port <= last;
  }
  if (rule_port.named_port.empty()) return true;  // protocol only: every port
  // A named port means the destination pod's container port of that name and protocol.
  if (destination.pod == nullptr) return false;
  const std::vector<ContainerPort>& ports = destination.pod->ports;
  return std::any_of(ports.begin(), ports.end(), [&](const ContainerPort& container_port) {
    return container_port.name == rule_port.named_port && container_port.protocol == protocol &&
           container_port.port == port;
  });
}

ConnectionVerdict may_connect(const Cluster& cluster, const ConnectionEnd& source, const ConnectionEnd& destination,
                              std::uint16_t port, Protocol protocol) {
  return PolicyEvaluator(cluster).may_connect(source, destination, port, protocol);
}

}  // namespace netprobe::netpol
