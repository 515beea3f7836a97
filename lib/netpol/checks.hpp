#pragma once
// NetworkPolicy lint checks: the mistakes that break DNS, Prometheus scrapes and
// the cloud metadata endpoint, or that leave workloads silently unprotected.
// Pure: takes a Cluster (read by read.hpp), returns findings.
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check_options.hpp"
#include "model.hpp"

namespace netprobe::netpol {

struct Finding {
  std::string check;     // one of the ids above
  std::string severity;  // "error", "warning" or "info"
  std::string ns;
  std::string policy;    // the policy's name (without namespace); "" when none is involved
  std::string message;
  std::string hint;
  SourceRef where;       // the policy's file:line when known

  bool operator==(const Finding&) const = default;
};

// What the manifests hold to check selectors against. Policies kept in Git
// without their workloads (the usual CI case) have no pods and no Namespace
// objects: a selector matching nothing there says nothing of the cluster, so
// those checks are skipped rather than reported as errors.
struct CheckScope {
  bool pods = true;        // pods or workloads: podSelectors are checked
  bool namespaces = true;  // Namespace objects: namespaceSelectors are checked

  bool operator==(const CheckScope&) const = default;
};
CheckScope scope_of(const Cluster& cluster);
// One sentence per kind of check the scope skips, for people; empty when none is.
std::vector<std::string> skipped_checks(const CheckScope& scope);

// All checks the cluster's scope allows. Where the manifests lack a kube-dns pod or a scraper in the
// monitoring namespace, a stand-in with the configured labels is assumed.
// Findings are sorted by namespace, then severity (errors first), then policy.
std::vector<Finding> run_checks(const Cluster& cluster, const CheckOptions& options = {});
// The findings of one namespace only: those of run_checks whose `ns` is `ns`,
// with no work spent on the other namespaces' pods and policies. The cluster
// may be a part of one (incremental.hpp cuts the part that decides them), so
// the scope is the whole cluster's, given.
std::vector<Finding> run_checks_of_namespace(Cluster cluster, const std::string& ns, const CheckOptions& options,
                                             CheckScope scope = {});

// The selector with each matchLabels value that no candidate carries under its
// key replaced by the nearest value candidates do carry (selector-matches-nothing's
// "did you mean"); nullopt when some value has no near one, or nothing is wrong.
std::optional<LabelSelector> corrected_selector(const LabelSelector& selector, const std::vector<const Labels*>& candidates);

// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `wrong` (at most max(2, |wrong|/3) edits away), or "".
std::string nearest(std::string_view wrong, const std::vector<std::string>& candidates);

}  // namespace netprobe::netpol
