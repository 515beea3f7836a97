#pragma once
// NetworkPolicy findings as JSON: the shape of `netprobe lint --json` and of the
// controller's GET /api/v1/findings (docs/api.md), so tools read both alike.
#include <vector>

#include <nlohmann/json.hpp>

#include "checks.hpp"

namespace netprobe::netpol {

// {"check", "severity", "namespace", "policy", "message", "hint"}, plus
// "source": "file:line" when the policy's place in the manifests is known.
nlohmann::ordered_json to_json(const Finding& finding);

// [finding, …] in the order given.
nlohmann::ordered_json to_json(const std::vector<Finding>& findings);

// "file:line", "file" or "" for a source reference.
std::string location(const SourceRef& where);

}  // namespace netprobe::netpol
