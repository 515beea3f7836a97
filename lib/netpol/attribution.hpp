#pragma once
// Which NetworkPolicy broke a path, or that none did: a failing check joined
// with the live policy model. For each agent that reports a check failing, the
// path from the agent's own pod to what the check probes is evaluated by the
// evaluator `netprobe lint --explain` uses (eval.hpp):
//   source       the agent's pod: the pod of its namespace with the IP the agent
//                advertises, else the only pod of its namespace on its node;
//   destination  a pod's IP; a Service's ClusterIP or name (name.ns.svc[.domain],
//                or name.ns) → the pods behind it, on the port the Service maps
//                to on each; an address no pod has (the metadata endpoint,
//                NodeLocal DNS, anything external) → the source's ipBlock rules.
// The outcome weighs first: an answer that came back (nxdomain, http_status, …)
// proves the path open whatever the model says, and token_timeout is the IMDSv2
// hop limit, never a policy.
//
// Pure. Only what decides the verdicts is evaluated: the sources, the
// destination's pods and the policies of their namespaces (a policy selects pods
// of its own namespace only, and its peers match on the other end's labels and
// that end's namespace labels), so a path costs the same in a cluster of 150,000
// pods as in one of ten.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_options.hpp"
#include "core/outcome.hpp"
#include "core/policy_attribution.hpp"
#include "core/probe_spec.hpp"
#include "core/verdict.hpp"
#include "eval.hpp"
#include "partitioned.hpp"

namespace netprobe::netpol {

// A Service as attribution resolves it (read from Services and EndpointSlices
// by kube/service_backends).
struct ServiceBackends {
  struct Port {
    std::uint16_t port = 0;
    Protocol protocol = Protocol::tcp;
    std::string target_port;  // a number, a container port's name, or "" for the same as port

    bool operator==(const Port&) const = default;
  };

  std::string ns;
  std::string name;
  std::vector<IpAddress> cluster_ips;  // none for a headless Service
  std::vector<Port> ports;
  std::vector<std::string> pods;  // the ready endpoints' pods, by name in ns

  std::string id() const { return ns + "/" + name; }
  bool operator==(const ServiceBackends&) const = default;
};

// What a failing check probes, as the store names it.
struct ProbedPath {
  ProbeType type = ProbeType::tcp;
  std::string target;     // "10.96.0.10:53", "web.shop.svc:8080", a URL
  std::string transport;  // "udp" or "tcp" for dns; the rest connect over TCP
  Expect expect = Expect::allow;
};

// One agent reporting that check failing.
struct FailingSource {
  std::string node;
  std::string ns;                // the agent's namespace
  std::optional<IpAddress> ip;   // the address it advertises, when it does
  Outcome outcome = Outcome::error;
};

class PathAttributor {
 public:
  // Keeps references: the cluster and the services must outlive the attributor
  // and not change. Not for use from two threads at once (indexes are built on
  // first use).
  PathAttributor(const PartitionedCluster& cluster, const std::vector<ServiceBackends>& services,
                 const CheckOptions& options);
  ~PathAttributor();
  PathAttributor(const PathAttributor&) = delete;
  PathAttributor& operator=(const PathAttributor&) = delete;

  // One attribution per source, in their order.
  std::vector<PolicyAttribution> explain(const ProbedPath& path, const std::vector<FailingSource>& sources) const;

  // The agent's own pod, found as explain() finds a source's; null when it is
  // not found, not one, or on the host network.
  const Pod* agent_pod(const FailingSource& agent) const;

 private:
  struct Destination;
  struct Indexes;

  Destination resolve(const ProbedPath& path) const;
  struct SourcePod;
  SourcePod find_source(const FailingSource& agent) const;
  const Pod* pod_with_ip(const IpAddress& ip) const;

  const PartitionedCluster& cluster_;
  const CheckOptions& options_;
  std::unique_ptr<Indexes> indexes_;
};

// Why one connection is denied or allowed, in the words of the failing entries'
// reasons: "egress of A is isolated by P; no egress rule admits B on 80/TCP", or
// "no NetworkPolicy blocks A → B on 80/TCP (egress not isolated, …)". `to` is the
// destination as the ingress sentence names it (a pod; `destination` may be its
// Service); `outside`: an address no pod has, where only A's egress applies.
// `netprobe lint --explain` prints it.
PolicyAttribution attribute_connection(const std::string& from, const std::string& destination, const std::string& to,
                                       const ConnectionVerdict& verdict, std::uint16_t port, Protocol protocol,
                                       bool outside);

// What a failing entry carries when the controller has no live model (no
// Kubernetes API): unknown, saying so.
PolicyAttribution without_live_model();

}  // namespace netprobe::netpol
