#include "fleet_probe.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "natural_order.hpp"
#include "report.hpp"
#include "terminal_text.hpp"

namespace netprobe {
namespace {

// A fan-out names at most kMaxAdhocNodes nodes, each with a few checks (a dns
// probe's servers × transports): far below this.
constexpr std::size_t kMaxResults = 100'000;

// Not an outcome of a probe (core/outcome.hpp): the controller's word for a node whose agent did not answer.
constexpr std::string_view kAgentUnreachable = "agent_unreachable";

std::string string_field(const nlohmann::json& object, const std::string& path, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) throw FieldError(path + "." + key, "expected a string");
  std::string text = found->get<std::string>();
  if (text.size() > 4096) text.resize(4096);
  return text;
}

}  // namespace

std::vector<FleetProbeLine> read_fleet_probe_answer(const nlohmann::json& answer) {
  if (!answer.is_object()) throw FieldError("answer", "expected a JSON object");
  const auto found = answer.find("results");
  if (found == answer.end() || !found->is_array()) throw FieldError("results", "expected a list");
  if (found->size() > kMaxResults) throw FieldError("results", "more than " + std::to_string(kMaxResults) + " results");
  std::vector<FleetProbeLine> lines;
  lines.reserve(found->size());
  for (std::size_t i = 0; i < found->size(); ++i) {
    const nlohmann::json& item = (*found)[i];
    const std::string path = "results[" + std::to_string(i) + "]";
    FleetProbeLine line;
    if (item.is_object() && item.value("outcome", nlohmann::json()) == kAgentUnreachable) {
      line.node = string_field(item, path, "node");
      line.unreachable = string_field(item, path, "detail");
    } else {
      line.result = parse_result(item, path);
      line.node = line.result->node;
      for (std::string* text : {&line.result->probe, &line.result->target, &line.result->transport, &line.result->node,
                                &line.result->ns, &line.result->detail}) {
        *text = terminal_safe(*text);
      }
    }
    line.node = terminal_safe(line.node);
    line.unreachable = terminal_safe(line.unreachable);
    lines.push_back(std::move(line));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const FleetProbeLine& a, const FleetProbeLine& b) {
    if (a.node != b.node) return natural_less(a.node, b.node);
    if (!a.result || !b.result) return a.result.has_value() && !b.result.has_value();
    return std::tie(a.result->ns, a.result->target, a.result->transport) <
           std::tie(b.result->ns, b.result->target, b.result->transport);
  });
  return lines;
}

std::string fleet_probe_summary(const std::vector<FleetProbeLine>& lines) {
  std::set<std::string> nodes;
  std::map<std::string, std::size_t> failures;
  std::size_t passed = 0;
  for (const FleetProbeLine& line : lines) {
    nodes.insert(line.node);
    if (line.passed()) {
      ++passed;
    } else {
      ++failures[line.result ? std::string(to_string(line.result->outcome)) : std::string(kAgentUnreachable)];
    }
  }
  std::string out = std::to_string(nodes.size()) + (nodes.size() == 1 ? " node: " : " nodes: ");
  if (lines.size() != nodes.size()) out += std::to_string(lines.size()) + " results, ";
  out += std::to_string(passed) + " passed, " + std::to_string(lines.size() - passed) + " failed";
  if (failures.empty()) return out;
  std::vector<std::pair<std::string, std::size_t>> by_count(failures.begin(), failures.end());
  std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  out += " (";
  for (std::size_t i = 0; i < by_count.size(); ++i) {
    out += (i == 0 ? "" : ", ") + by_count[i].first + " " + std::to_string(by_count[i].second);
  }
  return out + ")";
}

}  // namespace netprobe
