#pragma once
// One result object's members, gathered as a reader meets them and checked
// together when the object ends. The report reader streams (report.cpp: no
// tree of a report is built) while ad hoc answers are read from a tree
// (parse_result); both fill these, so they refuse the same results with the
// same words. The format is README.md, "Outcomes".
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "field_error.hpp"
#include "result.hpp"

namespace netprobe {

// A member's value as read. Strings, numbers and booleans are kept; any other
// value (null, an object, a list) is only known to be of the wrong kind.
struct WireValue {
  enum class Kind : std::uint8_t { absent, text, number, boolean, other };
  Kind kind = Kind::absent;
  std::string text;
  double number = 0;
  bool boolean = false;

  static WireValue of_text(std::string text) { return WireValue{Kind::text, std::move(text), 0, false}; }
  static WireValue of_number(double number) { return WireValue{Kind::number, {}, number, false}; }
  static WireValue of_boolean(bool boolean) { return WireValue{Kind::boolean, {}, 0, boolean}; }
  static WireValue of_other_kind() { return WireValue{Kind::other, {}, 0, false}; }
};

// Label values end up in Prometheus series: keep them bounded.
inline constexpr std::size_t kMaxLabelLength = 512;

// A member's name in errors: `key` under `path` ("results[3]" and "outcome"
// make "results[3].outcome"; an empty path, the key alone), spelt out only
// when an error needs it.
struct FieldName {
  const std::string& path;
  std::string_view key;
  std::string str() const;
};

// The string in `value`, moved out; "" when absent and not required. Throws
// FieldError naming `field` when it is missing, not a string, or longer than max_length.
std::string take_text(WireValue& value, FieldName field, bool required = true,
                      std::size_t max_length = kMaxLabelLength);

class ResultFields {
 public:
  // Where the member `key` goes; null when a result has no such member (its
  // value is ignored, as is "success": the verdict is recomputed).
  WireValue* member(std::string_view key);

  // The result, or FieldError for the first bad member in the order of
  // README.md's example, named under `path` ("results[3].outcome"). Moves the
  // strings out: call once.
  ProbeResult take(const std::string& path);

 private:
  enum Field : std::size_t { probe, type, target, transport, expect, node, ns, outcome, duration, detail, time, count };
  std::array<WireValue, Field::count> values_;
};

}  // namespace netprobe
