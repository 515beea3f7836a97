#include "adhoc.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "json_input.hpp"
#include "url.hpp"

namespace netprobe {
namespace {

std::vector<Cidr> read_cidrs(const Field& list) {
  std::vector<Cidr> cidrs;
  for (const Field& item : list.as_list()) {
    const std::string text = item.as_string();
    auto cidr = parse_cidr(text);
    if (!cidr) item.fail("invalid CIDR \"" + text + "\" (expected e.g. 10.0.0.0/8)");
    cidrs.push_back(*cidr);
  }
  return cidrs;
}

std::vector<std::string> read_suffixes(const Field& list) {
  std::vector<std::string> suffixes;
  for (const Field& item : list.as_list()) {
    std::string suffix = item.as_string();
    if (suffix.empty() || suffix == ".") item.fail("an empty suffix would allow every name");
    suffixes.push_back(std::move(suffix));
  }
  return suffixes;
}

Millis read_max_timeout(const Field& field) {
  const Millis timeout = field.as_duration();
  if (timeout < Millis{100}) field.fail("max_timeout must be at least 100ms");
  return timeout;
}

}  // namespace

AdhocConfig read_adhoc_config(const Field& field, bool with_rate) {
  AdhocConfig adhoc;
  MapReader map(field);
  std::vector<Cidr> cidrs = adhoc.allowlist.cidrs();
  std::vector<std::string> suffixes = adhoc.allowlist.suffixes();
  if (auto list = map.optional("allow_cidrs")) cidrs = read_cidrs(*list);
  if (auto list = map.optional("allow_suffixes")) suffixes = read_suffixes(*list);
  if (with_rate) {
    if (auto rate = map.optional("rate_per_minute")) adhoc.rate_per_minute = static_cast<int>(rate->as_int(1, 100'000));
  }
  if (auto timeout = map.optional("max_timeout")) adhoc.max_timeout = read_max_timeout(*timeout);
  map.finish();
  adhoc.allowlist = Allowlist(std::move(cidrs), std::move(suffixes));
  return adhoc;
}

nlohmann::ordered_json adhoc_to_json(const AdhocConfig& adhoc) {
  nlohmann::ordered_json cidrs = nlohmann::ordered_json::array();
  for (const Cidr& cidr : adhoc.allowlist.cidrs()) cidrs.push_back(cidr.text);
  return {{"allow_cidrs", std::move(cidrs)},
          {"allow_suffixes", adhoc.allowlist.suffixes()},
          {"max_timeout", format_duration(adhoc.max_timeout)}};
}

AdhocConfig adhoc_from_json(const nlohmann::json& value) {
  static const std::string source = "controller reply";  // Field keeps a reference to it
  return read_adhoc_config(Field(yaml_from_json(value), "adhoc", source), false);
}

std::vector<std::string> adhoc_target_hosts(const ProbeSpec& spec) {
  std::vector<std::string> hosts;
  std::visit(
      [&hosts](const auto& params) {
        using T = std::decay_t<decltype(params)>;
        if constexpr (std::is_same_v<T, DnsSpec>) {
          for (const std::string& server : params.servers) {
            if (auto endpoint = parse_endpoint(server, 53)) hosts.push_back(endpoint->host);
            else hosts.push_back(server);  // "auto"
          }
        } else if constexpr (std::is_same_v<T, TcpSpec>) {
          hosts.push_back(params.target.host);
        } else if constexpr (std::is_same_v<T, HttpSpec>) {
          if (auto url = parse_http_url(params.url)) hosts.push_back(url->host);
        } else {
          hosts.push_back(params.address.host);
        }
      },
      spec.params);
  return hosts;
}

std::variant<nlohmann::json, HttpResponse> read_adhoc_body(std::string_view body,
                                                           std::initializer_list<std::string_view> keys) {
  nlohmann::json value;
  try {
    value = parse_json_input(body);
  } catch (const JsonInputError& error) {
    return error_response(400, "malformed_json", std::string("body: ") + error.what());
  }
  if (!value.is_object()) return error_response(400, "invalid_field", "body: expected a JSON object");
  for (const auto& [key, item] : value.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string expected;
      for (std::string_view name : keys) expected += (expected.empty() ? "" : ", ") + std::string(name);
      return error_response(400, "invalid_field", key + ": unknown key (expected " + expected + ")");
    }
  }
  if (!value.contains("probe")) return error_response(400, "invalid_field", "probe: is required");
  return value;
}

std::variant<ProbeSpec, HttpResponse> read_adhoc_probe(const nlohmann::json& probe, const AdhocConfig& rules,
                                                       Millis default_timeout) {
  if (!probe.is_object()) return error_response(400, "invalid_field", "probe: expected a JSON object");
  ProbeSpec spec;
  try {
    // An ad hoc probe runs once: its interval only bounds its timeout, so the
    // cap is the interval and the reader's "timeout exceeds interval" cannot fire first.
    const Millis cap = std::max(rules.max_timeout, Millis{24 * 3600 * 1000});
    spec = parse_probe_json(probe, "probe", ProbeDefaults{cap, std::min(default_timeout, rules.max_timeout)});
  } catch (const ConfigError& error) {
    return error_response(400, "invalid_field", error.field().empty() ? "probe: " + error.message()
                                                                       : error.field() + ": " + error.message());
  }
  if (spec.timeout > rules.max_timeout) {
    return error_response(400, "invalid_field", "probe.timeout: " + format_duration(spec.timeout) +
                                                    " exceeds the ad hoc limit of " + format_duration(rules.max_timeout));
  }
  for (const std::string& host : adhoc_target_hosts(spec)) {
    if (!rules.allowlist.allows_host(host)) {
      return error_response(403, "target_not_allowed",
                            "target \"" + host + "\" is outside the ad hoc allowlist (adhoc.allow_cidrs, adhoc.allow_suffixes)");
    }
  }
  return spec;
}

}  // namespace netprobe
