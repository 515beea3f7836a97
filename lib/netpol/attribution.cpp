#include "attribution.hpp"

#include <algorithm>
#include <set>

#include "core/endpoint.hpp"
#include "core/url.hpp"
#include "eval.hpp"

namespace netprobe::netpol {
namespace {

std::string port_text(std::uint16_t port, Protocol protocol) {
  return std::to_string(port) + "/" + std::string(to_string(protocol));
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& items) {
  for (const std::string& item : items) {
    if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
  }
}

PolicyAttribution unknown(std::string reason) { return PolicyAttribution{PolicyVerdict::unknown, std::nullopt, {}, std::move(reason)}; }

PolicyAttribution allowed(std::string reason, std::vector<std::string> policies = {}) {
  return PolicyAttribution{PolicyVerdict::allowed, std::nullopt, std::move(policies), std::move(reason)};
}

// What an outcome proves without the model: a path that answered is open.
std::optional<PolicyAttribution> from_outcome(Outcome outcome, Expect expect) {
  if (expect == Expect::deny) return std::nullopt;  // it failed by connecting: the model says whether it should have
  switch (outcome) {
    case Outcome::token_timeout:
      return allowed("not a policy: the metadata endpoint took the connection, but the IMDSv2 token never came back "
                     "(its PUT hop limit, 1 by default, does not reach a pod's network namespace)");
    case Outcome::nxdomain:
    case Outcome::servfail:
    case Outcome::dns_refused:
    case Outcome::dns_error:
    case Outcome::http_status:
    case Outcome::tls_error:
    case Outcome::reset:
      return allowed("not a policy: an answer came back (" + std::string(to_string(outcome)) +
                     "), so the path is open; " + std::string(likely_cause(outcome)));
    case Outcome::resolve_error:
      return unknown("the target's host name did not resolve, so its path was never tried: see the DNS checks");
    default:
      return std::nullopt;
  }
}

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  Protocol protocol = Protocol::tcp;
};

std::optional<HostPort> probed_address(const ProbedPath& path) {
  if (path.type == ProbeType::http) {
    const auto url = parse_http_url(path.target);
    if (!url) return std::nullopt;
    return HostPort{url->host, url->port, Protocol::tcp};
  }
  const auto endpoint = parse_endpoint(path.target);
  if (!endpoint || endpoint->port == 0) return std::nullopt;
  const bool udp = path.type == ProbeType::dns && path.transport == "udp";
  return HostPort{endpoint->host, endpoint->port, udp ? Protocol::udp : Protocol::tcp};
}

// "web.shop.svc.cluster.local.", "web.shop.svc" and "web.shop" name Service
// shop/web (the last through a pod's search path); anything else is no Service's.
std::optional<std::pair<std::string, std::string>> service_name(std::string host) {
  if (!host.empty() && host.back() == '.') host.pop_back();
  std::vector<std::string> labels;
  for (std::size_t start = 0;;) {
    const std::size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (labels.size() == 2 || (labels.size() >= 3 && labels[2] == "svc")) return std::pair{labels[1], labels[0]};
  return std::nullopt;
}

// The port a Service port leads to on one of its pods, or nullopt with why.
std::optional<std::uint16_t> backend_port(const ServiceBackends& service, std::uint16_t port, Protocol protocol,
                                          const Pod& pod, std::string& why) {
  const auto mapped = std::find_if(service.ports.begin(), service.ports.end(), [&](const ServiceBackends::Port& p) {
    return p.port == port && p.protocol == protocol;
  });
  if (mapped == service.ports.end()) {
    why = "Service " + service.id() + " has no port " + port_text(port, protocol);
    return std::nullopt;
  }
  const std::string& target = mapped->target_port;
  if (target.empty()) return port;
  if (std::all_of(target.begin(), target.end(), [](char c) { return c >= '0' && c <= '9'; }) && target.size() <= 5) {
    const int number = std::stoi(target);
    if (number >= 1 && number <= 65535) return static_cast<std::uint16_t>(number);
  }
  for (const ContainerPort& declared : pod.ports) {
    if (declared.name == target && declared.protocol == protocol) return declared.port;
  }
  why = "pod " + pod.ns + "/" + pod.name + " declares no " + std::string(to_string(protocol)) + " port named \"" +
        target + "\", which Service " + service.id() + " targets";
  return std::nullopt;
}

std::string isolation(std::string_view direction, const std::string& of, const DirectionVerdict& verdict) {
  return std::string(direction) + " of " + of + " is isolated by " + joined(verdict.isolated_by);
}

std::string admission(std::string_view direction, const DirectionVerdict& verdict) {
  if (!verdict.isolated) return std::string(direction) + " not isolated";
  return std::string(direction) + " admitted by " + joined(verdict.allowed_by);
}

}  // namespace

struct PathAttributor::Destination {
  std::string unknown;                // why it cannot be resolved; "" when it can
  std::string name;                   // as sentences name it: "kube-system/kube-dns", "169.254.169.254"
  const ServiceBackends* service = nullptr;
  std::vector<const Pod*> pods;       // behind the Service, or the pod with the IP
  std::optional<IpAddress> outside;   // an address no pod has: only the source's ipBlock rules apply
  std::uint16_t port = 0;
  Protocol protocol = Protocol::tcp;
};

struct PathAttributor::Indexes {
  std::vector<std::pair<IpAddress, const ServiceBackends*>> services_by_ip;  // sorted
  std::map<std::string, const ServiceBackends*> services_by_id;
  // Built on first use: a cluster's pods are many, and most paths name a Service.
  std::optional<std::vector<std::pair<IpAddress, const Pod*>>> pods_by_ip;
  // The agents' namespaces' pods by IP and by node, built per namespace on first use.
  struct NamespacePods {
    std::vector<std::pair<IpAddress, const Pod*>> by_ip;  // sorted
    std::multimap<std::string, const Pod*> by_node;
  };
  std::map<std::string, NamespacePods> agent_namespaces;
};

namespace {

template <typename Value>
Value find_sorted(const std::vector<std::pair<IpAddress, Value>>& sorted, const IpAddress& ip) {
  const auto found = std::lower_bound(sorted.begin(), sorted.end(), ip,
                                      [](const auto& entry, const IpAddress& wanted) { return entry.first < wanted; });
  return found != sorted.end() && found->first == ip ? found->second : nullptr;
}

template <typename Value>
void sort_by_ip(std::vector<std::pair<IpAddress, Value>>& entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

}  // namespace

PathAttributor::PathAttributor(const PartitionedCluster& cluster, const std::vector<ServiceBackends>& services,
                               const CheckOptions& options)
    : cluster_(cluster), options_(options), indexes_(std::make_unique<Indexes>()) {
  for (const ServiceBackends& service : services) {
    indexes_->services_by_id.emplace(service.id(), &service);
    for (const IpAddress& ip : service.cluster_ips) indexes_->services_by_ip.emplace_back(ip, &service);
  }
  sort_by_ip(indexes_->services_by_ip);
}

PathAttributor::~PathAttributor() = default;

const Pod* PathAttributor::pod_with_ip(const IpAddress& ip) const {
  if (!indexes_->pods_by_ip) {
    auto& index = indexes_->pods_by_ip.emplace();
    for (const auto& [ns, objects] : cluster_.objects) {
      for (const auto& [name, pod] : objects->pods) {
        if (pod.ip) index.emplace_back(*pod.ip, &pod);
      }
    }
    sort_by_ip(index);
  }
  return find_sorted(*indexes_->pods_by_ip, ip);
}

PathAttributor::Destination PathAttributor::resolve(const ProbedPath& path) const {
  Destination destination;
  const std::optional<HostPort> address = probed_address(path);
  if (!address) {
    destination.unknown = "the target \"" + path.target + "\" names no host and port";
    return destination;
  }
  destination.port = address->port;
  destination.protocol = address->protocol;
  destination.name = address->host;

  const std::optional<IpAddress> ip = parse_ip(address->host);
  if (ip) destination.service = find_sorted(indexes_->services_by_ip, *ip);
  if (!ip) {
    const auto name = service_name(address->host);
    if (name) {
      const auto found = indexes_->services_by_id.find(name->first + "/" + name->second);
      if (found != indexes_->services_by_id.end()) destination.service = found->second;
    }
    if (destination.service == nullptr) {
      destination.unknown = "\"" + address->host +
                            "\" is a name, not a Service of the cluster: where it leads is not known here";
      return destination;
    }
  }
  if (destination.service != nullptr) {
    const ServiceBackends& service = *destination.service;
    destination.name = service.id();
    const auto objects = cluster_.objects.find(service.ns);
    for (const std::string& pod : service.pods) {
      if (objects == cluster_.objects.end()) break;
      const auto found = objects->second->pods.find(pod);
      if (found != objects->second->pods.end()) destination.pods.push_back(&found->second);
    }
    if (destination.pods.empty()) {
      destination.unknown = "no ready pod is behind Service " + service.id() +
                            ": there is nothing to connect to, whatever the policies say";
    }
    return destination;
  }
  if (const Pod* pod = pod_with_ip(*ip)) {
    destination.pods.push_back(pod);
    destination.name = display_name(*pod);
    return destination;
  }
  destination.outside = ip;
  if (address->host == options_.metadata_address) destination.name = "the metadata endpoint " + address->host;
  if (address->host == options_.nodelocal_dns) destination.name = "NodeLocal DNSCache at " + address->host;
  return destination;
}

namespace {

// The verdict of one source → destination-pod (or outside address) path.
struct PathVerdict {
  ConnectionVerdict verdict;
  std::string to;  // the destination as the ingress sentence names it
  std::uint16_t port = 0;
};

PolicyAttribution denial(const std::string& from, const std::string& destination_name, const PathVerdict& path,
                         Protocol protocol) {
  PolicyAttribution out;
  out.verdict = PolicyVerdict::denied;
  const std::string port = port_text(path.port, protocol);
  std::vector<std::string> parts;
  if (!path.verdict.egress.allowed) {
    parts.push_back(isolation("egress", from, path.verdict.egress) + "; no egress rule admits " + destination_name +
                    " on " + port);
    add_unique(out.policies, path.verdict.egress.isolated_by);
  }
  if (!path.verdict.ingress.allowed) {
    parts.push_back(isolation("ingress", path.to, path.verdict.ingress) + "; no ingress rule admits " + from + " on " +
                    port);
    add_unique(out.policies, path.verdict.ingress.isolated_by);
  }
  out.direction = parts.size() == 2          ? PolicyDirection::both
                  : path.verdict.egress.allowed ? PolicyDirection::ingress
                                                : PolicyDirection::egress;
  out.reason = parts.size() == 2 ? parts[0] + "; and " + parts[1] : parts[0];
  return out;
}

// "no NetworkPolicy blocks A → B on P (egress …, ingress …)"
PolicyAttribution admittance(const std::string& from, const std::string& destination_name, const PathVerdict& path,
                             Protocol protocol, bool outside) {
  std::vector<std::string> policies = path.verdict.egress.allowed_by;
  add_unique(policies, path.verdict.ingress.allowed_by);
  std::string how = admission("egress", path.verdict.egress);
  if (!outside) how += ", " + admission("ingress", path.verdict.ingress);
  return allowed("no NetworkPolicy blocks " + from + " → " + destination_name + " on " + port_text(path.port, protocol) +
                     " (" + how + ")",
                 std::move(policies));
}

}  // namespace

struct PathAttributor::SourcePod {
  const Pod* pod = nullptr;
  std::string unknown;  // why there is none
};

// The agent's pod among the pods of its namespace: by the address it
// advertises, else the only one on its node.
PathAttributor::SourcePod PathAttributor::find_source(const FailingSource& agent) const {
  auto [namespace_pods, inserted] = indexes_->agent_namespaces.try_emplace(agent.ns);
  Indexes::NamespacePods& pods = namespace_pods->second;
  if (inserted) {
    if (const auto objects = cluster_.objects.find(agent.ns); objects != cluster_.objects.end()) {
      for (const auto& [name, pod] : objects->second->pods) {
        if (pod.ip) pods.by_ip.emplace_back(*pod.ip, &pod);
        if (!pod.node.empty()) pods.by_node.emplace(pod.node, &pod);
      }
      sort_by_ip(pods.by_ip);
    }
  }
  const Pod* pod = agent.ip ? find_sorted(pods.by_ip, *agent.ip) : nullptr;
  if (pod == nullptr) {
    const auto [first, last] = pods.by_node.equal_range(agent.node);
    const auto count = std::distance(first, last);
    if (count > 1) {
      return {nullptr, "namespace " + agent.ns + " has " + std::to_string(count) + " pods on node " + agent.node +
                           " and the agent's address names none of them"};
    }
    if (count == 1) pod = first->second;
  }
  if (pod == nullptr) {
    return {nullptr, "the agent on node " + agent.node + " is not among the watched pods of namespace " + agent.ns};
  }
  if (pod->host_network) {
    return {nullptr, "the agent on node " + agent.node +
                         " runs on the host network, where the NetworkPolicy spec leaves policies' effect to the CNI"};
  }
  return {pod, ""};
}

const Pod* PathAttributor::agent_pod(const FailingSource& agent) const { return find_source(agent).pod; }

std::vector<PolicyAttribution> PathAttributor::explain(const ProbedPath& path,
                                                       const std::vector<FailingSource>& sources) const {
  std::vector<PolicyAttribution> out(sources.size());
  std::vector<const Pod*> source_pods(sources.size(), nullptr);
  std::optional<Destination> destination;  // resolved once, when the model is needed
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (auto proven = from_outcome(sources[i].outcome, path.expect)) {
      out[i] = std::move(*proven);
      continue;
    }
    if (!destination) destination = resolve(path);
    if (!destination->unknown.empty()) {
      out[i] = unknown(destination->unknown);
      continue;
    }
    SourcePod source = find_source(sources[i]);
    if (source.pod == nullptr) {
      out[i] = unknown(std::move(source.unknown));
      continue;
    }
    source_pods[i] = source.pod;
  }
  if (!destination || std::all_of(source_pods.begin(), source_pods.end(), [](const Pod* pod) { return pod == nullptr; })) {
    return out;
  }

  // The part of the cluster that decides these paths: the two ends and the
  // policies (and labels) of their namespaces.
  Cluster part;
  std::map<const Pod*, std::size_t> index_of;
  std::set<std::string> namespaces;
  const auto add_pod = [&](const Pod* pod) {
    if (index_of.emplace(pod, part.pods.size()).second) part.pods.push_back(*pod);
    namespaces.insert(pod->ns);
  };
  for (const Pod* pod : source_pods) {
    if (pod != nullptr) add_pod(pod);
  }
  for (const Pod* pod : destination->pods) add_pod(pod);
  for (const std::string& ns : namespaces) {
    if (const auto declared = cluster_.namespaces.find(ns); declared != cluster_.namespaces.end()) {
      part.namespaces.push_back(declared->second);
    }
    if (const auto objects = cluster_.objects.find(ns); objects != cluster_.objects.end()) {
      for (const auto& [name, policy] : objects->second->policies) part.policies.push_back(policy);
    }
  }
  const PolicyEvaluator evaluator(part);

  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (source_pods[i] == nullptr) continue;
    const Pod& from = *source_pods[i];
    const std::string from_id = display_name(from);
    const ConnectionEnd source = ConnectionEnd::of_pod(index_of.at(&from));
    std::vector<PathVerdict> verdicts;
    std::string why_not;
    if (destination->outside) {
      verdicts.push_back(PathVerdict{
          evaluator.may_connect(source, ConnectionEnd::of_ip(*destination->outside), destination->port, destination->protocol),
          destination->name, destination->port});
    }
    for (const Pod* to : destination->pods) {
      if (to->host_network) {
        why_not = "pod " + to->ns + "/" + to->name +
                  " runs on the host network, where the NetworkPolicy spec leaves policies' effect to the CNI";
        continue;
      }
      std::uint16_t port = destination->port;
      if (destination->service != nullptr) {
        const auto mapped = backend_port(*destination->service, destination->port, destination->protocol, *to, why_not);
        if (!mapped) continue;
        port = *mapped;
      }
      verdicts.push_back(PathVerdict{
          evaluator.may_connect(source, ConnectionEnd::of_pod(index_of.at(to)), port, destination->protocol),
          display_name(*to), port});
    }
    if (verdicts.empty()) {
      out[i] = unknown(why_not);
      continue;
    }
    const auto denied = std::count_if(verdicts.begin(), verdicts.end(), [](const PathVerdict& v) { return !v.verdict.allowed; });
    PolicyAttribution attribution;
    if (denied > 0) {
      const auto first = std::find_if(verdicts.begin(), verdicts.end(), [](const PathVerdict& v) { return !v.verdict.allowed; });
      attribution = denial(from_id, destination->name, *first, destination->protocol);
      if (static_cast<std::size_t>(denied) < verdicts.size()) {
        attribution.reason = "to " + std::to_string(denied) + " of the " + std::to_string(verdicts.size()) +
                             " pods behind " + destination->name + ": " + attribution.reason;
      }
    } else {
      attribution = admittance(from_id, destination->name, verdicts.front(), destination->protocol,
                               destination->outside.has_value());
    }
    const bool denied_in_model = attribution.verdict == PolicyVerdict::denied;
    if (path.expect == Expect::allow) {
      if (!denied_in_model) attribution.reason += ": look at the CNI, the node, DNS or the app";
    } else if (denied_in_model) {  // a deny probe fails by getting through
      attribution.reason += "; yet it got through (" + std::string(to_string(sources[i].outcome)) +
                            "): the policy is not enforced on this path (does the CNI enforce NetworkPolicy?)";
    } else {
      attribution.reason = "nothing is meant to block it: " + attribution.reason;
    }
    out[i] = std::move(attribution);
  }
  return out;
}

PolicyAttribution attribute_connection(const std::string& from, const std::string& destination, const std::string& to,
                                       const ConnectionVerdict& verdict, std::uint16_t port, Protocol protocol,
                                       bool outside) {
  const PathVerdict path{verdict, to, port};
  return verdict.allowed ? admittance(from, destination, path, protocol, outside)
                         : denial(from, destination, path, protocol);
}

PolicyAttribution without_live_model() {
  return unknown("no Kubernetes API: the controller does not watch the cluster's pods and policies");
}

}  // namespace netprobe::netpol
