#include "partitioned.hpp"

#include <algorithm>
#include <set>

namespace netprobe::netpol {

std::vector<const Pod*> NamespaceObjects::analysed_pods() const {
  std::vector<const Pod*> out;
  out.reserve(pods.size());
  std::set<std::pair<std::string_view, std::string_view>> running;  // (kind, name) of workloads with live pods
  for (const auto& [name, pod] : pods) {
    out.push_back(&pod);
    if (!workloads.empty()) running.emplace(pod.workload_kind, pod.workload);
  }
  for (const auto& [key, workload] : workloads) {
    if (!running.count({workload.workload_kind, workload.workload})) out.push_back(&workload);
  }
  return out;
}

std::size_t PartitionedCluster::pod_count() const {
  std::size_t count = 0;
  for (const auto& [ns, held] : objects) count += held->analysed_pods().size();
  return count;
}

std::size_t PartitionedCluster::policy_count() const {
  std::size_t count = 0;
  for (const auto& [ns, held] : objects) count += held->policies.size();
  return count;
}

Cluster flatten(const PartitionedCluster& cluster) {
  Cluster out;
  for (const auto& [name, ns] : cluster.namespaces) out.namespaces.push_back(ns);
  for (const auto& [name, objects] : cluster.objects) {
    for (const Pod* pod : objects->analysed_pods()) out.pods.push_back(*pod);
    for (const auto& [policy_name, policy] : objects->policies) out.policies.push_back(policy);
    for (const auto& [account_name, account] : objects->service_accounts) out.service_accounts.push_back(account);
  }
  return out;
}

PartitionedCluster partition(const Cluster& cluster) {
  PartitionedCluster out;
  std::map<std::string, NamespaceObjects> objects;
  for (const Namespace& ns : cluster.namespaces) out.namespaces[ns.name] = ns;
  for (const Pod& pod : cluster.pods) objects[pod.ns].pods[pod.name] = pod;
  for (const NetworkPolicy& policy : cluster.policies) objects[policy.ns].policies[policy.name] = policy;
  for (const ServiceAccount& account : cluster.service_accounts) objects[account.ns].service_accounts[account.name] = account;
  for (auto& [ns, held] : objects) out.objects[ns] = std::make_shared<const NamespaceObjects>(std::move(held));
  return out;
}

bool is_dns_server(const Pod& pod, const CheckOptions& options) {
  return pod.ns == options.dns_namespace && LabelSelector{options.dns_labels, {}}.matches(pod.labels);
}

bool is_scraper(const Pod& pod, const CheckOptions& options) {
  return pod.ns == options.monitoring_namespace && LabelSelector{options.prometheus_labels, {}}.matches(pod.labels);
}

bool holds_checked_address(const Pod& pod, const CheckOptions& options) {
  if (!pod.ip) return false;
  for (const std::string* address : {&options.nodelocal_dns, &options.metadata_address}) {
    if (parse_ip(*address) == pod.ip) return true;
  }
  return false;
}

NamespaceViews::NamespaceViews(const PartitionedCluster& cluster, const CheckOptions& options)
    : cluster_(cluster), options_(options) {
  const auto know = [&](const std::string& name, const Namespace* declared) {
    Known& known = namespaces_[name];
    if (declared != nullptr) {
      known.declared = declared;
      known.labels = declared->labels;
    }
    known.labels[std::string(kNamespaceNameLabel)] = name;
  };
  for (const auto& [name, ns] : cluster.namespaces) know(name, &ns);
  for (const auto& [name, objects] : cluster.objects) {
    if (!namespaces_.count(name)) know(name, nullptr);
  }

  const std::optional<IpAddress> nodelocal = parse_ip(options.nodelocal_dns);
  const std::optional<IpAddress> metadata = parse_ip(options.metadata_address);
  std::set<std::string> policy_namespaces{options.dns_namespace, options.monitoring_namespace};
  const auto take = [&](const std::string& ns, bool all_pods_look) {
    const auto found = cluster.objects.find(ns);
    if (found == cluster.objects.end()) return;
    for (const Pod* pod : found->second->analysed_pods()) {
      if (is_dns_server(*pod, options) || is_scraper(*pod, options)) shared_pods_.push_back(pod);
      else if (all_pods_look && pod->ip && (pod->ip == nodelocal || pod->ip == metadata)) {
        shared_pods_.push_back(pod);
        policy_namespaces.insert(pod->ns);
      }
    }
  };
  // DNS servers and scrapers live in their own namespaces; an address the checks
  // name could be any pod's, so that look goes over all of them.
  const bool addresses_checked = nodelocal || metadata;
  if (addresses_checked) {
    for (const auto& [ns, objects] : cluster.objects) take(ns, true);
  } else {
    take(options.dns_namespace, false);
    if (options.monitoring_namespace != options.dns_namespace) take(options.monitoring_namespace, false);
  }
  shared_policy_namespaces_.assign(policy_namespaces.begin(), policy_namespaces.end());
}

Cluster NamespaceViews::of(const std::string& ns) const {
  static const NamespaceObjects kNothing;
  const auto own_found = cluster_.objects.find(ns);
  const NamespaceObjects& own = own_found == cluster_.objects.end() ? kNothing : *own_found->second;

  std::set<std::string> wanted_namespaces{ns, options_.dns_namespace, options_.monitoring_namespace};
  std::set<const Pod*> pods;  // of other namespaces
  for (const Pod* pod : shared_pods_) pods.insert(pod);
  std::map<std::string, std::vector<const Pod*>> analysed;  // by namespace, as looked at
  const auto pods_of = [&](const std::string& name) -> const std::vector<const Pod*>& {
    const auto [slot, added] = analysed.try_emplace(name);
    if (added) {
      const auto found = cluster_.objects.find(name);
      if (found != cluster_.objects.end()) slot->second = found->second->analysed_pods();
    }
    return slot->second;
  };

  // What this namespace's peers look for: the namespaces their namespaceSelectors
  // pick (all of them when one picks none: its hint lists the candidates), and the
  // pods their podSelectors pick there (all of those namespaces' pods when none
  // matches, for the same reason).
  bool every_namespace = false;
  for (const auto& [name, policy] : own.policies) {
    for (const auto* rules : {&policy.ingress, &policy.egress}) {
      for (const PolicyRule& rule : *rules) {
        for (const PolicyPeer& peer : rule.peers) {
          if (peer.ip_block) continue;
          std::vector<std::string> picked{ns};
          if (peer.namespace_selector) {
            picked.clear();
            for (const auto& [candidate, known] : namespaces_) {
              if (peer.namespace_selector->matches(known.labels)) picked.push_back(candidate);
            }
            if (picked.empty()) every_namespace = true;
            wanted_namespaces.insert(picked.begin(), picked.end());
          }
          if (!peer.pod_selector || peer.pod_selector->empty()) continue;
          bool matched = false;
          for (const std::string& candidate : picked) {
            for (const Pod* pod : pods_of(candidate)) {
              if (peer.pod_selector->matches(pod->labels)) {
                pods.insert(pod);
                matched = true;
                break;
              }
            }
            if (matched) break;
          }
          if (matched) continue;
          for (const std::string& candidate : picked) {
            for (const Pod* pod : pods_of(candidate)) pods.insert(pod);
          }
        }
      }
    }
  }

  // Every namespace a pod or policy of the view is in, with its labels.
  std::set<std::string> pod_namespaces{ns};
  for (const Pod* pod : pods) {
    pod_namespaces.insert(pod->ns);
    wanted_namespaces.insert(pod->ns);
  }
  for (const std::string& name : shared_policy_namespaces_) wanted_namespaces.insert(name);

  Cluster view;
  const auto add_namespace = [&](const std::string& name) {
    const auto known = namespaces_.find(name);
    if (known == namespaces_.end()) return;
    view.namespaces.push_back(known->second.declared != nullptr ? *known->second.declared : Namespace{name, {}, {}});
  };
  if (every_namespace) {
    for (const auto& [name, known] : namespaces_) add_namespace(name);
  } else {
    for (const std::string& name : wanted_namespaces) add_namespace(name);
  }

  // In the API's order (namespace, then name), as flatten() has them.
  std::set<std::string> policy_namespaces(shared_policy_namespaces_.begin(), shared_policy_namespaces_.end());
  policy_namespaces.insert(ns);
  for (const std::string& name : pod_namespaces) {
    for (const Pod* pod : pods_of(name)) {  // in flatten()'s order
      if (name == ns || pods.count(pod)) view.pods.push_back(*pod);
    }
  }
  for (const std::string& name : policy_namespaces) {
    const auto found = cluster_.objects.find(name);
    if (found == cluster_.objects.end()) continue;
    for (const auto& [policy_name, policy] : found->second->policies) view.policies.push_back(policy);
  }
  for (const auto& [name, account] : own.service_accounts) view.service_accounts.push_back(account);
  return view;
}

}  // namespace netprobe::netpol
