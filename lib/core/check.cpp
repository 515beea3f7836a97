#include "check.hpp"

#include <algorithm>

namespace netprobe {
namespace {

std::vector<Endpoint> dns_servers(const DnsSpec& dns, std::span<const Endpoint> system_nameservers) {
  std::vector<Endpoint> servers;
  auto add = [&servers](const Endpoint& server) {
    if (std::find(servers.begin(), servers.end(), server) == servers.end()) servers.push_back(server);
  };
  for (const std::string& entry : dns.servers) {
    if (entry == kAutoServers) {
      for (const Endpoint& server : system_nameservers) add(server);
    } else if (auto server = parse_endpoint(entry, 53)) {
      add(*server);
    }
  }
  return servers;
}

std::string url_scheme(const std::string& url) {
  const auto colon = url.find("://");
  return colon == std::string::npos ? "http" : url.substr(0, colon);
}

}  // namespace

std::vector<Check> expand_checks(const std::shared_ptr<const ProbeSpec>& probe,
                                 std::span<const Endpoint> system_nameservers) {
  std::vector<Check> checks;
  const ProbeSpec& spec = *probe;
  switch (spec.type()) {
    case ProbeType::dns: {
      const auto& dns = std::get<DnsSpec>(spec.params);
      for (const Endpoint& server : dns_servers(dns, system_nameservers)) {
        for (DnsTransport transport : dns.transports) {
          checks.push_back(Check{probe, server.to_string(), std::string(to_string(transport)), server,
                                 transport, nullptr});
        }
      }
      break;
    }
    case ProbeType::tcp:
      checks.push_back(Check{probe, std::get<TcpSpec>(spec.params).target.to_string(), "tcp", {}, {}, nullptr});
      break;
    case ProbeType::http: {
      const auto& http = std::get<HttpSpec>(spec.params);
      checks.push_back(Check{probe, http.url, url_scheme(http.url), {}, {}, nullptr});
      break;
    }
    case ProbeType::metadata: {
      const auto& metadata = std::get<MetadataSpec>(spec.params);
      const char* transport = metadata.flavor == MetadataFlavor::tcp ? "tcp" : "http";
      checks.push_back(Check{probe, metadata.address.to_string(), transport, {}, {}, nullptr});
      break;
    }
  }
  return checks;
}

}  // namespace netprobe
