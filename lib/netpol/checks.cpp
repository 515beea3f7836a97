#include "checks.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <functional>
#include <tuple>

#include "core/ip_address.hpp"
#include "eval.hpp"

namespace netprobe::netpol {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view wrong, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, wrong.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(wrong, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

namespace {

constexpr const char* kSyntheticDns = "kube-dns (assumed)";
constexpr const char* kSyntheticScraper = "prometheus (assumed)";

std::string describe(const LabelSelector& selector) {
  std::string text;
  for (const auto& [key, value] : selector.match_labels) {
    if (!text.empty()) text += ", ";
    text += key + ": " + value;
  }
  for (const LabelRequirement& requirement : selector.match_expressions) {
    if (!text.empty()) text += ", ";
    text += requirement.key;
    switch (requirement.op) {
      case LabelRequirement::Operator::in: text += " in (" ; break;
      case LabelRequirement::Operator::not_in: text += " notin ("; break;
      case LabelRequirement::Operator::exists: text += " exists"; break;
      case LabelRequirement::Operator::does_not_exist: text += " does not exist"; break;
    }
    if (!requirement.values.empty()) {
      for (std::size_t i = 0; i < requirement.values.size(); ++i) text += (i ? ", " : "") + requirement.values[i];
      text += ")";
    }
  }
  return "{" + text + "}";
}

// Sorted and comma-separated.
std::string join(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// "did you mean key: value?" for the first matchLabels entry no candidate carries.
std::string label_hint(const LabelSelector& selector, const std::vector<const Labels*>& candidates,
                       const std::string& what) {
  for (const auto& [key, value] : selector.match_labels) {
    std::set<std::string> values;
    bool has = false;
    for (const Labels* labels : candidates) {
      const auto found = labels->find(key);
      if (found == labels->end()) continue;
      values.insert(found->second);
      has = has || found->second == value;
    }
    if (has) continue;
    if (values.empty()) return "no " + what + " has a label \"" + key + "\"; check the key";
    const std::string best = nearest(value, {values.begin(), values.end()});
    if (!best.empty()) return "did you mean " + key + ": " + best + "?";
    return "no " + what + " has " + key + ": " + value + "; existing values: " +
           join({values.begin(), values.end()});
  }
  return "no " + what + " satisfies all of " + describe(selector);
}

class Checker {
 public:
  // With `only`, the findings of that namespace alone, and no work spent on the others.
  Checker(Cluster cluster, const CheckOptions& options, CheckScope scope, std::optional<std::string> only = std::nullopt)
      : cluster_(std::move(cluster)), options_(options), scope_(scope), only_(std::move(only)) {
    synthesize();
    evaluator_ = std::make_unique<PolicyEvaluator>(cluster_);
    for (const Pod& pod : cluster_.pods) namespaces_.insert(pod.ns);
    for (const Namespace& ns : cluster_.namespaces) namespaces_.insert(ns.name);
    for (const NetworkPolicy& policy : cluster_.policies) namespaces_.insert(policy.ns);
  }

  std::vector<Finding> run() {
    selectors();
    dns();
    metadata();
    scrapes();
    unprotected();
    const auto rank = [](const Finding& finding) {
      return finding.severity == "error" ? 0 : finding.severity == "warning" ? 1 : 2;
    };
    std::stable_sort(findings_.begin(), findings_.end(), [&](const Finding& a, const Finding& b) {
      return std::make_tuple(std::cref(a.ns), rank(a), std::cref(a.policy)) <
             std::make_tuple(std::cref(b.ns), rank(b), std::cref(b.policy));
    });
    return std::move(findings_);
  }

 private:
  bool synthetic(std::size_t pod) const { return pod >= real_pods_; }
  bool ours(const std::string& ns) const { return !only_ || ns == *only_; }

  void synthesize() {
    real_pods_ = cluster_.pods.size();
    const auto has = [&](const std::string& ns, const Labels& labels) {
      return std::any_of(cluster_.pods.begin(), cluster_.pods.end(), [&](const Pod& pod) {
        return pod.ns == ns && LabelSelector{labels, {}}.matches(pod.labels);
      });
    };
    if (!has(options_.dns_namespace, options_.dns_labels)) {
      Pod dns;
      dns.ns = options_.dns_namespace;
      dns.name = dns.workload = kSyntheticDns;
      dns.labels = options_.dns_labels;
      dns.ports = {{"dns", 53, Protocol::udp}, {"dns-tcp", 53, Protocol::tcp}};
      cluster_.pods.push_back(std::move(dns));
    }
    if (!has(options_.monitoring_namespace, options_.prometheus_labels)) {
      Pod scraper;
      scraper.ns = options_.monitoring_namespace;
      scraper.name = scraper.workload = kSyntheticScraper;
      scraper.labels = options_.prometheus_labels.empty()
                           ? Labels{{"app.kubernetes.io/name", "prometheus"}}
                           : options_.prometheus_labels;
      cluster_.pods.push_back(std::move(scraper));
    }
  }

  void add(const char* check, const char* severity, const NetworkPolicy* policy, std::string ns, std::string message,
           std::string hint) {
    Finding finding{check, severity, std::move(ns), "", std::move(message), std::move(hint), {}};
    if (policy != nullptr) {
      finding.policy = policy->name;
      finding.where = policy->where;
    }
    findings_.push_back(std::move(finding));
  }

  // ---- selector-matches-nothing ------------------------------------------------------

  std::vector<std::size_t> pods_in(const std::set<std::string>& namespaces) const {
    std::vector<std::size_t> pods;
    for (std::size_t i = 0; i < cluster_.pods.size(); ++i) {
      if (namespaces.count(cluster_.pods[i].ns)) pods.push_back(i);
    }
    return pods;
  }

  void selectors() {
    for (std::size_t p = 0; p < cluster_.policies.size(); ++p) {
      const NetworkPolicy& policy = cluster_.policies[p];
      if (!ours(policy.ns)) continue;
      if (scope_.pods && !policy.pod_selector.empty() && evaluator_->pods_selected_by(p).empty()) {
        std::vector<const Labels*> candidates;
        for (const std::size_t pod : pods_in({policy.ns})) {
          if (!synthetic(pod)) candidates.push_back(&cluster_.pods[pod].labels);
        }
        add("selector-matches-nothing", "error", &policy, policy.ns,
            "podSelector " + describe(policy.pod_selector) + " matches no pods in namespace " + policy.ns +
                ": the policy enforces nothing",
            label_hint(policy.pod_selector, candidates, "pod in " + policy.ns));
      }
      for (const auto* rules : {&policy.ingress, &policy.egress}) {
        const std::string direction = rules == &policy.ingress ? "ingress" : "egress";
        for (const PolicyRule& rule : *rules) {
          for (const PolicyPeer& peer : rule.peers) check_peer(policy, peer, direction);
        }
      }
    }
  }

  void check_peer(const NetworkPolicy& policy, const PolicyPeer& peer, const std::string& direction) {
    if (peer.ip_block) return;
    std::set<std::string> namespaces{policy.ns};
    if (peer.namespace_selector) {
      if (!scope_.namespaces) return;  // which namespaces it selects is not in the manifests
      namespaces.clear();
      for (const std::string& ns : namespaces_) {
        if (peer.namespace_selector->matches(evaluator_->namespace_labels(ns))) namespaces.insert(ns);
      }
      if (namespaces.empty() && !peer.namespace_selector->empty()) {
        std::vector<const Labels*> candidates;
        for (const std::string& ns : namespaces_) candidates.push_back(&evaluator_->namespace_labels(ns));
        add("selector-matches-nothing", "error", &policy, policy.ns,
            direction + " peer namespaceSelector " + describe(*peer.namespace_selector) + " matches no namespace",
            label_hint(*peer.namespace_selector, candidates, "namespace"));
        return;
      }
    }
    if (!scope_.pods || !peer.pod_selector || peer.pod_selector->empty()) return;
    std::vector<const Labels*> candidates;
    for (const std::size_t pod : pods_in(namespaces)) {
      if (peer.pod_selector->matches(cluster_.pods[pod].labels)) return;
      candidates.push_back(&cluster_.pods[pod].labels);
    }
    const std::string where = peer.namespace_selector ? "the selected namespaces" : "namespace " + policy.ns;
    add("selector-matches-nothing", "error", &policy, policy.ns,
        direction + " peer podSelector " + describe(*peer.pod_selector) + " matches no pods in " + where,
        label_hint(*peer.pod_selector, candidates, "pod in " + where));
  }

  // ---- dns ------------------------------------------------------------------------------

  // Findings for pods sharing the same deciding policy are merged into one.
  struct Group {
    const NetworkPolicy* policy = nullptr;
    std::vector<std::string> pods;
  };
  using Groups = std::map<std::pair<std::string, std::string>, Group>;  // (ns, policy) →

  void collect(Groups& groups, std::size_t pod, const std::vector<std::size_t>& policies) {
    const Pod& p = cluster_.pods[pod];
    const NetworkPolicy* policy = policies.empty() ? nullptr : &cluster_.policies[policies.front()];
    Group& group = groups[{p.ns, policy ? policy->name : ""}];
    group.policy = policy;
    group.pods.push_back(p.workload.empty() ? p.name : p.workload);
  }

  void dns() {
    std::vector<std::size_t> servers;
    for (std::size_t i = 0; i < cluster_.pods.size(); ++i) {
      const Pod& pod = cluster_.pods[i];
      if (pod.ns == options_.dns_namespace && LabelSelector{options_.dns_labels, {}}.matches(pod.labels)) {
        servers.push_back(i);
      }
    }
    const std::optional<IpAddress> nodelocal = parse_ip(options_.nodelocal_dns);
    const auto reaches = [&](std::size_t pod, Protocol protocol) {
      if (nodelocal &&
          evaluator_->may_connect(ConnectionEnd::of_pod(pod), ConnectionEnd::of_ip(*nodelocal), 53, protocol).egress.allowed) {
        return true;
      }
      return std::any_of(servers.begin(), servers.end(), [&](std::size_t server) {
        return evaluator_->may_connect(ConnectionEnd::of_pod(pod), ConnectionEnd::of_pod(server), 53, protocol).egress.allowed;
      });
    };
    Groups blocked;
    Groups tcp_blocked;
    for (std::size_t i = 0; i < real_pods_; ++i) {
      if (!ours(cluster_.pods[i].ns) || !evaluator_->isolated(i, Direction::egress)) continue;
      const auto& policies = evaluator_->policies_selecting(i, Direction::egress);
      if (!reaches(i, Protocol::udp)) collect(blocked, i, policies);
      else if (!reaches(i, Protocol::tcp)) collect(tcp_blocked, i, policies);
    }
    std::string target = options_.dns_namespace + "/" + describe(LabelSelector{options_.dns_labels, {}});
    std::string peer = "{namespaceSelector: {matchLabels: {" + std::string(kNamespaceNameLabel) + ": " +
                       options_.dns_namespace + "}}, podSelector: {matchLabels: {";
    for (const auto& [key, value] : options_.dns_labels) peer += key + ": " + value;
    peer += "}}}";
    if (nodelocal) {
      // Pods resolve through the node-local cache, which forwards to kube-dns:
      // the cache's address must be allowed too.
      target += " or NodeLocal DNSCache " + options_.nodelocal_dns;
      peer += ", {ipBlock: {cidr: " + options_.nodelocal_dns + "/32}}";
    }
    for (const auto& [key, group] : blocked) {
      add("dns-egress-blocked", "error", group.policy, key.first,
          "egress of " + join(group.pods) + " admits no DNS to " + target + " on UDP 53: name resolution fails",
          "add an egress rule: to: [" + peer + "], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]");
    }
    for (const auto& [key, group] : tcp_blocked) {
      add("dns-tcp-blocked", "warning", group.policy, key.first,
          "egress of " + join(group.pods) + " admits DNS to " + target +
              " on UDP 53 but not TCP 53: truncated answers and large records fail",
          "add {port: 53, protocol: TCP} next to UDP 53 in the DNS egress rule");
    }
  }

  // ---- metadata-blocked ---------------------------------------------------------------

  void metadata() {
    if (options_.metadata_severity == "off" || cluster_.service_accounts.empty()) return;
    const auto address = parse_ip(options_.metadata_address);
    if (!address) return;
    Groups blocked;
    std::map<std::pair<std::string, std::string>, std::string> annotation_of;
    for (std::size_t i = 0; i < real_pods_; ++i) {
      const Pod& pod = cluster_.pods[i];
      if (!ours(pod.ns)) continue;
      const auto account = std::find_if(cluster_.service_accounts.begin(), cluster_.service_accounts.end(),
                                        [&](const ServiceAccount& sa) {
                                          return sa.ns == pod.ns && sa.name == pod.service_account;
                                        });
      if (account == cluster_.service_accounts.end()) continue;
      const auto annotation = std::find_if(options_.iam_annotations.begin(), options_.iam_annotations.end(),
                                           [&](const std::string& key) { return account->annotations.count(key) > 0; });
      if (annotation == options_.iam_annotations.end()) continue;
      const ConnectionVerdict verdict = evaluator_->may_connect(ConnectionEnd::of_pod(i), ConnectionEnd::of_ip(*address),
                                                                options_.metadata_port, Protocol::tcp);
      if (verdict.egress.allowed) continue;
      // The deciding policy: one whose ipBlock covers the address (its except cuts
      // it out), else the first that isolates the pod.
      std::vector<std::size_t> policies = evaluator_->policies_selecting(i, Direction::egress);
      std::stable_partition(policies.begin(), policies.end(), [&](std::size_t p) {
        for (const PolicyRule& rule : cluster_.policies[p].egress) {
          for (const PolicyPeer& peer : rule.peers) {
            if (peer.ip_block && peer.ip_block->cidr.contains(*address)) return true;
          }
        }
        return false;
      });
      collect(blocked, i, policies);
      annotation_of[{pod.ns, policies.empty() ? "" : cluster_.policies[policies.front()].name}] =
          "service account " + pod.service_account + " has " + *annotation;
    }
    const std::string target = options_.metadata_address + ":" + std::to_string(options_.metadata_port);
    for (const auto& [key, group] : blocked) {
      add("metadata-blocked", options_.metadata_severity.c_str(), group.policy, key.first,
          "egress of " + join(group.pods) + " cannot reach the metadata endpoint " + target + " (TCP) although " +
              annotation_of[key] + ": cloud credentials will time out",
          "allow egress to {ipBlock: {cidr: " + options_.metadata_address + "/32}} on port " +
              std::to_string(options_.metadata_port) + "/TCP, or drop it from the ipBlock's except list");
    }
  }

  // ---- scrape-path-blocked ------------------------------------------------------------

  std::vector<std::pair<std::uint16_t, std::string>> metrics_ports(const Pod& pod) const {
    std::vector<std::pair<std::uint16_t, std::string>> ports;
    const auto scrape = pod.annotations.find("prometheus.io/scrape");
    const auto port = pod.annotations.find("prometheus.io/port");
    if (scrape != pod.annotations.end() && scrape->second == "true" && port != pod.annotations.end()) {
      unsigned number = 0;
      const std::string& text = port->second;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error == std::errc{} && end == text.data() + text.size() && number > 0 && number <= 65535) {
        ports.emplace_back(static_cast<std::uint16_t>(number), "prometheus.io/port annotation");
      }
    }
    for (const ContainerPort& container : pod.ports) {
      if (container.name != "metrics" || container.protocol != Protocol::tcp) continue;
      const bool seen = std::any_of(ports.begin(), ports.end(), [&](const auto& p) { return p.first == container.port; });
      if (!seen) ports.emplace_back(container.port, "container port \"metrics\"");
    }
    return ports;
  }

  void scrapes() {
    std::vector<std::size_t> scrapers;
    const LabelSelector selector{options_.prometheus_labels, {}};
    for (std::size_t i = 0; i < cluster_.pods.size(); ++i) {
      const Pod& pod = cluster_.pods[i];
      if (pod.ns == options_.monitoring_namespace && selector.matches(pod.labels)) scrapers.push_back(i);
    }
    for (std::size_t i = 0; i < real_pods_; ++i) {
      const Pod& pod = cluster_.pods[i];
      if (!ours(pod.ns)) continue;
      for (const auto& [port, why] : metrics_ports(pod)) {
        const NetworkPolicy* blocking = nullptr;
        bool reached = false;
        for (const std::size_t scraper : scrapers) {
          if (scraper == i) {
            reached = true;
            break;
          }
          const ConnectionVerdict verdict =
              evaluator_->may_connect(ConnectionEnd::of_pod(scraper), ConnectionEnd::of_pod(i), port, Protocol::tcp);
          if (verdict.allowed) {
            reached = true;
            break;
          }
          const std::size_t deciding_pod = verdict.ingress.allowed ? scraper : i;
          const Direction direction = verdict.ingress.allowed ? Direction::egress : Direction::ingress;
          const auto& policies = evaluator_->policies_selecting(deciding_pod, direction);
          if (blocking == nullptr && !policies.empty()) blocking = &cluster_.policies[policies.front()];
        }
        if (reached || scrapers.empty()) continue;
        const std::string name = pod.workload.empty() ? pod.name : pod.workload;
        add("scrape-path-blocked", "error", blocking, pod.ns,
            "namespace " + options_.monitoring_namespace + " cannot reach " + name + " on metrics port " +
                std::to_string(port) + "/TCP (" + why + "): scrapes time out",
            "allow ingress from {namespaceSelector: {matchLabels: {" + std::string(kNamespaceNameLabel) + ": " +
                options_.monitoring_namespace + "}}} on port " + std::to_string(port) + "/TCP");
      }
    }
  }

  // ---- unprotected-workload -----------------------------------------------------------

  void unprotected() {
    std::map<std::string, std::vector<std::string>> bare;
    std::set<std::string> with_policies;
    for (const NetworkPolicy& policy : cluster_.policies) with_policies.insert(policy.ns);
    for (std::size_t i = 0; i < real_pods_; ++i) {
      const Pod& pod = cluster_.pods[i];
      if (!ours(pod.ns) || !with_policies.count(pod.ns)) continue;
      if (evaluator_->isolated(i, Direction::ingress) || evaluator_->isolated(i, Direction::egress)) continue;
      bare[pod.ns].push_back(pod.workload.empty() ? pod.name : pod.workload);
    }
    for (const auto& [ns, pods] : bare) {
      add("unprotected-workload", "info", nullptr, ns,
          "namespace " + ns + " has NetworkPolicies but no policy selects " + join(pods) +
              ": all traffic to and from them is allowed",
          "add a default-deny policy (podSelector: {}) or a policy selecting them");
    }
  }

  Cluster cluster_;
  const CheckOptions& options_;
  CheckScope scope_;
  std::optional<std::string> only_;
  std::size_t real_pods_ = 0;
  std::unique_ptr<PolicyEvaluator> evaluator_;
  std::set<std::string> namespaces_;
  std::vector<Finding> findings_;
};

}  // namespace

CheckScope scope_of(const Cluster& cluster) { return CheckScope{!cluster.pods.empty(), !cluster.namespaces.empty()}; }

std::vector<std::string> skipped_checks(const CheckScope& scope) {
  std::vector<std::string> skipped;
  if (!scope.pods) {
    skipped.push_back("no pods or workloads in the manifests: podSelectors are not checked for matching nothing "
                      "(add the workloads' manifests, or `kubectl get pods -A -o json`, to check them)");
  }
  if (!scope.namespaces) {
    skipped.push_back("no Namespace objects in the manifests: namespaceSelectors are not checked for matching nothing "
                      "(add `kubectl get namespaces -o json` to check them)");
  }
  return skipped;
}

std::vector<Finding> run_checks(const Cluster& cluster, const CheckOptions& options) {
  return Checker(cluster, options, scope_of(cluster)).run();
}

std::vector<Finding> run_checks_of_namespace(Cluster cluster, const std::string& ns, const CheckOptions& options,
                                             CheckScope scope) {
  return Checker(std::move(cluster), options, scope, ns).run();
}

std::optional<LabelSelector> corrected_selector(const LabelSelector& selector,
                                               const std::vector<const Labels*>& candidates) {
  LabelSelector corrected = selector;
  bool changed = false;
  for (auto& [key, value] : corrected.match_labels) {
    std::set<std::string> values;
    for (const Labels* labels : candidates) {
      if (const auto found = labels->find(key); found != labels->end()) values.insert(found->second);
    }
    if (values.contains(value)) continue;
    const std::string best = nearest(value, {values.begin(), values.end()});
    if (best.empty()) return std::nullopt;
    value = best;
    changed = true;
  }
  if (!changed) return std::nullopt;
  return corrected;
}

}  // namespace netprobe::netpol
