#include "model.hpp"

#include <algorithm>

namespace netprobe::netpol {
bool LabelRequirement::matches(const Labels& labels) const {
  const auto found = labels.find(key);
  const bool present = found != labels.end();
  const auto listed = [&] {
    return present && std::find(values.begin(), values.end(), found->second) != values.end();
  };
  switch (op) {
    case Operator::in: return listed();
    case Operator::not_in: return !listed();  // a missing key is "not in" (apimachinery labels.Selector)
    case Operator::exists: return present;
    case Operator::does_not_exist: return !present;
  }
  return false;
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [key, value] : match_labels) {
    const auto found = labels.find(key);
    if (found == labels.end() || found->second != value) return false;
  }
  return std::all_of(match_expressions.begin(), match_expressions.end(),
                     [&](const LabelRequirement& requirement) { return requirement.matches(labels); });
}

bool IpBlock::contains(const IpAddress& ip) const {
  if (is_ipv4(cidr.address) != is_ipv4(ip)) return false;
  if (!cidr.contains(ip)) return false;
  return std::none_of(except.begin(), except.end(), [&](const Cidr& hole) { return hole.contains(ip); });
}

}  // namespace netprobe::netpol
