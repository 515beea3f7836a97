#pragma once
// Ad hoc probes: what a caller may ask for, by whom it is checked, and the one
// reader both daemons use for a probe in a request body. The controller checks
// a probe before fanning it out; the agent checks it again (a holder of the
// agent token can call any agent directly), and then checks every address it
// connects to (Check::allowed_addresses). See docs/security.md.
#include <initializer_list>
#include <string_view>
#include <variant>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "allowlist.hpp"
#include "duration.hpp"
#include "http_message.hpp"
#include "probe_config.hpp"
#include "yaml_reader.hpp"

namespace netprobe {

struct AdhocConfig {
  Allowlist allowlist{{*parse_cidr("10.0.0.0/8"), *parse_cidr("172.16.0.0/12"), *parse_cidr("192.168.0.0/16"),
                       *parse_cidr("169.254.169.254/32")},
                      {".cluster.local"}};
  int rate_per_minute = 60;    // per client address (controller only)
  Millis max_timeout{10'000};  // an ad hoc probe asking for more is refused
};

// Bounds on what one ad hoc request may name, so a body cannot fan out into
// thousands of checks or headers.
inline constexpr std::size_t kMaxAdhocNodes = 5'000;

// An `adhoc:` block of a config file. The agent's has no rate_per_minute (it
// caps one-shots in flight instead).
AdhocConfig read_adhoc_config(const Field& field, bool with_rate);

// The handed-down form, in the controller's reply to a report:
// {"allow_cidrs": [...], "allow_suffixes": [...], "max_timeout": "10s"}.
nlohmann::ordered_json adhoc_to_json(const AdhocConfig& adhoc);
// Throws ConfigError naming the field.
AdhocConfig adhoc_from_json(const nlohmann::json& value);

// The hosts a probe would connect to first (a DNS server, a tcp target's host,
// an http URL's host, a metadata address); "auto" DNS servers come back as
// "auto", which no allowlist admits.
std::vector<std::string> adhoc_target_hosts(const ProbeSpec& spec);

// An ad hoc request body: a JSON object (bounded in depth) of only these
// keys, "probe" among them and required; else the 400 to answer.
std::variant<nlohmann::json, HttpResponse> read_adhoc_body(std::string_view body,
                                                           std::initializer_list<std::string_view> keys);

// The "probe" of a request body, read by the config reader and held to the
// rules: 400 naming the field when malformed (a timeout over max_timeout
// included), 403 when a host is outside the allowlist.
std::variant<ProbeSpec, HttpResponse> read_adhoc_probe(const nlohmann::json& probe, const AdhocConfig& rules,
                                                       Millis default_timeout);

}  // namespace netprobe
