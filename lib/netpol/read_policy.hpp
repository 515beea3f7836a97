#pragma once
// A NetworkPolicy's spec (networking.k8s.io/v1), read strictly: unknown keys and
// invalid values are errors naming the field, as the API server would reject them
// (CIDRs and their excepts, named ports, endPort, peers that mix ipBlock with
// selectors), and the API's defaults are applied (policyTypes from the rules).
#include "core/yaml_reader.hpp"
#include "model.hpp"

namespace netprobe::netpol {

void read_policy_spec(const Field& spec, NetworkPolicy& policy);

}  // namespace netprobe::netpol
