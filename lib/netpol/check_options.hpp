#pragma once
// What the lint checks (checks.hpp) take as given about the cluster: where DNS
// and Prometheus run, the metadata endpoint, which annotations mean cloud IAM.
// Header-only data: the controller's config (core/controller_config) holds one
// and reads it from policy_analysis.checks without linking the analysis.
#include <cstdint>
#include <string>
#include <vector>

#include "labels.hpp"

namespace netprobe::netpol {

struct CheckOptions {
  std::string dns_namespace = "kube-system";
  Labels dns_labels{{"k8s-app", "kube-dns"}};
  std::string monitoring_namespace = "monitoring";
  Labels prometheus_labels;  // empty: every pod of the monitoring namespace is a scraper
  // NodeLocal DNSCache's link-local address (e.g. 169.254.20.10), "" when the
  // cluster has none. Where set, pods that reach it on port 53 count as having DNS
  // even when kube-dns itself is not allowed, and the hints name it.
  std::string nodelocal_dns;
  std::string metadata_address = "169.254.169.254";
  std::uint16_t metadata_port = 80;
  std::string metadata_severity = "warning";  // "error", "warning" or "off"
  std::vector<std::string> iam_annotations{"eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account",
                                           "azure.workload.identity/client-id"};

  bool operator==(const CheckOptions&) const = default;
};

}  // namespace netprobe::netpol
