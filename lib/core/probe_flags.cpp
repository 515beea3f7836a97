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
    const std::string key(flag->key);
    switch (flag->kind) {
      case Kind::option: break;
      case Kind::value:
        if (document[key]) throw ProbeFlagError("--" + name + " is given twice (it takes one value)");
        document[key] = value;
        break;
      case Kind::list: document[key].push_back(value); break;
      case Kind::header: {
        const auto colon = value.find(':');
        if (colon == std::string::npos || colon == 0) {
          throw ProbeFlagError("--" + name + ": expected 'Name: value', found \"" + value + "\"");
        }
        const std::string header = value.substr(0, colon);
        if (document[key][header]) throw ProbeFlagError("--" + name + ": " + header + " is given twice");
        document[key][header] = value.substr(std::min(value.find_first_not_of(' ', colon + 1), value.size()));
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
  const std::string_view key = field.substr(0, field.find_first_of(".["));
  for (std::span<const ProbeFlag> flags : {common_probe_flags(), probe_flags(type)}) {
    for (const ProbeFlag& flag : flags) {
      if (!flag.key.empty() && flag.key == key) return "--" + std::string(flag.name);
    }
  }
  return std::string(field);
}

}  // namespace netprobe
