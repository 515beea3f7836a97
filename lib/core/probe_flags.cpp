#include "probe_flags.hpp"

#include <algorithm>
#include <array>

namespace netprobe {
namespace {

using Kind = ProbeFlag::Kind;

constexpr std::array kCommon{
    ProbeFlag{"timeout", "timeout", Kind::value, "deadline for the whole probe, e.g. 500ms, 2s (default 2s)"},
    ProbeFlag{"expect", "expect", Kind::value, "allow (default) or deny: deny succeeds when no connection is made"},
    ProbeFlag{"name", "name", Kind::value, "probe name in the result (default: the type)"},
};

// The first flag of each type is its positional argument.
constexpr std::array kDns{
    ProbeFlag{"query", "query", Kind::value, "NAME: the name to ask for; without a trailing dot it is still absolute, as in dig"},
    ProbeFlag{"server", "servers", Kind::list, "IP[:port] of a server to ask, or auto (/etc/resolv.conf); repeatable (default auto)"},
    ProbeFlag{"record", "record", Kind::value, "record type: A (default), AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT, CAA"},
    ProbeFlag{"transport", "transports", Kind::list, "udp or tcp, repeatable (default udp)"},
    ProbeFlag{"expect-rcode", "expect_rcode", Kind::value, "the rcode that passes (default NOERROR), e.g. NXDOMAIN"},
    ProbeFlag{"expect-answers", "expect_answers", Kind::toggle,
              "fail (dns_error) when the answer holds no record of the asked type (NODATA)"},
};
constexpr std::array kTcp{
    ProbeFlag{"target", "target", Kind::value, "HOST:PORT to connect to"},
    ProbeFlag{"resolver", "", Kind::option, "IP[:port] of the server that resolves HOST, repeatable (default /etc/resolv.conf)"},
};
constexpr std::array kHttp{
    ProbeFlag{"url", "url", Kind::value, "http:// or https:// URL"},
    ProbeFlag{"method", "method", Kind::value, "GET (default), HEAD, POST, PUT, OPTIONS, DELETE or PATCH"},
    ProbeFlag{"expect-status", "expect_status", Kind::list, "status or range that passes, repeatable (default 200-399)"},
    ProbeFlag{"header", "headers", Kind::header, "'Name: value' sent with the request, repeatable"},
    ProbeFlag{"ca-file", "", Kind::option, "https: a CA certificate file (PEM) to trust besides the system's"},
    ProbeFlag{"server-name", "tls.server_name", Kind::value,
              "https: the name sent as SNI and checked in the certificate (default: the URL's host)"},
    ProbeFlag{"insecure", "tls.insecure_skip_verify", Kind::toggle,
              "https: no certificate chain or name check (the handshake still runs)"},
    ProbeFlag{"resolver", "", Kind::option, "IP[:port] of the server that resolves the URL's host, repeatable"},
};
constexpr std::array kMetadata{
    ProbeFlag{"address", "address", Kind::value, "HOST:PORT of the metadata endpoint (default 169.254.169.254:80)"},  // not-a-destination
    ProbeFlag{"flavor", "flavor", Kind::value, "tcp (default: a connect), aws (the IMDSv2 token too), gcp or azure"},
    ProbeFlag{"resolver", "", Kind::option, "IP[:port] of the server that resolves HOST, repeatable"},
};

const ProbeFlag* find_flag(ProbeType type, std::string_view name) {
  for (std::span<const ProbeFlag> flags : {common_probe_flags(), probe_flags(type)}) {
    const auto found = std::find_if(flags.begin(), flags.end(), [&](const ProbeFlag& flag) { return flag.name == name; });
    if (found != flags.end()) return &*found;
  }
  return nullptr;
}

std::string type_list(const std::vector<ProbeType>& types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    out += i == 0 ? "" : i + 1 == types.size() ? " and " : ", ";
    out += to_string(types[i]);
  }
  return out;
}

}  // namespace

std::span<const ProbeFlag> common_probe_flags() { return kCommon; }

std::span<const ProbeFlag> probe_flags(ProbeType type) {
  switch (type) {
    case ProbeType::dns: return kDns;
    case ProbeType::tcp: return kTcp;
    case ProbeType::http: return kHttp;
    case ProbeType::metadata: return kMetadata;
  }
  return {};
}

const ProbeFlag& positional_flag(ProbeType type) { return probe_flags(type).front(); }

std::vector<ProbeType> types_with_flag(std::string_view name) {
  std::vector<ProbeType> types;
  for (const auto& entry : kProbeTypes) {
    const std::span<const ProbeFlag> flags = probe_flags(entry.value);
    if (std::any_of(flags.begin(), flags.end(), [&](const ProbeFlag& flag) { return flag.name == name; })) {
      types.push_back(entry.value);
    }
  }
  return types;
}

void require_flag_of(ProbeType type, std::string_view name) {
  if (find_flag(type, name) != nullptr) return;
  const std::vector<ProbeType> owners = types_with_flag(name);
  if (owners.empty()) throw ProbeFlagError("unknown flag --" + std::string(name));
  throw ProbeFlagError("--" + std::string(name) + " is a flag of " + type_list(owners) + " probes, not of " +
                       std::string(to_string(type)) + " probes");
}

YAML::Node probe_document(ProbeType type, const std::vector<std::pair<std::string, std::string>>& values) {
  YAML::Node document(YAML::NodeType::Map);
  document["type"] = std::string(to_string(type));
  for (const auto& [name, value] : values) {
    require_flag_of(type, name);
    const ProbeFlag* flag = find_flag(type, name);
    if (flag->kind == Kind::option) continue;
    // "tls.server_name": the map `tls` holds the key. A copy-constructed yaml-cpp node is a handle on the
    // same node (where assigning one would overwrite it), so writing to parent writes into document.
    const std::string_view dotted = flag->key;
    const auto dot = dotted.find('.');
    YAML::Node parent = dot == std::string_view::npos ? document : document[std::string(dotted.substr(0, dot))];
    const std::string key(dot == std::string_view::npos ? dotted : dotted.substr(dot + 1));
    switch (flag->kind) {
      case Kind::option: break;
      case Kind::value:
        if (parent[key]) throw ProbeFlagError("--" + name + " is given twice (it takes one value)");
        parent[key] = value;
        break;
      case Kind::toggle: parent[key] = true; break;
      case Kind::list: parent[key].push_back(value); break;
      case Kind::header: {
        const auto colon = value.find(':');
        if (colon == std::string::npos || colon == 0) {
          throw ProbeFlagError("--" + name + ": expected 'Name: value', found \"" + value + "\"");
        }
        const std::string header = value.substr(0, colon);
        if (parent[key][header]) throw ProbeFlagError("--" + name + ": " + header + " is given twice");
        parent[key][header] = value.substr(std::min(value.find_first_not_of(' ', colon + 1), value.size()));
        break;
      }
    }
  }
  if (type == ProbeType::dns && document["query"]) {
    const std::string query = document["query"].as<std::string>();
    if (!query.empty() && query.back() != '.') document["query"] = query + ".";
  }
  return document;
}

std::string flag_for_field(ProbeType type, std::string_view field) {
  // The longest key the field starts with: "tls.server_name" before "tls", "headers" for "headers.X".
  const ProbeFlag* best = nullptr;
  for (std::span<const ProbeFlag> flags : {common_probe_flags(), probe_flags(type)}) {
    for (const ProbeFlag& flag : flags) {
      if (flag.key.empty() || !field.starts_with(flag.key)) continue;
      const std::string_view rest = field.substr(flag.key.size());
      if (!rest.empty() && rest.front() != '.' && rest.front() != '[') continue;
      if (best == nullptr || flag.key.size() > best->key.size()) best = &flag;
    }
  }
  if (best != nullptr) return "--" + std::string(best->name);
  // A map some flags fill ("tls"): those flags.
  std::string within;
  for (const ProbeFlag& flag : probe_flags(type)) {
    if (flag.key.size() > field.size() && flag.key.starts_with(field) && flag.key[field.size()] == '.') {
      within += (within.empty() ? "--" : " or --") + std::string(flag.name);
    }
  }
  return within.empty() ? std::string(field) : within;
}

}  // namespace netprobe
