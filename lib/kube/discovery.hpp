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
//   scrape              a TCP connect (or an HTTP GET) to each scrape target: a pod
//                       annotated prometheus.io/scrape: "true" (port, path, scheme), or
//                       the ready endpoints of a Service so annotated; each target from
//                       `scrape_agents` agents chosen by rendezvous hashing
// Only Running, Ready pods that have an IP and are not terminating (nor on the
// host network, where NetworkPolicy does not apply) are scrape targets.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/probe_spec.hpp"
#include "kube/discovery_objects.hpp"

namespace netprobe::kube {

enum class ScrapeMode { tcp, http };

struct DiscoverySettings {
  bool enabled = true;
  std::string dns_namespace = "kube-system";
  std::string dns_service = "kube-dns";
  std::string cluster_domain = "cluster.local";
  std::string nodelocal_address = "169.254.20.10";
  std::string nodelocal_label = "node-local-dns";  // pods with k8s-app=<this>
  std::size_t scrape_agents = 3;
  ScrapeMode scrape_mode = ScrapeMode::tcp;
  std::chrono::milliseconds interval{10'000};
  std::chrono::milliseconds scrape_interval{30'000};
  std::chrono::milliseconds timeout{2'000};
};

struct DiscoveryInput {
  std::vector<ServiceRecord> services;
  std::vector<EndpointSliceRecord> slices;
  std::vector<PodRecord> pods;
};

struct DiscoveredProbe {
  std::shared_ptr<const ProbeSpec> spec;
  std::string source;       // the object it came from: "Service kube-system/kube-dns"
  bool every_agent = true;  // false: scrape_agents agents, chosen by assign_agents
  std::string target_key;   // what the assignment hashes (stable across restarts)
};

std::vector<DiscoveredProbe> discover(const DiscoveryInput& input, const DiscoverySettings& settings);

// Whether a pod can be a target now.
bool servable(const PodRecord& pod);

// Rendezvous (highest random weight) hashing: the `count` agents, of `agents`,
// whose hash with `key` is highest. An agent joining or leaving moves only the
// targets it wins or held. Sorted by node name.
std::vector<std::string> assign_agents(const std::string& key, const std::vector<std::string>& agents, std::size_t count);

}  // namespace netprobe::kube
