#pragma once
// Reading one probe definition: from the agent's config file, or from the body
// of an ad hoc probe request (JSON, read through the same strict reader).
#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "probe_spec.hpp"
#include "yaml_reader.hpp"

namespace netprobe {

struct ProbeDefaults {
  Millis interval{10'000};
  Millis timeout{2'000};
};

// What an http probe's `tls.ca_file` may be, by where the probe comes from.
enum class CaFiles {
  read,       // a file on this host, read now: readable, and PEM (the agent's config, a controller's reply)
  unchecked,  // a path on the agents, not on this host (the controller's config, handed down)
  refused,    // ad hoc probes: a caller must not make an agent open files it names
};

// Throws ConfigError naming the field, e.g. `probes[1].type: unknown probe type "dnss" (...)`.
// With name_required false a missing name becomes `default_name` (ad hoc probes).
ProbeSpec read_probe(const Field& field, const ProbeDefaults& defaults, bool name_required = true,
                     std::string_view default_name = "adhoc", CaFiles ca_files = CaFiles::read);

// A `probes:` list: each read with read_probe, names unique.
std::vector<std::shared_ptr<const ProbeSpec>> read_probe_list(const Field& field, const ProbeDefaults& defaults,
                                                              CaFiles ca_files = CaFiles::read);

// Why `path` cannot serve as a CA file ("cannot read ca.pem: No such file or
// directory", "ca.pem holds no PEM certificate"), or "" when it can: a regular
// file of at most 1 MiB with at least one PEM certificate. The prober parses it
// fully (OpenSSL) when it first uses it.
std::string ca_file_problem(const std::string& path);

// A `listen:` value: ":9743", "127.0.0.1:9743", "[::1]:0".
std::string read_listen_address(const Field& field);

// An ad hoc probe written as a YAML (or JSON) document: the CLI's and the tests'.
ProbeSpec parse_probe_document(std::string_view text, const std::string& source,
                               const ProbeDefaults& defaults);

// An ad hoc probe as an already parsed JSON value (an API body's "probe");
// errors name fields under `path`, e.g. "probe.target". tls.ca_file is refused.
ProbeSpec parse_probe_json(const nlohmann::json& probe, const std::string& path, const ProbeDefaults& defaults);

}  // namespace netprobe
