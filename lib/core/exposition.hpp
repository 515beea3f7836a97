#pragma once
// Prometheus text exposition format 0.0.4, written straight into a string.
//
// The one metrics writer of both daemons. The agent cannot use prometheus-cpp:
// Debian ships it only as a shared library, and the agent is one static binary
// to keep its footprint on every node small (cmake/dependencies.cmake). Both
// daemons' series have a fixed shape, so they keep them in plain structs and
// write them with this, without a registry and without copying every series
// on each scrape. prometheus-cpp stays as the reference the unit test holds
// this output to (tests/unit/core/exposition_test.cpp).
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace netprobe::exposition {

enum class MetricType { counter, gauge, histogram };

// name, value. Callers pass a series' labels sorted by name, the order
// Prometheus client libraries write them in.
using Label = std::pair<std::string_view, std::string_view>;
using Labels = std::initializer_list<Label>;

// A value as the format spells it: shortest round-trip decimal, "+Inf",
// "-Inf", "NaN".
std::string format_value(double value);

// Backslash, double quote and newline escaped, as label values need.
std::string escape_label_value(std::string_view value);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  // The # HELP and # TYPE lines; once per family, before its samples.
  void family(std::string_view name, MetricType type, std::string_view help);

  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, std::uint64_t value);

  // The _bucket lines (cumulative, le="+Inf" last), then _sum and _count.
  // `counts` holds one count per bucket of `upper_bounds`, then the count
  // above the last bound.
  void histogram(std::string_view name, Labels labels, std::span<const double> upper_bounds,
                 std::span<const std::uint64_t> counts, double sum);

 private:
  void series(std::string_view name, std::string_view suffix, Labels labels, Label extra = {});

  std::string& out_;
};

}  // namespace netprobe::exposition
