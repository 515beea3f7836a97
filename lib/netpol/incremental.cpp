#include "incremental.hpp"

#include <algorithm>

namespace netprobe::netpol {
namespace {

const NamespaceObjects kNothing;

const NamespaceObjects& objects_of(const PartitionedCluster& cluster, const std::string& ns) {
  const auto found = cluster.objects.find(ns);
  return found == cluster.objects.end() ? kNothing : *found->second;
}

template <typename Keep>
std::vector<const Pod*> pods_where(const NamespaceObjects& objects, Keep keep) {
  std::vector<const Pod*> out;
  for (const Pod* pod : objects.analysed_pods()) {
    if (keep(*pod)) out.push_back(pod);
  }
  return out;
}

bool same_pods(const std::vector<const Pod*>& a, const std::vector<const Pod*>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Pod* x, const Pod* y) { return *x == *y; });
}

// Labels of a namespace as selectors see them.
Labels labels_of(const PartitionedCluster& cluster, const std::string& ns) {
  Labels labels;
  if (const auto found = cluster.namespaces.find(ns); found != cluster.namespaces.end()) labels = found->second.labels;
  labels[std::string(kNamespaceNameLabel)] = ns;
  return labels;
}

template <typename Visit>
void for_each_peer(const NamespaceObjects& objects, Visit visit) {
  for (const auto& [name, policy] : objects.policies) {
    for (const auto* rules : {&policy.ingress, &policy.egress}) {
      for (const PolicyRule& rule : *rules) {
        for (const PolicyPeer& peer : rule.peers) visit(peer);
      }
    }
  }
}

std::set<std::string> every_namespace(const PartitionedCluster& cluster) {
  std::set<std::string> all;
  for (const auto& [ns, objects] : cluster.objects) all.insert(ns);
  return all;
}

}  // namespace

std::set<std::string> affected_namespaces(const PartitionedCluster& previous, const PartitionedCluster& current,
                                          const CheckOptions& options) {
  std::set<std::string> affected;

  std::set<std::string> relabelled;
  for (const auto* side : {&previous, &current}) {
    const PartitionedCluster& other = side == &previous ? current : previous;
    for (const auto& [name, ns] : side->namespaces) {
      const auto found = other.namespaces.find(name);
      if (found == other.namespaces.end() || found->second.labels != ns.labels) relabelled.insert(name);
    }
  }

  std::set<std::string> changed;
  for (const auto* side : {&previous, &current}) {
    const PartitionedCluster& other = side == &previous ? current : previous;
    for (const auto& [name, objects] : side->objects) {
      const auto found = other.objects.find(name);
      if (found == other.objects.end() || found->second != objects) changed.insert(name);
    }
  }

  // Namespaces whose peers look at other namespaces' labels, and those whose peer
  // podSelectors look into other namespaces' pods (with the namespaceSelector that
  // says where).
  std::vector<std::string> selecting_namespaces;
  std::vector<std::pair<std::string, const LabelSelector*>> looking_into;
  for (const auto& entry : current.objects) {
    const std::string& ns = entry.first;  // a plain name: clang 14 cannot capture a structured binding
    bool selects = false;
    for_each_peer(*entry.second, [&](const PolicyPeer& peer) {
      if (!peer.namespace_selector) return;
      selects = true;
      if (peer.pod_selector && !peer.pod_selector->empty()) looking_into.emplace_back(ns, &*peer.namespace_selector);
    });
    if (selects) selecting_namespaces.push_back(ns);
  }

  if (!relabelled.empty()) {
    for (const std::string& ns : relabelled) {
      if (current.objects.count(ns)) affected.insert(ns);
    }
    affected.insert(selecting_namespaces.begin(), selecting_namespaces.end());
  }

  for (const std::string& ns : changed) {
    const NamespaceObjects& before = objects_of(previous, ns);
    const NamespaceObjects& after = objects_of(current, ns);
    if (current.objects.count(ns)) affected.insert(ns);

    // The other ends of every namespace's DNS and scrape paths.
    const auto shared = [&](auto keep) { return !same_pods(pods_where(before, keep), pods_where(after, keep)); };
    const bool policies_changed = before.policies != after.policies;
    if (ns == options.dns_namespace &&
        (policies_changed || shared([&](const Pod& pod) { return is_dns_server(pod, options); }))) {
      return every_namespace(current);
    }
    if (ns == options.monitoring_namespace &&
        (policies_changed || shared([&](const Pod& pod) { return is_scraper(pod, options); }))) {
      return every_namespace(current);
    }
    const auto holds = [&](const Pod& pod) { return holds_checked_address(pod, options); };
    if (!pods_where(before, holds).empty() || !pods_where(after, holds).empty()) return every_namespace(current);

    if (before.pods == after.pods && before.workloads == after.workloads) continue;
    const Labels labels = labels_of(current, ns);
    for (const auto& [looker, selector] : looking_into) {
      if (selector->matches(labels)) affected.insert(looker);
    }
  }
  return affected;
}

FindingList IncrementalAnalysis::update(std::shared_ptr<const PartitionedCluster> cluster,
                                                 const CheckOptions& options) {
  // What the whole cluster holds decides which checks run (netpol/checks.hpp, CheckScope): the
  // first pod or Namespace object, or the last gone, changes every namespace's findings.
  const CheckScope scope{cluster->pod_count() > 0, !cluster->namespaces.empty()};
  const bool same_scope = previous_ && scope == CheckScope{previous_->pod_count() > 0, !previous_->namespaces.empty()};
  const std::set<std::string> affected = previous_ && options == options_ && same_scope
                                             ? affected_namespaces(*previous_, *cluster, options)
                                             : every_namespace(*cluster);
  if (!affected.empty()) {  // the views' shared part is a look over every pod: not for nothing
    const NamespaceViews views(*cluster, options);
    for (const std::string& ns : affected) {
      std::vector<Finding> found = run_checks_of_namespace(views.of(ns), ns, options, scope);
      if (found.empty()) findings_.erase(ns);
      else findings_[ns] = std::make_shared<const std::vector<Finding>>(std::move(found));
    }
  }
  std::erase_if(findings_, [&](const auto& entry) { return !cluster->objects.count(entry.first); });
  checked_ = affected.size();
  previous_ = std::move(cluster);
  options_ = options;

  std::vector<FindingList::Chunk> chunks;
  chunks.reserve(findings_.size());
  for (const auto& [ns, found] : findings_) chunks.push_back(found);
  return FindingList(std::move(chunks));
}

}  // namespace netprobe::netpol
