#pragma once
// The Kubernetes objects NetworkPolicy analysis needs, reduced to what decides
// connectivity: namespaces and pods with their labels, IPs and container ports,
// and networking.k8s.io/v1 NetworkPolicies. Pure data plus label matching; the
// reading from manifests is read.hpp, the semantics eval.hpp.
// Reference: https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_table.hpp"
#include "core/ip_address.hpp"
#include "labels.hpp"

namespace netprobe::netpol {


// Where an object was read from, so findings can point at file:line.
struct SourceRef {
  std::string file;
  int line = 0;  // 1-based; 0 when built in code

  bool operator==(const SourceRef&) const = default;
};

// Every namespace carries this label with its own name (Kubernetes ≥ 1.21), which
// is how policies select a namespace by name.
inline constexpr std::string_view kNamespaceNameLabel = "kubernetes.io/metadata.name";

enum class Protocol { tcp, udp, sctp };
// Spelt as the Kubernetes API spells them, and parsed exactly so.
inline constexpr EnumTable kProtocols{std::array{
    EnumEntry<Protocol>{Protocol::tcp, "TCP", "the default of a port that names none"},
    EnumEntry<Protocol>{Protocol::udp, "UDP", "DNS's usual transport"},
    EnumEntry<Protocol>{Protocol::sctp, "SCTP", "rare; some CNIs do not support it"},
}};
inline std::string_view to_string(Protocol protocol) { return kProtocols.name(protocol); }
inline std::optional<Protocol> parse_protocol(std::string_view text) { return kProtocols.parse(text); }

struct LabelRequirement {
  enum class Operator { in, not_in, exists, does_not_exist };
  std::string key;
  Operator op = Operator::exists;
  std::vector<std::string> values;  // In/NotIn only

  bool matches(const Labels& labels) const;

  bool operator==(const LabelRequirement&) const = default;
};

// matchLabels AND every matchExpression. An empty selector ({}) matches
// everything; "absent" is modelled by the caller as std::nullopt, because its
// meaning differs by field (see PolicyPeer).
struct LabelSelector {
  Labels match_labels;
  std::vector<LabelRequirement> match_expressions;

  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
  bool matches(const Labels& labels) const;

  bool operator==(const LabelSelector&) const = default;
};

struct Namespace {
  std::string name;
  Labels labels;  // as written; the evaluator adds kNamespaceNameLabel
  SourceRef where;

  bool operator==(const Namespace&) const = default;
};

struct ContainerPort {
  std::string name;  // may be empty
  std::uint16_t port = 0;
  Protocol protocol = Protocol::tcp;

  bool operator==(const ContainerPort&) const = default;
};

struct Pod {
  std::string ns;
  std::string name;
  Labels labels;
  std::optional<IpAddress> ip;  // unknown for pods derived from a workload template
  std::string node;             // spec.nodeName; "" for templates and pods not scheduled yet
  bool host_network = false;    // spec.hostNetwork: the spec leaves policies' effect on it to the CNI
  std::vector<ContainerPort> ports;
  std::string workload;       // owning workload's name; the pod's own name when it has none
  std::string workload_kind;  // "Deployment", …; "Pod" for a bare pod
  SourceRef where;
  Labels annotations;            // the pod's (or pod template's) metadata.annotations
  std::string service_account;   // spec.serviceAccountName; "default" when not set

  bool operator==(const Pod&) const = default;
};

// A pod as people name it in sentences: "shop/storefront", by its workload,
// which outlives the pod's own generated name.
inline std::string display_name(const Pod& pod) {
  return pod.ns + "/" + (pod.workload.empty() ? pod.name : pod.workload);
}

// A ServiceAccount: only its annotations matter (cloud IAM bindings such as
// eks.amazonaws.com/role-arn), for the metadata-endpoint check.
struct ServiceAccount {
  std::string ns;
  std::string name;
  Labels annotations;
  SourceRef where;

  bool operator==(const ServiceAccount&) const = default;
};

struct IpBlock {
  Cidr cidr;
  std::vector<Cidr> except;

  // In cidr, in none of except, and of the same address family as cidr
  // (::/0 does not match IPv4 addresses).
  bool contains(const IpAddress& ip) const;

  bool operator==(const IpBlock&) const = default;
};

// One entry of `from` / `to`. The API allows either ipBlock alone, or one or
// both selectors:
//   podSelector only        pods matching it in the policy's own namespace
//   namespaceSelector only  every pod in the matching namespaces
//   both                    pods matching podSelector in matching namespaces (AND)
struct PolicyPeer {
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> namespace_selector;
  std::optional<IpBlock> ip_block;

  bool operator==(const PolicyPeer&) const = default;
};

// One entry of `ports`. Neither port nor named_port: every port of the protocol.
struct PolicyPort {
  Protocol protocol = Protocol::tcp;
  std::optional<std::uint16_t> port;
  std::string named_port;               // resolved against the destination pod's container ports
  std::optional<std::uint16_t> end_port;  // with a numeric port: the inclusive range port..end_port

  bool operator==(const PolicyPort&) const = default;
};

// An ingress or egress rule. Empty peers (absent or []) admit every peer; empty
// ports admit every port and protocol.
struct PolicyRule {
  std::vector<PolicyPeer> peers;
  std::vector<PolicyPort> ports;

  bool operator==(const PolicyRule&) const = default;
};

struct NetworkPolicy {
  std::string ns;
  std::string name;
  LabelSelector pod_selector;  // {} selects every pod of the namespace
  bool affects_ingress = false;  // policyTypes, defaults applied by the reader
  bool affects_egress = false;
  std::vector<PolicyRule> ingress;
  std::vector<PolicyRule> egress;
  SourceRef where;

  std::string id() const { return ns + "/" + name; }

  bool operator==(const NetworkPolicy&) const = default;
};

// A policy-like object that is not evaluated (Calico, Cilium, AdminNetworkPolicy,
// or an old apiVersion), kept so the linter can say so instead of staying silent.
struct IgnoredObject {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  SourceRef where;
};

struct Cluster {
  std::vector<Namespace> namespaces;  // declared ones; pods and policies may imply others
  std::vector<Pod> pods;
  std::vector<NetworkPolicy> policies;
  std::vector<IgnoredObject> ignored;
  std::vector<ServiceAccount> service_accounts;
};

}  // namespace netprobe::netpol
