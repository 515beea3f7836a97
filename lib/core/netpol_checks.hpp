#pragma once
// NetworkPolicy lint checks: the mistakes that break DNS, Prometheus scrapes and
// the cloud metadata endpoint, or that leave workloads silently unprotected.
// Pure: takes a Cluster (read by netpol_read.hpp), returns findings.
//
// Check ids (stable, used as metric labels and in `netprobe lint --json`):
//   selector-matches-nothing (error)  a policy's podSelector or a peer's selector matches nothing
//   dns-egress-blocked       (error)  egress-isolated pods cannot reach kube-dns on UDP 53
//   dns-tcp-blocked        (warning)  UDP 53 allowed, TCP 53 not (truncated answers fail)
//   metadata-blocked       (warning)  pods whose service account is annotated for cloud IAM
//                                     cannot reach the metadata endpoint (severity configurable:
//                                     error, warning, or off)
//   scrape-path-blocked      (error)  the monitoring namespace cannot reach a pod's metrics port
//   unprotected-workload      (info)  a namespace has policies, some of its pods are selected by none
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "netpol_model.hpp"

namespace netprobe {

struct Finding {
  std::string check;     // one of the ids above
  std::string severity;  // "error", "warning" or "info"
  std::string ns;
  std::string policy;    // the policy's name (without namespace); "" when none is involved
  std::string message;
  std::string hint;
  SourceRef where;       // the policy's file:line when known
};

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
};

// All checks. Where the manifests lack a kube-dns pod or a scraper in the
// monitoring namespace, a stand-in with the configured labels is assumed.
// Findings are sorted by namespace, then severity (errors first), then policy.
std::vector<Finding> run_checks(const Cluster& cluster, const CheckOptions& options = {});

// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `wrong` (at most max(2, |wrong|/3) edits away), or "".
std::string nearest(std::string_view wrong, const std::vector<std::string>& candidates);

}  // namespace netprobe
