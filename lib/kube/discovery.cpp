#include "discovery.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/endpoint.hpp"

namespace netprobe::kube {
namespace {

// FNV-1a over the bytes, then a 64-bit finaliser (splitmix64) so keys that
// differ in one byte land far apart. Stable across builds and restarts.
std::uint64_t stable_hash(std::string_view a, std::string_view b) {
  std::uint64_t hash = 1469598103934665603ULL;
  const auto mix = [&](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
  };
  mix(a);
  mix("\x1f");
  mix(b);
  hash += 0x9e3779b97f4a7c15ULL;
  hash = (hash ^ (hash >> 30)) * 0xbf58476d1ce4e5b9ULL;
  hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebULL;
  return hash ^ (hash >> 31);
}

std::string with_port(const std::string& ip, std::uint16_t port) { return Endpoint{ip, port}.to_string(); }

std::shared_ptr<const ProbeSpec> dns_probe(const std::string& name, std::vector<std::string> servers,
                                           const DiscoverySettings& settings) {
  ProbeSpec spec;
  spec.name = name;
  spec.interval = settings.interval;
  spec.timeout = settings.timeout;
  DnsSpec dns;
  dns.servers = std::move(servers);
  dns.query = "kubernetes.default.svc." + settings.cluster_domain + ".";
  dns.transports = {DnsTransport::udp, DnsTransport::tcp};
  spec.params = std::move(dns);
  return std::make_shared<const ProbeSpec>(std::move(spec));
}

// The port a prometheus.io/port annotation names, or the first TCP port declared.
std::optional<std::uint16_t> scrape_port(const Annotations& annotations, const std::vector<ServicePort>& ports) {
  if (const auto port = annotations.find("prometheus.io/port"); port != annotations.end()) {
    const auto parsed = parse_endpoint("x:" + port->second);
    if (parsed) return parsed->port;
    return std::nullopt;
  }
  for (const ServicePort& declared : ports) {
    if (declared.protocol == "TCP") return declared.port;
  }
  return std::nullopt;
}

bool wants_scrape(const Annotations& annotations) {
  const auto scrape = annotations.find("prometheus.io/scrape");
  return scrape != annotations.end() && scrape->second == "true";
}

std::shared_ptr<const ProbeSpec> scrape_probe(const std::string& ip, std::uint16_t port, const Annotations& annotations,
                                              const DiscoverySettings& settings) {
  ProbeSpec spec;
  spec.name = "scrape";
  spec.interval = settings.scrape_interval;
  spec.timeout = settings.timeout;
  if (settings.scrape_mode == ScrapeMode::http) {
    std::string path = "/metrics";
    if (const auto found = annotations.find("prometheus.io/path"); found != annotations.end() && found->second.starts_with("/")) {
      path = found->second;
    }
    std::string scheme = "http";
    if (const auto found = annotations.find("prometheus.io/scheme"); found != annotations.end() && found->second == "https") {
      scheme = "https";
    }
    HttpSpec http;
    http.url = scheme + "://" + with_port(ip, port) + path;
    spec.params = std::move(http);
  } else {
    spec.params = TcpSpec{Endpoint{ip, port}};
  }
  return std::make_shared<const ProbeSpec>(std::move(spec));
}

using PodIndex = std::map<std::pair<std::string_view, std::string_view>, const PodRecord*>;  // (ns, name), into the input

// The pods behind a Service's ready endpoints, servable ones only, each once.
std::vector<const PodRecord*> ready_pods_of(const ServiceRecord& service, const std::vector<EndpointSliceRecord>& slices,
                                            const PodIndex& pods) {
  std::vector<const PodRecord*> out;
  for (const EndpointSliceRecord& slice : slices) {
    if (slice.ns != service.ns || slice.service != service.name) continue;
    for (const SliceEndpoint& endpoint : slice.endpoints) {
      const auto pod = pods.find({slice.ns, endpoint.pod});
      if (pod == pods.end() || !endpoint.ready || endpoint.terminating || !servable(*pod->second)) continue;
      if (std::find(out.begin(), out.end(), pod->second) == out.end()) out.push_back(pod->second);
    }
  }
  return out;
}

// A port given as a number, or as the name of one of the pod's container ports.
std::optional<std::uint16_t> port_of(const std::string& wanted, const PodRecord& pod) {
  if (wanted.empty()) return std::nullopt;
  if (const auto number = parse_endpoint("x:" + wanted)) return number->port;
  for (const ServicePort& port : pod.container_ports) {
    if (port.name == wanted) return port.port;
  }
  return std::nullopt;
}

}  // namespace

bool servable(const PodRecord& pod) {
  return pod.running && pod.ready && !pod.terminating && !pod.host_network && !pod.ip.empty();
}

std::vector<DiscoveredProbe> discover(const DiscoveryInput& input, const DiscoverySettings& settings) {
  std::vector<DiscoveredProbe> out;
  if (!settings.enabled) return out;
  PodIndex pods;
  for (const auto& pod : input.pods) pods[{pod->ns, pod->name}] = pod.get();

  // DNS: the Service's ClusterIP, and every ready endpoint behind it.
  const std::string dns_source = settings.dns_namespace + "/" + settings.dns_service;
  for (const ServiceRecord& service : input.services) {
    if (service.ns != settings.dns_namespace || service.name != settings.dns_service || service.cluster_ips.empty()) continue;
    std::vector<std::string> servers;
    for (const std::string& ip : service.cluster_ips) servers.push_back(with_port(ip, 53));
    out.push_back(DiscoveredProbe{dns_probe("kube-dns-service", servers, settings), "Service " + dns_source, true, "", ""});
  }
  std::set<std::string> endpoint_servers;
  std::vector<std::string> slice_names;
  for (const EndpointSliceRecord& slice : input.slices) {
    if (slice.ns != settings.dns_namespace || slice.service != settings.dns_service) continue;
    slice_names.push_back(slice.name);
    for (const SliceEndpoint& endpoint : slice.endpoints) {
      if (!endpoint.ready || endpoint.terminating) continue;
      for (const std::string& address : endpoint.addresses) endpoint_servers.insert(with_port(address, 53));
    }
  }
  if (!endpoint_servers.empty()) {
    std::sort(slice_names.begin(), slice_names.end());
    std::string source = "EndpointSlice";
    for (const std::string& name : slice_names) source += " " + settings.dns_namespace + "/" + name;
    out.push_back(DiscoveredProbe{
        dns_probe("kube-dns-endpoints", {endpoint_servers.begin(), endpoint_servers.end()}, settings), source, true, "", ""});
  }

  // NodeLocal DNSCache, when its pods run.
  const auto nodelocal = std::find_if(input.pods.begin(), input.pods.end(), [&](const auto& pod) {
    const auto app = pod->labels.find("k8s-app");
    return app != pod->labels.end() && app->second == settings.nodelocal_label && pod->running;
  });
  if (nodelocal != input.pods.end() && !settings.nodelocal_address.empty()) {
    out.push_back(DiscoveredProbe{dns_probe("nodelocal-dns", {with_port(settings.nodelocal_address, 53)}, settings),
                                  "Pod " + (*nodelocal)->ns + "/" + (*nodelocal)->name, true, "", ""});
  }

  // Scrape targets: annotated pods, and the ready endpoints of annotated Services.
  std::set<std::string> scraped;  // "ip:port", once each however it was found
  const auto add_scrape = [&](const PodRecord& pod, std::uint16_t port, const Annotations& annotations,
                              const std::string& source) {
    const std::string target = with_port(pod.ip, port);
    if (!scraped.insert(target).second) return;
    out.push_back(DiscoveredProbe{scrape_probe(pod.ip, port, annotations, settings), source, false,
                                  pod.ns + "/" + pod.name + ":" + std::to_string(port), ""});
  };
  // Monitors first: they say exactly what Prometheus scrapes.
  for (const MonitorRecord& monitor : input.monitors) {
    const std::string source = std::string(monitor.pods ? "PodMonitor " : "ServiceMonitor ") + monitor.ns + "/" + monitor.name;
    const auto in_scope = [&](const std::string& ns) {
      if (monitor.any_namespace) return true;
      if (monitor.namespaces.empty()) return ns == monitor.ns;
      return std::find(monitor.namespaces.begin(), monitor.namespaces.end(), ns) != monitor.namespaces.end();
    };
    for (const MonitorEndpoint& endpoint : monitor.endpoints) {
      const Annotations how{{"prometheus.io/path", endpoint.path}, {"prometheus.io/scheme", endpoint.scheme}};
      if (monitor.pods) {
        for (const auto& held : input.pods) {
          const PodRecord& pod = *held;
          if (!in_scope(pod.ns) || !monitor.selector.matches(pod.labels) || !servable(pod)) continue;
          const std::string wanted = endpoint.port.empty() ? endpoint.target_port : endpoint.port;
          if (const auto port = port_of(wanted, pod)) add_scrape(pod, *port, how, source);
        }
        continue;
      }
      for (const ServiceRecord& service : input.services) {
        if (!in_scope(service.ns) || !monitor.selector.matches(service.labels)) continue;
        std::string target = endpoint.target_port;
        if (target.empty()) {
          const auto named = std::find_if(service.ports.begin(), service.ports.end(),
                                          [&](const ServicePort& port) { return port.name == endpoint.port; });
          if (named == service.ports.end()) continue;
          target = named->target_port.empty() ? std::to_string(named->port) : named->target_port;
        }
        for (const PodRecord* pod : ready_pods_of(service, input.slices, pods)) {
          if (const auto port = port_of(target, *pod)) add_scrape(*pod, *port, how, source);
        }
      }
    }
  }
  for (const auto& held : input.pods) {
    const PodRecord& pod = *held;
    if (!wants_scrape(pod.annotations) || !servable(pod)) continue;
    if (const auto port = scrape_port(pod.annotations, pod.container_ports)) {
      add_scrape(pod, *port, pod.annotations, "Pod " + pod.ns + "/" + pod.name);
    }
  }
  for (const ServiceRecord& service : input.services) {
    if (!wants_scrape(service.annotations)) continue;
    for (const PodRecord* pod : ready_pods_of(service, input.slices, pods)) {
      const auto port = scrape_port(service.annotations, pod->container_ports);
      if (port) add_scrape(*pod, *port, service.annotations, "Service " + service.ns + "/" + service.name);
    }
  }
  return out;
}

std::vector<std::string> assign_agents(const std::string& key, const std::vector<std::string>& agents, std::size_t count) {
  std::vector<std::pair<std::uint64_t, const std::string*>> ranked;
  ranked.reserve(agents.size());
  for (const std::string& agent : agents) ranked.emplace_back(stable_hash(agent, key), &agent);
  const std::size_t kept = std::min(count, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept), ranked.end(),
                    [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : *a.second < *b.second; });
  std::vector<std::string> chosen;
  for (std::size_t i = 0; i < kept; ++i) chosen.push_back(*ranked[i].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::string agents_namespace(const std::vector<std::string>& namespaces,
                             const std::function<bool(const std::string&)>& runs_daemonset) {
  std::map<std::string, std::size_t> counts;
  for (const std::string& ns : namespaces) ++counts[ns];
  std::size_t most = 0;
  for (const auto& entry : counts) most = std::max(most, entry.second);
  std::vector<std::string> tied;  // by name
  for (const auto& [ns, count] : counts) {
    if (count == most) tied.push_back(ns);
  }
  if (tied.size() > 1 && runs_daemonset) {
    for (const std::string& ns : tied) {
      if (runs_daemonset(ns)) return ns;
    }
  }
  return tied.empty() ? std::string() : tied.front();
}

std::vector<std::shared_ptr<const ProbeSpec>> Assignment::for_agent(const std::string& node, const std::string& ns) const {
  std::vector<std::shared_ptr<const ProbeSpec>> probes = every_agent;
  if (!agents_namespace.empty() && ns != agents_namespace) return probes;
  if (const auto found = by_node.find(node); found != by_node.end()) {
    probes.insert(probes.end(), found->second.begin(), found->second.end());
  }
  return probes;
}

Assignment assign(const std::vector<DiscoveredProbe>& probes, const std::vector<std::string>& agents,
                  std::size_t scrape_agents, std::string agents_namespace) {
  Assignment assignment;
  assignment.agents_namespace = std::move(agents_namespace);
  assignment.agents_of.resize(probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const DiscoveredProbe& probe = probes[i];
    if (probe.every_agent) {
      assignment.every_agent.push_back(probe.spec);
      continue;
    }
    assignment.agents_of[i] = assign_agents(probe.target_key, agents, scrape_agents);
    for (const std::string& node : assignment.agents_of[i]) assignment.by_node[node].push_back(probe.spec);
  }
  return assignment;
}

std::vector<std::string> nodes_without_agent(const std::vector<NodeRecord>& nodes, const std::vector<std::string>& agents) {
  const std::set<std::string> reporting(agents.begin(), agents.end());
  std::vector<std::string> missing;
  for (const NodeRecord& node : nodes) {
    if (node.ready && node.schedulable && reporting.count(node.name) == 0) missing.push_back(node.name);
  }
  std::sort(missing.begin(), missing.end());
  return missing;
}

}  // namespace netprobe::kube
