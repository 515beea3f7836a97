#include "core/exposition.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

using namespace netprobe::exposition;

TEST_CASE("values are written as the format spells them") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(1) == "1");
  CHECK(format_value(-3) == "-3");
  CHECK(format_value(0.001) == "0.001");
  CHECK(format_value(2.5) == "2.5");
  CHECK(format_value(0.1 + 0.2) == "0.30000000000000004");  // shortest form that reads back exactly
  CHECK(format_value(1e-7) == "1e-07");
  CHECK(format_value(12345678901234567890.0) == "12345678901234567168");  // exact, and shorter than 1.2345678901234568e+19
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
  for (double value : {0.1, 1.0 / 3, 6.02214076e23, 4.9e-324, 1.7976931348623157e308}) {
    CAPTURE(value);
    CHECK(std::strtod(format_value(value).c_str(), nullptr) == value);
  }
}

TEST_CASE("label values escape backslash, double quote and newline only") {
  CHECK(escape_label_value(R"(a\b"c)" "\n" "d\te") == R"(a\\b\"c\nd)" "\te");
  CHECK(escape_label_value("grüße") == "grüße");
  // Specials first, last and side by side, and nothing at all.
  CHECK(escape_label_value("\"\"\\\n") == R"(\"\"\\\n)");
  CHECK(escape_label_value("\nx\n") == R"(\nx\n)");
  CHECK(escape_label_value("") == "");
}

TEST_CASE("a family, its samples and a histogram") {
  std::string text;
  Writer out(text);
  out.family("x_total", MetricType::counter, "Help with \\ and\nnewline.");
  out.sample("x_total", {{"a", "1"}, {"b", "q\"uote"}}, std::uint64_t{18446744073709551615u});
  out.family("up", MetricType::gauge, "Up.");
  out.sample("up", {}, 1.0);
  out.family("d_seconds", MetricType::histogram, "Durations.");
  const std::array<double, 2> bounds{0.5, 1};
  const std::array<std::uint64_t, 3> counts{2, 0, 1};
  out.histogram("d_seconds", {{"probe", "p"}}, bounds, counts, 3.25);
  CHECK(text ==
        "# HELP x_total Help with \\\\ and\\nnewline.\n"
        "# TYPE x_total counter\n"
        "x_total{a=\"1\",b=\"q\\\"uote\"} 18446744073709551615\n"
        "# HELP up Up.\n"
        "# TYPE up gauge\n"
        "up 1\n"
        "# HELP d_seconds Durations.\n"
        "# TYPE d_seconds histogram\n"
        "d_seconds_bucket{probe=\"p\",le=\"0.5\"} 2\n"
        "d_seconds_bucket{probe=\"p\",le=\"1\"} 2\n"
        "d_seconds_bucket{probe=\"p\",le=\"+Inf\"} 3\n"
        "d_seconds_sum{probe=\"p\"} 3.25\n"
        "d_seconds_count{probe=\"p\"} 3\n");
}

namespace {

// series (name and labels as written) -> value, from the sample lines of a page
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    out[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return out;
}

}  // namespace

TEST_CASE("the same series as prometheus-cpp writes them") {
  // prometheus-cpp is the reference (the daemons write with exposition): every series
  // and value must be the same, whatever the spelling of the numbers.
  const std::vector<double> bounds{0.001, 0.01, 0.1, 1, 10};
  const std::vector<double> observations{0.0004, 0.001, 0.02, 0.02, 0.7, 3, 42};

  prometheus::Registry registry;
  auto& gauges = prometheus::BuildGauge().Name("g").Help("G.").Register(registry);
  gauges.Add({{"a", "x\\y"}, {"b", "line\nbreak"}}).Set(0.25);
  gauges.Add({{"a", "quote\""}, {"b", ""}}).Set(-1);
  auto& counters = prometheus::BuildCounter().Name("c_total").Help("C.").Register(registry);
  counters.Add({{"outcome", "ok"}}).Increment(7);
  auto& histograms = prometheus::BuildHistogram().Name("h_seconds").Help("H.").Register(registry);
  auto& histogram = histograms.Add({{"probe", "p"}}, prometheus::Histogram::BucketBoundaries(bounds));
  for (double value : observations) histogram.Observe(value);
  const std::string reference = prometheus::TextSerializer().Serialize(registry.Collect());

  std::string text;
  Writer out(text);
  out.family("g", MetricType::gauge, "G.");
  out.sample("g", {{"a", "x\\y"}, {"b", "line\nbreak"}}, 0.25);
  out.sample("g", {{"a", "quote\""}, {"b", ""}}, -1.0);
  out.family("c_total", MetricType::counter, "C.");
  out.sample("c_total", {{"outcome", "ok"}}, std::uint64_t{7});
  out.family("h_seconds", MetricType::histogram, "H.");
  std::vector<std::uint64_t> counts(bounds.size() + 1);
  double sum = 0;
  for (double value : observations) {
    std::size_t bucket = 0;
    while (bucket < bounds.size() && value > bounds[bucket]) ++bucket;
    ++counts[bucket];
    sum += value;
  }
  out.histogram("h_seconds", {{"probe", "p"}}, bounds, counts, sum);

  const auto ours = samples(text);
  const auto theirs = samples(reference);
  REQUIRE(ours.size() == theirs.size());
  for (const auto& entry : theirs) {  // not a structured binding: clang cannot capture one (CAPTURE)
    const auto& series = entry.first;
    CAPTURE(series);
    REQUIRE(ours.contains(series));
    CHECK(ours.at(series) == doctest::Approx(entry.second));
  }
}
