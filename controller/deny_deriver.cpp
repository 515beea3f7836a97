#include "controller/deny_deriver.hpp"

#include "core/endpoint.hpp"
#include "kube/derived_discovery.hpp"
#include "netpol/attribution.hpp"

namespace netprobe {

void DenyDeriver::update(const PathModel& model, const std::shared_ptr<const std::vector<kube::DiscoveredProbe>>& discovered,
                         const std::vector<AgentView>& agents, const kube::DiscoverySettings& settings) {
  Inputs inputs{model.cluster, model.services, discovered, {}, settings.derived_deny,
                netpol::DeriveOptions{settings.derived_per_namespace, settings.max_derived}};
  for (const AgentView& agent : agents) {
    if (agent.state == AgentState::reporting) inputs.agents.push_back(agent.node + '\0' + agent.ns + '\0' + agent.advertised);
  }
  if (inputs == inputs_) return;
  inputs_ = std::move(inputs);

  std::vector<netpol::DerivedDenyProbe> derived;
  std::string from;
  if (inputs_.enabled && inputs_.cluster && inputs_.services && inputs_.discovered) {
    ++derivations_;
    static const netpol::CheckOptions kFinding;  // finding an agent's pod reads no check option
    const netpol::PathAttributor finder(*inputs_.cluster, *inputs_.services, kFinding);
    for (const AgentView& agent : agents) {
      if (agent.state != AgentState::reporting) continue;
      const netpol::Pod* pod =
          finder.agent_pod(netpol::FailingSource{agent.node, agent.ns, endpoint_ip(agent.advertised), Outcome::ok});
      if (pod == nullptr) continue;
      derived = kube::not_expected_open(netpol::derive_deny_probes(*inputs_.cluster, *pod, inputs_.options),
                                        *inputs_.discovered);
      from = pod->ns + "/" + pod->name;
      break;
    }
  }
  derived_from_ = std::move(from);
  if (derived_from_.empty()) {
    probes_.reset();
  } else if (!probes_ || *probes_ != derived) {
    probes_ = std::make_shared<const std::vector<netpol::DerivedDenyProbe>>(std::move(derived));
  }
}

}  // namespace netprobe
