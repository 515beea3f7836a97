#pragma once
// Target discovery: from the watched Services, EndpointSlices and Pods, the
// probes agents run without anyone listing them. Pure.
//
// Fixed probe names (alert rules and the dashboard rely on them):
//   kube-dns-service    the DNS Service's ClusterIP, UDP and TCP, from every agent
//   kube-dns-endpoints  every ready endpoint of that Service's EndpointSlices, UDP
//                       and TCP, one check per address, from every agent: one broken
//                       CoreDNS replica is told apart from DNS being blocked
//   nodelocal-dns       NodeLocal DNSCache's address, when its pods run, from every agent
//   scrape              a TCP connect (or an HTTP GET) to each scrape target: the pods a
//                       PodMonitor selects and the ready endpoints of the Services a
//                       ServiceMonitor selects (their port, path and scheme), a pod
//                       annotated prometheus.io/scrape: "true" (port, path, scheme), or
//                       the ready endpoints of a Service so annotated; a target found
//                       twice is one, named after the first (monitors, then annotations);
//                       each from `scrape_agents` agents chosen by rendezvous hashing
//   derived-deny        an expect: deny TCP connect to a pod the live policies isolate
//                       from the agents (derived_discovery.hpp), from `scrape_agents` agents
// Only Running, Ready pods that have an IP and are not terminating (nor on the
// host network, where NetworkPolicy does not apply) are scrape targets.
#include <chrono>
#include <map>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/probe_spec.hpp"
#include "kube/discovery_objects.hpp"
#include "kube/discovery_settings.hpp"

namespace netprobe::kube {

struct DiscoveryInput {
  std::vector<ServiceRecord> services;
  std::vector<EndpointSliceRecord> slices;
  // Shared with the store that holds them: a cluster's pods are too many to
  // copy on every change.
  std::vector<std::shared_ptr<const PodRecord>> pods;
  std::vector<MonitorRecord> monitors;  // ServiceMonitors and PodMonitors, where their CRDs are served
};

struct DiscoveredProbe {
  std::shared_ptr<const ProbeSpec> spec;
  std::string source;       // the object it came from: "Service kube-system/kube-dns"
  bool every_agent = true;  // false: scrape_agents agents, chosen by assign_agents
  std::string target_key;   // what the assignment hashes (stable across restarts)
  std::string reason;       // why it is probed, where the source alone does not say (derived-deny)
};

std::vector<DiscoveredProbe> discover(const DiscoveryInput& input, const DiscoverySettings& settings);

// Whether a pod can be a target now.
bool servable(const PodRecord& pod);

// Rendezvous (highest random weight) hashing: the `count` agents, of `agents`,
// whose hash with `key` is highest. An agent joining or leaving moves only the
// targets it wins or held. Sorted by node name.
std::vector<std::string> assign_agents(const std::string& key, const std::vector<std::string>& agents, std::size_t count);

// The namespace the agents (one DaemonSet, on every node) report from, among
// the namespaces of the reporting agents: the one most of them name, as
// sentinels (one Deployment per watched namespace) are fewer. On a tie (a
// one-node cluster) the first by name that `runs_daemonset` says holds a
// DaemonSet's pod, else the first by name; "" when none reports.
std::string agents_namespace(const std::vector<std::string>& namespaces,
                             const std::function<bool(const std::string&)>& runs_daemonset = {});

// Who runs what: every agent and sentinel the every_agent probes, and each
// scrape (and derived-deny) target the agents assign_agents picks among the
// reporting ones of the agents' namespace. A sentinel is never handed those:
// from inside its namespace's policies its path says nothing of the agents'.
struct Assignment {
  std::vector<std::shared_ptr<const ProbeSpec>> every_agent;
  std::map<std::string, std::vector<std::shared_ptr<const ProbeSpec>>> by_node;
  std::vector<std::vector<std::string>> agents_of;  // per probe of the input; empty for every_agent ones
  std::string agents_namespace;                     // "": any namespace's agent takes its node's share

  // What the agent (or sentinel) of `ns` on `node` is handed on top of its configured probes.
  std::vector<std::shared_ptr<const ProbeSpec>> for_agent(const std::string& node, const std::string& ns) const;
};

// `agents` are the nodes of the reporting agents of `agents_namespace`.
Assignment assign(const std::vector<DiscoveredProbe>& probes, const std::vector<std::string>& agents,
                  std::size_t scrape_agents, std::string agents_namespace = "");

// Ready, schedulable nodes that no reporting agent runs on, sorted.
std::vector<std::string> nodes_without_agent(const std::vector<NodeRecord>& nodes, const std::vector<std::string>& agents);

}  // namespace netprobe::kube
