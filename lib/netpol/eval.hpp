#pragma once
// NetworkPolicy semantics (networking.k8s.io/v1), as the API reference and the
// upstream e2e suite (kubernetes test/e2e/network/netpol) define them:
//  - a pod is isolated for a direction iff some policy in ITS namespace selects it
//    and lists that policyType; otherwise everything is allowed in that direction;
//  - policies only add allows (union): no policy can deny what another admits;
//  - A → B is allowed iff A's egress admits it AND B's ingress admits it.
// The evaluator indexes the cluster once (which policies select which pod), so
// that many queries over large clusters stay cheap.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model.hpp"

namespace netprobe::netpol {

enum class Direction { ingress, egress };

// One end of a connection: a pod of the cluster (by index into Cluster::pods)
// or a bare IP (resolved to the pod that has it, when there is one).
struct ConnectionEnd {
  std::optional<std::size_t> pod;
  std::optional<IpAddress> ip;

  static ConnectionEnd of_pod(std::size_t index) { return ConnectionEnd{index, std::nullopt}; }
  static ConnectionEnd of_ip(const IpAddress& address) { return ConnectionEnd{std::nullopt, address}; }
};

struct DirectionVerdict {
  bool isolated = false;                 // some policy selects the pod for this direction
  bool allowed = true;                   // not isolated, or some rule admits the connection
  std::vector<std::string> allowed_by;   // "ns/policy" whose rules admit it (only when isolated)
  std::vector<std::string> isolated_by;  // "ns/policy" selecting the pod for this direction
};

// What `netprobe lint --explain` prints.
struct ConnectionVerdict {
  bool allowed = true;
  DirectionVerdict egress;   // the source's side
  DirectionVerdict ingress;  // the destination's side
};

class PolicyEvaluator {
 public:
  // Keeps a reference: the cluster must outlive the evaluator and not change.
  explicit PolicyEvaluator(const Cluster& cluster);

  ConnectionVerdict may_connect(const ConnectionEnd& source, const ConnectionEnd& destination, std::uint16_t port,
                                Protocol protocol) const;

  // Policies (indices into Cluster::policies) that select the pod for a direction.
  const std::vector<std::size_t>& policies_selecting(std::size_t pod, Direction direction) const;
  // Pods (indices into Cluster::pods) a policy's podSelector selects.
  const std::vector<std::size_t>& pods_selected_by(std::size_t policy) const;
  bool isolated(std::size_t pod, Direction direction) const { return !policies_selecting(pod, direction).empty(); }

  // Labels of a namespace, declared or implied, with kNamespaceNameLabel.
  const Labels& namespace_labels(const std::string& ns) const;
  // A pod by "name" or by the name of its owning workload, in a namespace.
  std::optional<std::size_t> find_pod(std::string_view ns, std::string_view name) const;
  std::optional<std::size_t> pod_with_ip(const IpAddress& ip) const;

  const Cluster& cluster() const { return cluster_; }

 private:
  struct Party;  // a ConnectionEnd resolved against the cluster

  Party resolve(const ConnectionEnd& endpoint) const;
  DirectionVerdict decide(const Party& self, const Party& peer, const Party& destination, std::uint16_t port,
                          Protocol protocol, Direction direction) const;
  bool rule_admits(const NetworkPolicy& policy, const PolicyRule& rule, const Party& peer, const Party& destination,
                   std::uint16_t port, Protocol protocol) const;
  bool peer_matches(const NetworkPolicy& policy, const PolicyPeer& peer, const Party& party) const;
  bool port_matches(const PolicyPort& rule_port, const Party& destination, std::uint16_t port,
                    Protocol protocol) const;

  const Cluster& cluster_;
  std::vector<std::vector<std::size_t>> selected_pods_;     // per policy
  std::vector<std::vector<std::size_t>> ingress_policies_;  // per pod
  std::vector<std::vector<std::size_t>> egress_policies_;   // per pod
  std::unordered_map<std::string, Labels> namespace_labels_;
  std::unordered_map<std::string, std::size_t> pods_by_name_;  // "ns/name" and "ns/workload"
  std::vector<std::pair<IpAddress, std::size_t>> pods_by_ip_;  // sorted
};

// One-shot convenience: indexes the cluster, then answers one query.
ConnectionVerdict may_connect(const Cluster& cluster, const ConnectionEnd& source, const ConnectionEnd& destination,
                              std::uint16_t port, Protocol protocol);

}  // namespace netprobe::netpol
