#include "core/result_fields.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

namespace {

WireValue text(std::string value) { return WireValue::of_text(std::move(value)); }
WireValue number(double value) { return WireValue::of_number(value); }

ResultFields valid_fields() {
  ResultFields fields;
  for (const auto& [key, value] : std::initializer_list<std::pair<const char*, WireValue>>{
           {"probe", text("kube-dns")}, {"type", text("dns")}, {"target", text("127.0.0.1:53")},
           {"transport", text("udp")}, {"expect", text("allow")}, {"outcome", text("timeout")},
           {"duration_seconds", number(2)}, {"time", text("2026-11-26T10:00:00Z")}}) {
    *fields.member(key) = value;
  }
  return fields;
}

std::string error_of(ResultFields fields) {
  try {
    fields.take("results[7]");
  } catch (const FieldError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("a result is taken from its members, with the verdict recomputed") {
  ResultFields fields = valid_fields();
  *fields.member("detail") = text(std::string(5000, 'd'));
  CHECK(fields.member("success") == nullptr);  // never trusted
  CHECK(fields.member("unknown") == nullptr);
  const ProbeResult result = fields.take("results[0]");
  CHECK(result.probe == "kube-dns");
  CHECK(result.type == ProbeType::dns);
  CHECK(result.outcome == Outcome::timeout);
  CHECK_FALSE(result.success);
  CHECK(result.node.empty());
  CHECK(result.detail.size() == 1024);  // cut, not refused
  CHECK(result.time == std::chrono::system_clock::time_point{std::chrono::seconds{1795687200}});
}

TEST_CASE("each bad member is named under the result's path") {
  // A valid result with one member replaced.
  const auto error_with = [](std::string_view key, WireValue value) {
    ResultFields fields = valid_fields();
    *fields.member(key) = std::move(value);
    return error_of(std::move(fields));
  };
  CHECK(error_with("probe", WireValue{}) == "results[7].probe: is required");
  CHECK(error_with("target", number(1)) == "results[7].target: expected a string");
  CHECK(error_with("type", text("ping")) == "results[7].type: unknown probe type \"ping\"");
  CHECK(error_with("transport", text(std::string(17, 't'))) == "results[7].transport: longer than 16 characters");
  CHECK(error_with("duration_seconds", text("2")) == "results[7].duration_seconds: expected a non-negative number");
  CHECK(error_with("detail", text(std::string(64 * 1024 + 1, 'd'))) == "results[7].detail: longer than 65536 characters");
  CHECK(error_with("namespace", WireValue::of_other_kind()) == "results[7].namespace: expected a string");
}

TEST_CASE("the first bad member in the format's order is the one named") {
  ResultFields fields = valid_fields();
  *fields.member("time") = text("yesterday");
  *fields.member("outcome") = text("dropped");
  CHECK(error_of(fields) == "results[7].outcome: unknown outcome \"dropped\"");
}

TEST_CASE("take_text names a top-level field by its key alone") {
  const std::string top;
  WireValue value = number(3);
  CHECK_THROWS_WITH_AS(take_text(value, {top, "node"}), "node: expected a string", FieldError);
  WireValue absent;
  CHECK(take_text(absent, {top, "address"}, false).empty());
}
