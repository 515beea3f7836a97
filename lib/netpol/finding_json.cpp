#include "finding_json.hpp"

namespace netprobe::netpol {

std::string location(const SourceRef& where) {
  if (where.file.empty()) return "";
  return where.file + (where.line > 0 ? ":" + std::to_string(where.line) : "");
}

nlohmann::ordered_json to_json(const Finding& finding) {
  nlohmann::ordered_json out{{"check", finding.check},     {"severity", finding.severity},
                             {"namespace", finding.ns},    {"policy", finding.policy},
                             {"message", finding.message}, {"hint", finding.hint}};
  if (std::string at = location(finding.where); !at.empty()) out["source"] = std::move(at);
  return out;
}

nlohmann::ordered_json to_json(const std::vector<Finding>& findings) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Finding& finding : findings) list.push_back(to_json(finding));
  return list;
}

}  // namespace netprobe::netpol
