#include "report.hpp"

#include <array>
#include <optional>

#include <nlohmann/json.hpp>

#include "json_input.hpp"
#include "result_fields.hpp"

namespace netprobe {
namespace {

using nlohmann::json;

constexpr double kMaxReportInterval = 600;

// A tree's value as the result fields take it.
WireValue wire_value(const json& value) {
  if (value.is_string()) return WireValue::of_text(value.get<std::string>());
  if (value.is_number()) return WireValue::of_number(value.get<double>());
  if (value.is_boolean()) return WireValue::of_boolean(value.get<bool>());
  return WireValue::of_other_kind();
}

// Reads a report as the parser meets it (nlohmann's SAX interface, behind
// read_json_input's depth limit) into an AgentReport. A report is three
// levels: the report object, its results list, each result object. The
// values of members a report does not have are skipped whatever their shape.
// Problems are kept, not thrown, and the rest of the body is still read: a
// body that is not JSON at all is refused as such, and finish() then names
// the first problem in the order a tree reader would check them (the
// report's own members, then the results' count, then each result in turn).
class ReportReader {
 public:
  bool null() { return value(WireValue::of_other_kind()); }
  bool boolean(bool flag) { return value(WireValue::of_boolean(flag)); }
  bool number_integer(json::number_integer_t number) { return this->number(static_cast<double>(number)); }
  bool number_unsigned(json::number_unsigned_t number) { return this->number(static_cast<double>(number)); }
  bool number_float(json::number_float_t number, const json::string_t&) { return this->number(number); }
  // Copied, not moved: moving would take the lexer's buffer, which then grows again for every string.
  bool string(json::string_t& text) { return value(WireValue::of_text(text)); }
  bool binary(json::binary_t&) { return value(WireValue::of_other_kind()); }
  bool key(json::string_t& name) {
    if (skipping_from_ == 0) key_ = name;  // assigned into the same buffer, member after member
    return true;
  }
  bool start_object(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

  AgentReport finish();

 private:
  enum Member : std::size_t { node, ns, address, version, interval, full, count };
  static constexpr std::array<std::string_view, Member::count> kMembers{"node",    "namespace",        "address",
                                                                         "version", "interval_seconds", "full"};
  enum class Results { absent, list, other };

  bool number(double number) { return value(WireValue::of_number(number)); }
  WireValue* report_member(std::string_view name) {
    for (std::size_t member = 0; member < kMembers.size(); ++member) {
      if (kMembers[member] == name) return &members_[member];
    }
    return nullptr;
  }
  std::string result_path() const { return "results[" + std::to_string(results_seen_ - 1) + "]"; }

  // A new element of the results list: false when it is not to be read (one
  // too many, or an earlier result was already refused).
  bool next_result() {
    ++results_seen_;  // counted to the end, for the error's "too many results (N, …)"
    return results_seen_ <= kMaxResultsPerReport && !result_error_;
  }

  bool value(WireValue&& read) {
    if (skipping_from_ != 0) return true;
    switch (depth_) {
      case 0:
        top_is_object_ = false;
        break;
      case 1:
        if (key_ == "results") {
          results_ = Results::other;
        } else if (WireValue* member = report_member(key_)) {
          *member = std::move(read);
        }
        break;
      case 2:  // an element of the results list that is not an object
        if (next_result()) result_error_.emplace(result_path(), "expected an object");
        break;
      default:  // 3: a member of a result
        if (WireValue* member = result_.member(key_)) *member = std::move(read);
        break;
    }
    return true;
  }

  bool open(bool object) {
    ++depth_;
    if (skipping_from_ != 0) return true;
    bool read = false;
    switch (depth_) {
      case 1:
        read = top_is_object_ = object;
        break;
      case 2:
        if (key_ == "results") {
          results_ = object ? Results::other : Results::list;
          read = !object;
          if (read) {  // members may repeat; as in a tree, the last one counts
            results_seen_ = 0;
            report_.results.clear();
            result_error_.reset();
          }
        } else if (WireValue* member = report_member(key_)) {
          *member = WireValue::of_other_kind();
        }
        break;
      case 3:
        if (next_result()) {
          if (object) {
            result_ = ResultFields{};
            read = true;
          } else {
            result_error_.emplace(result_path(), "expected an object");
          }
        }
        break;
      default:  // 4: the value of a result's member
        if (WireValue* member = result_.member(key_)) *member = WireValue::of_other_kind();
        break;
    }
    if (!read) skipping_from_ = depth_;
    return true;
  }

  bool close() {
    if (skipping_from_ == depth_) {
      skipping_from_ = 0;
    } else if (skipping_from_ == 0 && depth_ == 3) {
      try {
        report_.results.push_back(result_.take(result_path()));
      } catch (FieldError& error) {
        result_error_.emplace(std::move(error));
      }
    }
    --depth_;
    return true;
  }

  std::size_t depth_ = 0;
  std::size_t skipping_from_ = 0;  // the depth of the container being skipped; 0: none
  std::string key_;                // the latest member name of the object being read
  bool top_is_object_ = true;
  std::array<WireValue, Member::count> members_;
  Results results_ = Results::absent;
  std::size_t results_seen_ = 0;
  std::optional<FieldError> result_error_;  // the first refused result; later ones are not read
  ResultFields result_;
  AgentReport report_;
};

AgentReport ReportReader::finish() {
  if (!top_is_object_) throw FieldError("body", "expected a JSON object");
  const std::string top;
  report_.node = take_text(members_[node], {top, kMembers[node]});
  if (report_.node.empty()) throw FieldError("node", "must not be empty");
  report_.ns = take_text(members_[ns], {top, kMembers[ns]});
  report_.address = take_text(members_[address], {top, kMembers[address]}, false);
  report_.version = take_text(members_[version], {top, kMembers[version]}, false, 64);
  if (const WireValue& seconds = members_[interval]; seconds.kind != WireValue::Kind::absent) {
    // Staleness and forgetting are counted in intervals: a huge one would keep
    // a silent agent's results for days.
    if (seconds.kind != WireValue::Kind::number || !(seconds.number >= 0.1 && seconds.number <= kMaxReportInterval)) {
      throw FieldError("interval_seconds", "expected a number from 0.1 to " + std::to_string(static_cast<int>(kMaxReportInterval)));
    }
    report_.interval = Millis{static_cast<Millis::rep>(seconds.number * 1000)};
  }
  if (const WireValue& flag = members_[full]; flag.kind != WireValue::Kind::absent) {
    if (flag.kind != WireValue::Kind::boolean) throw FieldError("full", "expected true or false");
    report_.full = flag.boolean;
  }
  if (results_ == Results::absent) throw FieldError("results", "is required");
  if (results_ == Results::other) throw FieldError("results", "expected a list");
  if (results_seen_ > kMaxResultsPerReport) {
    throw FieldError("results", "too many results (" + std::to_string(results_seen_) + ", at most " +
                                    std::to_string(kMaxResultsPerReport) + ")");
  }
  if (result_error_) throw *result_error_;
  for (ProbeResult& result : report_.results) {
    // Identity comes from the report, never from each result.
    result.node = report_.node;
    result.ns = report_.ns;
  }
  return std::move(report_);
}

}  // namespace

ProbeResult parse_result(const json& object, const std::string& path) {
  if (!object.is_object()) throw FieldError(path, "expected an object");
  ResultFields fields;
  for (const auto& [key, value] : object.items()) {
    if (WireValue* member = fields.member(key)) *member = wire_value(value);
  }
  return fields.take(path);
}

AgentReport parse_report(std::string_view body) {
  ReportReader reader;
  try {
    read_json_input(body, reader);
  } catch (const JsonInputError& error) {
    throw FieldError("body", error.what());
  }
  return reader.finish();
}

nlohmann::ordered_json report_to_json(const AgentReport& report) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const ProbeResult& result : report.results) results.push_back(to_json(result));
  return nlohmann::ordered_json{{"node", report.node},
          {"namespace", report.ns},
          {"address", report.address},
          {"version", report.version},
          {"interval_seconds", static_cast<double>(report.interval.count()) / 1000.0},
          {"full", report.full},
          {"results", std::move(results)}};
}

}  // namespace netprobe
