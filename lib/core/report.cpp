#include "report.hpp"

#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

#include "json_input.hpp"

namespace netprobe {
namespace {

using nlohmann::json;

// Label values end up in Prometheus series: keep them bounded.
constexpr std::size_t kMaxLabelLength = 512;
constexpr std::size_t kMaxDetailLength = 1024;
constexpr double kMaxReportInterval = 600;

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const json& member(const json& object, const std::string& path, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end()) throw FieldError(join(path, key), "is required");
  return *it;
}

std::string text(const json& object, const std::string& path, std::string_view key, bool required = true,
                 std::size_t max_length = kMaxLabelLength) {
  const auto it = object.find(key);
  if (it == object.end()) {
    if (required) throw FieldError(join(path, key), "is required");
    return "";
  }
  if (!it->is_string()) throw FieldError(join(path, key), "expected a string");
  std::string value = it->get<std::string>();
  if (value.size() > max_length) {
    throw FieldError(join(path, key), "longer than " + std::to_string(max_length) + " characters");
  }
  return value;
}

std::chrono::system_clock::time_point parse_time(const std::string& value, const std::string& field) {
  std::tm utc{};
  const char* end = strptime(value.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (end == nullptr || *end != '\0') throw FieldError(field, "expected RFC 3339 UTC time, found \"" + value + "\"");
  // system_clock counts nanoseconds in 64 bits: years outside 1678-2262 overflow it.
  const int year = utc.tm_year + 1900;
  if (year < 1970 || year > 2200) throw FieldError(field, "year " + std::to_string(year) + " is outside 1970-2200");
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

}  // namespace

ProbeResult parse_result(const json& object, const std::string& path) {
  if (!object.is_object()) throw FieldError(path, "expected an object");
  ProbeResult result;
  result.probe = text(object, path, "probe");
  const std::string type = text(object, path, "type");
  const auto parsed_type = kProbeTypes.parse(type);
  if (!parsed_type) throw FieldError(join(path, "type"), "unknown probe type \"" + type + "\"");
  result.type = *parsed_type;
  result.target = text(object, path, "target");
  result.transport = text(object, path, "transport", true, 16);
  const std::string expect = text(object, path, "expect");
  const auto parsed_expect = parse_expect(expect);
  if (!parsed_expect) throw FieldError(join(path, "expect"), "unknown expect \"" + expect + "\"");
  result.expect = *parsed_expect;
  result.node = text(object, path, "node", false);
  result.ns = text(object, path, "namespace", false);
  const std::string outcome = text(object, path, "outcome");
  const auto parsed_outcome = parse_outcome(outcome);
  if (!parsed_outcome) throw FieldError(join(path, "outcome"), "unknown outcome \"" + outcome + "\"");
  result.outcome = *parsed_outcome;
  // The verdict is recomputed rather than trusted, so a buggy agent cannot
  // report a failing deny probe as a success.
  result.success = verdict(result.expect, result.outcome);
  const json& duration = member(object, path, "duration_seconds");
  if (!duration.is_number() || !std::isfinite(duration.get<double>()) || duration.get<double>() < 0) {
    throw FieldError(join(path, "duration_seconds"), "expected a non-negative number");
  }
  result.duration_seconds = duration.get<double>();
  result.detail = text(object, path, "detail", false, 64 * 1024);
  if (result.detail.size() > kMaxDetailLength) result.detail.resize(kMaxDetailLength);
  result.time = parse_time(text(object, path, "time"), join(path, "time"));
  return result;
}

AgentReport parse_report(std::string_view body) {
  json document;
  try {
    document = parse_json_input(body);
  } catch (const JsonInputError& error) {
    throw FieldError("body", error.what());
  }
  if (!document.is_object()) throw FieldError("body", "expected a JSON object");
  AgentReport report;
  report.node = text(document, "", "node");
  if (report.node.empty()) throw FieldError("node", "must not be empty");
  report.ns = text(document, "", "namespace");
  report.address = text(document, "", "address", false);
  report.version = text(document, "", "version", false, 64);
  if (const auto interval = document.find("interval_seconds"); interval != document.end()) {
    // Staleness and forgetting are counted in intervals: a huge one would keep
    // a silent agent's results for days.
    if (!interval->is_number() || interval->get<double>() < 0.1 || interval->get<double>() > kMaxReportInterval) {
      throw FieldError("interval_seconds", "expected a number from 0.1 to " + std::to_string(static_cast<int>(kMaxReportInterval)));
    }
    report.interval = Millis{static_cast<Millis::rep>(interval->get<double>() * 1000)};
  }
  if (const auto full = document.find("full"); full != document.end()) {
    if (!full->is_boolean()) throw FieldError("full", "expected true or false");
    report.full = full->get<bool>();
  }
  const json& results = member(document, "", "results");
  if (!results.is_array()) throw FieldError("results", "expected a list");
  if (results.size() > kMaxResultsPerReport) {
    throw FieldError("results", "too many results (" + std::to_string(results.size()) + ", at most " +
                                    std::to_string(kMaxResultsPerReport) + ")");
  }
  report.results.reserve(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    ProbeResult result = parse_result(results[i], "results[" + std::to_string(i) + "]");
    // Identity comes from the report, never from each result.
    result.node = report.node;
    result.ns = report.ns;
    report.results.push_back(std::move(result));
  }
  return report;
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
