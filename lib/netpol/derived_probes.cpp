#include "derived_probes.hpp"

#include <algorithm>
#include <set>

#include "checks.hpp"
#include "eval.hpp"

namespace netprobe::netpol {
namespace {

bool probeable(const Pod& pod) {
  return pod.ip && !pod.host_network &&
         std::any_of(pod.ports.begin(), pod.ports.end(), [](const ContainerPort& p) { return p.protocol == Protocol::tcp; });
}

// The agent's paths into one namespace, on the part of the cluster that decides
// them: the agent, the namespace's pods that can be probed, and the policies of
// both namespaces (one of them replaced by its correction, when given).
class PathsInto {
 public:
  PathsInto(const PartitionedCluster& cluster, const Pod& agent, const std::string& ns,
            const NetworkPolicy* correction = nullptr) {
    for (const std::string& name : {agent.ns, ns}) {
      if (const auto declared = cluster.namespaces.find(name); declared != cluster.namespaces.end()) {
        part_.namespaces.push_back(declared->second);
      }
      const auto objects = cluster.objects.find(name);
      if (objects == cluster.objects.end()) continue;
      for (const auto& [policy_name, policy] : objects->second->policies) {
        const bool replaced = correction != nullptr && correction->ns == policy.ns && correction->name == policy.name;
        part_.policies.push_back(replaced ? *correction : policy);
      }
    }
    part_.pods.push_back(agent);
    if (const auto objects = cluster.objects.find(ns); objects != cluster.objects.end()) {
      for (const auto& [name, pod] : objects->second->pods) {  // by name: the choice is stable
        if (probeable(pod)) part_.pods.push_back(pod);
      }
    }
    evaluator_.emplace(part_);
  }

  std::size_t candidates() const { return part_.pods.size() - 1; }
  const Pod& candidate(std::size_t i) const { return part_.pods[i + 1]; }

  // The lowest declared TCP port the agent is denied on the candidate's ingress
  // side (its own egress admitting it, so a connection tests the candidate's
  // policies), with the policies that isolate it.
  struct Denial {
    std::uint16_t port = 0;
    std::vector<std::string> isolated_by;
  };
  std::optional<Denial> denied(std::size_t i) const {
    std::set<std::uint16_t> ports;
    for (const ContainerPort& port : candidate(i).ports) {
      if (port.protocol == Protocol::tcp) ports.insert(port.port);
    }
    for (const std::uint16_t port : ports) {
      const ConnectionVerdict verdict =
          evaluator_->may_connect(ConnectionEnd::of_pod(0), ConnectionEnd::of_pod(i + 1), port, Protocol::tcp);
      if (verdict.egress.allowed && !verdict.ingress.allowed) return Denial{port, verdict.ingress.isolated_by};
    }
    return std::nullopt;
  }

 private:
  Cluster part_;
  std::optional<PolicyEvaluator> evaluator_;
};

std::string port_text(std::uint16_t port) { return std::to_string(port) + "/TCP"; }

std::string selector_text(const LabelSelector& selector) {
  std::string text;
  for (const auto& [key, value] : selector.match_labels) text += (text.empty() ? "" : ", ") + key + ": " + value;
  return text;
}

class Deriver {
 public:
  Deriver(const PartitionedCluster& cluster, const Pod& agent, const DeriveOptions& options)
      : cluster_(cluster), agent_(agent), options_(options) {}

  std::vector<DerivedDenyProbe> run() {
    for (const auto& [ns, objects] : cluster_.objects) {
      if (ns != agent_.ns) corrected_typos(ns, *objects);
    }
    for (const auto& [ns, objects] : cluster_.objects) {
      if (ns != agent_.ns) isolated_pods(ns, *objects);
    }
    return std::move(out_);
  }

 private:
  bool full() const { return out_.size() >= options_.max; }

  void add(DerivedDenyProbe probe) {
    if (full() || !taken_.emplace(probe.ip, probe.port).second) return;
    out_.push_back(std::move(probe));
  }

  // Policies that select nothing, tried with their selector corrected.
  void corrected_typos(const std::string& ns, const NamespaceObjects& objects) {
    const std::vector<const Pod*> analysed = objects.analysed_pods();
    std::vector<const Labels*> labels;
    for (const Pod* pod : analysed) labels.push_back(&pod->labels);
    for (const auto& entry : objects.policies) {  // no structured binding: the lambda below captures it (clang 14)
      const NetworkPolicy& policy = entry.second;
      if (full()) return;
      if (!policy.affects_ingress) continue;
      const bool selects = std::any_of(analysed.begin(), analysed.end(),
                                       [&](const Pod* pod) { return policy.pod_selector.matches(pod->labels); });
      if (selects) continue;
      const std::optional<LabelSelector> corrected = corrected_selector(policy.pod_selector, labels);
      if (!corrected) continue;
      NetworkPolicy correction = policy;
      correction.pod_selector = *corrected;
      const PathsInto paths(cluster_, agent_, ns, &correction);
      std::size_t taken = 0;
      for (std::size_t i = 0; i < paths.candidates() && taken < options_.per_namespace; ++i) {
        const Pod& pod = paths.candidate(i);
        if (!corrected->matches(pod.labels)) continue;
        const auto denial = paths.denied(i);
        if (!denial) continue;
        ++taken;
        const std::string intent = policy.id() + " is meant to isolate " + display_name(pod) + " (its podSelector " +
                                   selector_text(policy.pod_selector) + " matches nothing; " +
                                   selector_text(*corrected) + " would)";
        add(DerivedDenyProbe{ns, pod.name, *pod.ip, denial->port, policy.id(), true,
                             intent + ": " + display_name(agent_) + " must not reach it on " + port_text(denial->port),
                             intent + ", and " + agent_.ns + " reaches it on " + port_text(denial->port) + " now"});
      }
    }
  }

  void isolated_pods(const std::string& ns, const NamespaceObjects& objects) {
    if (full()) return;
    const bool isolating = std::any_of(objects.policies.begin(), objects.policies.end(),
                                       [](const auto& entry) { return entry.second.affects_ingress; });
    if (!isolating) return;
    const PathsInto paths(cluster_, agent_, ns);
    std::size_t taken = 0;
    for (std::size_t i = 0; i < paths.candidates() && taken < options_.per_namespace && !full(); ++i) {
      const auto denial = paths.denied(i);
      if (!denial) continue;
      ++taken;
      const Pod& pod = paths.candidate(i);
      std::string isolating_policies;
      for (const std::string& id : denial->isolated_by) isolating_policies += (isolating_policies.empty() ? "" : ", ") + id;
      const std::string isolation = isolating_policies + " isolate" + (denial->isolated_by.size() == 1 ? "s " : " ") +
                                    display_name(pod) + " from " + display_name(agent_);
      add(DerivedDenyProbe{ns, pod.name, *pod.ip, denial->port, denial->isolated_by.front(), false,
                           isolation + ": no ingress rule admits it on " + port_text(denial->port),
                           isolation + ", yet " + agent_.ns + " reaches it on " + port_text(denial->port) +
                               ": the policy is not enforced there (does the CNI enforce NetworkPolicy?)"});
    }
  }

  const PartitionedCluster& cluster_;
  const Pod& agent_;
  const DeriveOptions& options_;
  std::vector<DerivedDenyProbe> out_;
  std::set<std::pair<IpAddress, std::uint16_t>> taken_;
};

}  // namespace

std::vector<DerivedDenyProbe> derive_deny_probes(const PartitionedCluster& cluster, const Pod& agent,
                                                 const DeriveOptions& options) {
  return Deriver(cluster, agent, options).run();
}

}  // namespace netprobe::netpol
