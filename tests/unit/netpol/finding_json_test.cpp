#include "netpol/finding_json.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::netpol;

TEST_CASE("a finding as JSON: the lint --json shape of docs/api.md, with its source when known") {
  Finding finding{"selector-matches-nothing", "error", "payments", "payment-ingress",
                  "podSelector app=paymnet matches no pods", "did you mean app: payment?", {}};
  CHECK(to_json(finding).dump() ==
        R"({"check":"selector-matches-nothing","severity":"error","namespace":"payments","policy":"payment-ingress",)"
        R"("message":"podSelector app=paymnet matches no pods","hint":"did you mean app: payment?"})");
  finding.where = SourceRef{"policies.yaml", 12};
  CHECK(to_json(finding)["source"] == "policies.yaml:12");
  finding.where.line = 0;
  CHECK(to_json(finding)["source"] == "policies.yaml");
  CHECK(to_json(std::vector<Finding>{}).dump() == "[]");
  CHECK(to_json(std::vector<Finding>{finding, finding}).size() == 2);
}
