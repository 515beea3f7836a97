// netpol/finding_list.hpp: chunks iterate as one list, in order, empty ones skipped.
#include "netpol/finding_list.hpp"

#include <doctest/doctest.h>

using namespace netprobe::netpol;

namespace {

Finding finding(const std::string& ns) { return Finding{"c", "error", ns, "", "m", "h", {}}; }

}  // namespace

TEST_CASE("chunks iterate as one list in their order; empty chunks are skipped") {
  const auto chunk = [](std::vector<Finding> findings) {
    return std::make_shared<const std::vector<Finding>>(std::move(findings));
  };
  const FindingList list({chunk({finding("a"), finding("b")}), chunk({}), nullptr, chunk({finding("c")}), chunk({})});
  CHECK(list.size() == 3);
  std::string seen;
  for (const Finding& f : list) seen += f.ns;
  CHECK(seen == "abc");
  CHECK(list.flat() == std::vector<Finding>{finding("a"), finding("b"), finding("c")});
}

TEST_CASE("empty lists, and one vector as one chunk") {
  const FindingList none;
  CHECK(none.empty());
  CHECK(none.begin() == none.end());
  CHECK(FindingList(std::vector<Finding>{}).empty());
  const FindingList one(std::vector<Finding>{finding("x")});
  REQUIRE(one.size() == 1);
  CHECK(one.begin()->ns == "x");
}
