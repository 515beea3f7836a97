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
};

}  // namespace netprobe::kube
