#include "controller/deny_deriver.hpp"

#include <algorithm>

#include "core/endpoint.hpp"
#include "kube/derived_discovery.hpp"
#include "netpol/attribution.hpp"

namespace netprobe {
namespace {

std::string agent_key(const AgentView& agent) { return agent.node + '\0' + agent.ns + '\0' + agent.advertised; }

}  // namespace

void DenyDeriver::update(const PathModel& model, const std::shared_ptr<const std::vector<kube::DiscoveredProbe>>& discovered,
                         const std::vector<AgentView>& agents, const kube::DiscoverySettings& settings) {
  Basis basis{model.cluster, model.services, discovered, settings.derived_deny,
              netpol::DeriveOptions{settings.derived_per_namespace, settings.max_derived}};
  const bool same_basis = basis == basis_;
  const auto still_reporting = [&](const std::string& key) {
    return std::any_of(agents.begin(), agents.end(), [&](const AgentView& agent) {
      return agent.state == AgentState::reporting && agent_key(agent) == key;
    });
  };
  if (same_basis && !agent_.empty() && still_reporting(agent_)) return;
  basis_ = std::move(basis);
  if (!basis_.enabled || !basis_.cluster || !basis_.services || !basis_.discovered) {
    agent_.clear();
    derived_from_.clear();
    probes_.reset();
    return;
  }
  static const netpol::CheckOptions kFinding;  // finding an agent's pod reads no check option
  const netpol::PathAttributor finder(*basis_.cluster, *basis_.services, kFinding);
  for (const AgentView& agent : agents) {
    if (agent.state != AgentState::reporting) continue;
    const netpol::Pod* pod =
        finder.agent_pod(netpol::FailingSource{agent.node, agent.ns, endpoint_ip(agent.advertised), Outcome::ok});
    if (pod == nullptr) continue;
    Stand stand{pod->ns, pod->labels, pod->workload};
    agent_ = agent_key(agent);
    derived_from_ = pod->ns + "/" + pod->name;
    if (same_basis && probes_ && stand == stand_) return;  // another pod of the same DaemonSet: the same probes
    stand_ = std::move(stand);
    ++derivations_;
    std::vector<netpol::DerivedDenyProbe> derived =
        kube::not_expected_open(netpol::derive_deny_probes(*basis_.cluster, *pod, basis_.options), *basis_.discovered);
    if (!probes_ || *probes_ != derived) {
      probes_ = std::make_shared<const std::vector<netpol::DerivedDenyProbe>>(std::move(derived));
    }
    return;
  }
  agent_.clear();
  derived_from_.clear();
  probes_.reset();
}

}  // namespace netprobe
