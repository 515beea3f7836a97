#pragma once
// The controller's `discovery` settings (README, "Kubernetes"). Header-only
// data: core's controller config holds them, lib/kube's discovery reads them.
#include <chrono>
#include <cstddef>
#include <string>

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
  // Expect-deny probes derived from the live policies (netpol/derived_probes.hpp).
  bool derived_deny = true;
  std::size_t derived_per_namespace = 2;  // isolated pods probed per namespace
  std::size_t max_derived = 200;          // in all
  std::chrono::milliseconds derived_interval{60'000};  // at least 30 s: each one knocks on an app's port
};

}  // namespace netprobe::kube
