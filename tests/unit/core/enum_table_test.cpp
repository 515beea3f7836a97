#include "core/enum_table.hpp"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "core/outcome.hpp"
#include "core/probe_spec.hpp"
#include "core/verdict.hpp"

using namespace netprobe;

namespace {

enum class Colour { red, green };

template <typename Table>
void every_name_parses_back(const Table& table) {
  std::set<std::string> names;
  for (const auto& entry : table) {
    CHECK(names.insert(std::string(entry.name)).second);  // distinct
    CHECK(table.parse(entry.name) == entry.value);
    CHECK(table.name(entry.value) == entry.name);
    CHECK_FALSE(entry.help.empty());
  }
  CHECK(names.size() == table.size());
}

}  // namespace

TEST_CASE("every table names each value once, and each name parses back to its value") {
  every_name_parses_back(kOutcomes);
  every_name_parses_back(kProbeTypes);
  every_name_parses_back(kDnsTransports);
  every_name_parses_back(kMetadataFlavors);
  every_name_parses_back(kExpects);
}

TEST_CASE("names are exact: no other case, no unknown value") {
  CHECK_FALSE(kProbeTypes.parse("DNS"));
  CHECK_FALSE(kProbeTypes.parse(""));
  CHECK_FALSE(kExpects.parse("allowed"));
}

TEST_CASE("the list of names for an error message is in the enum's order") {
  CHECK(kProbeTypes.names() == "dns, tcp, http, metadata");
  CHECK(kDnsTransports.names() == "udp, tcp");
  CHECK(kMetadataFlavors.names() == "tcp, aws, gcp, azure");
}

TEST_CASE("a table out of the enum's order is refused (a compile error when constexpr)") {
  CHECK_THROWS_AS(EnumTable(std::array{EnumEntry<Colour>{Colour::green, "green", "go"},
                                       EnumEntry<Colour>{Colour::red, "red", "stop"}}),
                  std::logic_error);
}
