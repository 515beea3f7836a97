#include "result_fields.hpp"

#include <cmath>
#include <ctime>

namespace netprobe {
namespace {

constexpr std::size_t kMaxDetailLength = 1024;
// A longer detail is cut to kMaxDetailLength rather than refused: agents of
// another version may say more, and the result is still worth keeping.
constexpr std::size_t kMaxDetailOnWire = 64 * 1024;

// The wire names, by ResultFields::Field.
constexpr std::array<std::string_view, 11> kNames{"probe",   "type",   "target",           "transport", "expect", "node",
                                                  "namespace", "outcome", "duration_seconds", "detail",    "time"};

std::chrono::system_clock::time_point parse_time(const std::string& value, FieldName field) {
  std::tm utc{};
  const char* end = strptime(value.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (end == nullptr || *end != '\0') throw FieldError(field.str(), "expected RFC 3339 UTC time, found \"" + value + "\"");
  // system_clock counts nanoseconds in 64 bits: years outside 1678-2262 overflow it.
  const int year = utc.tm_year + 1900;
  if (year < 1970 || year > 2200) throw FieldError(field.str(), "year " + std::to_string(year) + " is outside 1970-2200");
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

}  // namespace

std::string FieldName::str() const { return path.empty() ? std::string(key) : path + "." + std::string(key); }

std::string take_text(WireValue& value, FieldName field, bool required, std::size_t max_length) {
  if (value.kind == WireValue::Kind::absent) {
    if (required) throw FieldError(field.str(), "is required");
    return "";
  }
  if (value.kind != WireValue::Kind::text) throw FieldError(field.str(), "expected a string");
  if (value.text.size() > max_length) {
    throw FieldError(field.str(), "longer than " + std::to_string(max_length) + " characters");
  }
  return std::move(value.text);
}

namespace {

// The enum a text member names, or FieldError "unknown <what> "…"".
template <typename Parse>
auto parsed(WireValue& value, FieldName field, std::string_view what, Parse parse) {
  const std::string text = take_text(value, field);
  const auto result = parse(text);
  if (!result) throw FieldError(field.str(), "unknown " + std::string(what) + " \"" + text + "\"");
  return *result;
}

}  // namespace

WireValue* ResultFields::member(std::string_view key) {
  for (std::size_t field = 0; field < kNames.size(); ++field) {
    if (kNames[field] == key) return &values_[field];
  }
  return nullptr;
}

ProbeResult ResultFields::take(const std::string& path) {
  // Built only for an error: a report has thousands of results, each of eleven members.
  const auto name = [&](Field field) { return FieldName{path, kNames[field]}; };
  ProbeResult result;
  result.probe = take_text(values_[probe], name(probe));
  result.type = parsed(values_[type], name(type), "probe type", [](const std::string& text) { return kProbeTypes.parse(text); });
  result.target = take_text(values_[target], name(target));
  result.transport = take_text(values_[transport], name(transport), true, 16);
  result.expect = parsed(values_[expect], name(expect), "expect", parse_expect);
  result.node = take_text(values_[node], name(node), false);
  result.ns = take_text(values_[ns], name(ns), false);
  result.outcome = parsed(values_[outcome], name(outcome), "outcome", parse_outcome);
  // The verdict is recomputed rather than trusted, so a buggy agent cannot
  // report a failing deny probe as a success.
  result.success = verdict(result.expect, result.outcome);
  const WireValue& seconds = values_[duration];
  if (seconds.kind == WireValue::Kind::absent) throw FieldError(name(duration).str(), "is required");
  if (seconds.kind != WireValue::Kind::number || !std::isfinite(seconds.number) || seconds.number < 0) {
    throw FieldError(name(duration).str(), "expected a non-negative number");
  }
  result.duration_seconds = seconds.number;
  result.detail = take_text(values_[detail], name(detail), false, kMaxDetailOnWire);
  if (result.detail.size() > kMaxDetailLength) result.detail.resize(kMaxDetailLength);
  result.time = parse_time(take_text(values_[time], name(time)), name(time));
  return result;
}

}  // namespace netprobe
