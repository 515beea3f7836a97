#pragma once
// A cluster held namespace by namespace, and the part of it that decides one
// namespace's findings.
//
// A policy selects pods of its own namespace only, so the findings of a
// namespace N depend on N's own pods, policies and service accounts, plus a few
// shared things: the namespaces' labels (namespaceSelectors), the DNS servers
// and the scrapers with their namespaces' policies (the other end of the DNS and
// scrape paths), the pods holding the NodeLocal or metadata address, and the
// pods that N's cross-namespace peer podSelectors look for. namespace_view()
// cuts exactly that part, so the checks over it (run_checks_of_namespace) give
// N's findings of run_checks over the whole cluster at the cost of N alone.
// Held this way, a live cluster of 150,000 pods is analysed again in
// milliseconds when one namespace changes (incremental.hpp).
//
// Each namespace's objects are shared, immutable once handed out: the store
// (kube/live_cluster) copies a namespace's objects before changing them only
// while an analysis still holds them, so a snapshot of the whole cluster costs
// one pointer per namespace.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "check_options.hpp"
#include "model.hpp"

namespace netprobe::netpol {

struct NamespaceObjects {
  std::map<std::string, Pod> pods;  // by name
  std::map<std::string, NetworkPolicy> policies;
  std::map<std::string, ServiceAccount> service_accounts;
  // Workloads (Deployments, StatefulSets, DaemonSets, CronJobs) as the pod their
  // template makes, by workload_key.
  std::map<std::string, Pod> workloads;

  bool empty() const { return pods.empty() && policies.empty() && service_accounts.empty() && workloads.empty(); }
  // The pods analysis sees: every live pod, and the template of each workload
  // that has none now (scaled to zero, or between a CronJob's runs), so the
  // policies meant for it do not read as selecting nothing. In a fixed order.
  std::vector<const Pod*> analysed_pods() const;
  bool operator==(const NamespaceObjects&) const = default;
};

// "Deployment/web": a workload's key among NamespaceObjects::workloads.
inline std::string workload_key(std::string_view kind, std::string_view name) {
  std::string key(kind);
  key += '/';
  key += name;
  return key;
}

struct PartitionedCluster {
  std::map<std::string, Namespace> namespaces;  // the declared ones, by name
  // By namespace name; only namespaces that hold objects. A namespace may hold
  // objects before (or without) its Namespace object, as in manifests.
  std::map<std::string, std::shared_ptr<const NamespaceObjects>> objects;

  std::size_t pod_count() const;  // analysed pods: live ones and workloads without any
  std::size_t policy_count() const;
};

// The whole cluster as one Cluster, ordered as the API lists objects
// (namespace, then name): what run_checks takes.
Cluster flatten(const PartitionedCluster& cluster);

// The other way, as the live store would hold what manifests declare: each
// pod of `cluster` a live pod (a Cluster does not tell workload templates
// apart), a later object of the same namespace and name replacing an earlier.
PartitionedCluster partition(const Cluster& cluster);

// Cuts the part of the cluster that decides one namespace's findings under
// `options` (see above). Pods and policies of other namespaces in a view are
// there as the other ends of paths and as selector candidates only. What every
// view shares (the namespaces' labels, the DNS servers, the scrapers) is found
// once, when constructed; the cluster must outlive it and not change.
class NamespaceViews {
 public:
  NamespaceViews(const PartitionedCluster& cluster, const CheckOptions& options);

  Cluster of(const std::string& ns) const;

 private:
  struct Known {
    const Namespace* declared = nullptr;  // null: implied by its objects
    Labels labels;                        // as selectors see them, with kNamespaceNameLabel
  };

  const PartitionedCluster& cluster_;
  const CheckOptions& options_;
  std::map<std::string, Known> namespaces_;  // declared and implied
  std::vector<const Pod*> shared_pods_;      // DNS servers, scrapers, holders of checked addresses
  std::vector<std::string> shared_policy_namespaces_;  // whose policies decide the shared pods' side
};

// Whether a pod is one of the DNS servers, or one of the scrapers, the checks
// evaluate paths to and from.
bool is_dns_server(const Pod& pod, const CheckOptions& options);
bool is_scraper(const Pod& pod, const CheckOptions& options);
// Whether a pod holds an address the checks name by IP (NodeLocal DNS, metadata).
bool holds_checked_address(const Pod& pod, const CheckOptions& options);

}  // namespace netprobe::netpol
