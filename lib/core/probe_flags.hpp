#pragma once
// The flags of `netprobe probe TYPE`: which flags each probe type has, the
// probe-document key each one sets, and the one positional argument of each
// type (`netprobe probe tcp host:port`, `netprobe probe dns NAME`). The CLI
// turns them into the same document an agent's config holds, so one reader
// (core/probe_config) checks both, and its errors are told back as flags.
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "probe_spec.hpp"

namespace netprobe {

struct ProbeFlag {
  enum class Kind {
    value,   // one value: --query NAME
    list,    // repeatable, each one a list item: --server A --server B
    header,  // repeatable 'Name: value', each one an entry of the headers map
    option,  // no document key: the command uses it (--resolver, --ca-file)
    toggle,  // no value: the key set to true (--insecure)
  };
  std::string_view name;   // without the dashes: "expect-status"
  std::string_view key;    // the document's key: "expect_status", "tls.server_name" nested; empty for options
  Kind kind = Kind::value;
  std::string_view help;
};

// --timeout, --expect and --name: the keys every probe has.
std::span<const ProbeFlag> common_probe_flags();
// The flags of one type, without the common ones.
std::span<const ProbeFlag> probe_flags(ProbeType type);
// The flag the positional argument stands for: dns query, tcp target, http url, metadata address.
const ProbeFlag& positional_flag(ProbeType type);
// The types that have a flag of that name ("url" → http), for telling a user
// that --url is not a tcp flag.
std::vector<ProbeType> types_with_flag(std::string_view name);

// A flag's use the probe document cannot hold, said as the user wrote it.
struct ProbeFlagError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ProbeFlagError unless `name` is a flag of `type` (or a common one):
// "--url is a flag of http probes, not of tcp probes", "unknown flag --urll".
void require_flag_of(ProbeType type, std::string_view name);

// The probe document of `type` from (flag name, value) pairs in command-line
// order; option flags are skipped. A dns query without its trailing dot is
// taken as absolute, as dig takes it. Throws ProbeFlagError (a malformed
// --header, a flag of another type, a single-valued flag given twice).
YAML::Node probe_document(ProbeType type, const std::vector<std::pair<std::string, std::string>>& values);

// The flag that sets the field a config error names ("servers[0]" → "--server",
// "headers.Accept" → "--header"), or the field itself when no flag sets it.
std::string flag_for_field(ProbeType type, std::string_view field);

}  // namespace netprobe
