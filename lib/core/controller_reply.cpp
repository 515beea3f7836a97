#include "controller_reply.hpp"

#include <nlohmann/json.hpp>

#include "json_input.hpp"
#include "report.hpp"

namespace netprobe {

ControllerReply read_controller_reply(std::string_view body, const ProbeDefaults& defaults) {
  nlohmann::json reply;
  try {
    reply = parse_json_input(body);
  } catch (const JsonInputError& error) {
    throw FieldError("body", error.what());
  }
  if (!reply.is_object()) throw FieldError("body", "expected a JSON object");
  ControllerReply out;
  if (const auto probes = reply.find("probes"); probes != reply.end()) {
    if (!probes->is_array()) throw FieldError("probes", "expected a list");
    if (probes->size() > kMaxAssignedProbes) {
      throw FieldError("probes", "more than " + std::to_string(kMaxAssignedProbes) + " probes");
    }
    out.assignment = probes->dump();
    static const std::string source = "controller";  // Field keeps a reference to it
    for (std::size_t i = 0; i < probes->size(); ++i) {
      const std::string path = "probes[" + std::to_string(i) + "]";
      try {
        out.probes.push_back(
            std::make_shared<const ProbeSpec>(read_probe(Field(yaml_from_json((*probes)[i]), path, source), defaults)));
      } catch (const ConfigError& error) {
        out.skipped.push_back(error.field() + ": " + error.message());
      }
    }
  }
  if (const auto adhoc = reply.find("adhoc"); adhoc != reply.end()) {
    try {
      out.adhoc = adhoc_from_json(*adhoc);
    } catch (const ConfigError& error) {
      throw FieldError(error.field().empty() ? "adhoc" : error.field(), error.message());
    }
  }
  return out;
}

}  // namespace netprobe
