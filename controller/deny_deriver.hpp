#pragma once
// Keeps the expect-deny probes derived from the live policies
// (netpol/derived_probes.hpp) current for discovery to hand out. They are
// derived from one reporting agent's own pod: the agents are one DaemonSet, the
// same namespace and labels, so one pod stands for all of them. Deriving walks
// every isolated namespace, so it runs again only when the live model, the other
// discovered probes or the settings change, or when the agent it came from stops
// reporting and the next one found is not of the same namespace, labels and
// workload. Its results stay the same vector while the probes stay the same, so a
// caller can tell a change by the pointer.
#include <memory>
#include <string>
#include <vector>

#include "controller/path_explainer.hpp"
#include "core/store.hpp"
#include "kube/discovery.hpp"
#include "netpol/derived_probes.hpp"

namespace netprobe {

class DenyDeriver {
 public:
  using Probes = std::shared_ptr<const std::vector<netpol::DerivedDenyProbe>>;

  void update(const PathModel& model, const std::shared_ptr<const std::vector<kube::DiscoveredProbe>>& discovered,
              const std::vector<AgentView>& agents, const kube::DiscoverySettings& settings);

  // Null until derived: turned off, the objects still being listed, or no
  // reporting agent's pod found among the watched pods.
  const Probes& probes() const { return probes_; }
  // The pod they were derived from ("monitoring/netprobe-agent-7xk2p"), or "".
  const std::string& derived_from() const { return derived_from_; }
  // How often they were derived (for tests: an unchanged input derives nothing).
  std::uint64_t derivations() const { return derivations_; }

 private:
  struct Basis {
    std::shared_ptr<const netpol::PartitionedCluster> cluster;
    std::shared_ptr<const std::vector<netpol::ServiceBackends>> services;
    std::shared_ptr<const std::vector<kube::DiscoveredProbe>> discovered;
    bool enabled = false;
    netpol::DeriveOptions options;

    bool operator==(const Basis&) const = default;
  };
  // What of the agent's pod the probes depend on (its IP aside, which only an
  // ipBlock naming pod addresses would read).
  struct Stand {
    std::string ns;
    netpol::Labels labels;
    std::string workload;

    bool operator==(const Stand&) const = default;
  };

  Basis basis_;
  std::string agent_;  // node, namespace and advertised address of the agent derived from; "" for none
  Stand stand_;
  Probes probes_;
  std::string derived_from_;
  std::uint64_t derivations_ = 0;
};

}  // namespace netprobe
