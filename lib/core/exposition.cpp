#include "exposition.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace netprobe::exposition {

namespace {

// A value's text in `buffer`, as the format spells it (see format_value).
std::string_view value_text(double value, std::array<char, 32>& buffer) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The longest shortest form of a double is 24 characters.
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data())};
}

std::string_view count_text(std::uint64_t value, std::array<char, 32>& buffer) {
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data())};
}

// Hands `value` escaped for a label to `put`, in pieces: most values need no
// escape and go in whole. A plain loop: find_first_of with a set looks each
// character up in the set with memchr, and this runs for every label of every
// series.
template <class Put>
void escape_pieces(std::string_view value, Put&& put) {
  std::size_t from = 0;
  for (std::size_t at = 0; at < value.size(); ++at) {
    const char c = value[at];
    if (c != '\\' && c != '"' && c != '\n') continue;
    put(value.substr(from, at - from));
    put(c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\");
    from = at + 1;
  }
  put(value.substr(from));
}

}  // namespace

std::string format_value(double value) {
  std::array<char, 32> buffer{};
  return std::string(value_text(value, buffer));
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  escape_pieces(value, [&out](std::string_view piece) { out.append(piece); });
  return out;
}

void Writer::put_escaped(std::string_view value) {
  escape_pieces(value, [this](std::string_view piece) { put(piece); });
}

void Writer::family(std::string_view name, MetricType type, std::string_view help) {
  put("# HELP ");
  put(name);
  put(" ");
  // HELP text escapes only backslash and newline.
  for (char c : help) {
    if (c == '\\') {
      put("\\\\");
    } else if (c == '\n') {
      put("\\n");
    } else {
      put(c);
    }
  }
  put("\n# TYPE ");
  put(name);
  switch (type) {
    case MetricType::counter: put(" counter\n"); break;
    case MetricType::gauge: put(" gauge\n"); break;
    case MetricType::histogram: put(" histogram\n"); break;
  }
}

void Writer::series(std::string_view name, std::string_view suffix, Labels labels, Label extra) {
  put(name);
  put(suffix);
  if (labels.size() == 0 && extra.first.empty()) {
    put(' ');
    return;
  }
  char separator = '{';
  const auto write = [&](const Label& label) {
    put(separator);
    put(label.first);
    put("=\"");
    put_escaped(label.second);
    put('"');
    separator = ',';
  };
  for (const Label& label : labels) write(label);
  if (!extra.first.empty()) write(extra);
  put("} ");
}

// Every number goes through a buffer on the stack: a scrape writes thousands
// of them and builds no string for any.
void Writer::sample(std::string_view name, Labels labels, double value) {
  std::array<char, 32> buffer{};
  series(name, "", labels);
  put(value_text(value, buffer));
  put('\n');
}

void Writer::sample(std::string_view name, Labels labels, std::uint64_t value) {
  std::array<char, 32> buffer{};
  series(name, "", labels);
  put(count_text(value, buffer));
  put('\n');
}

void Writer::histogram(std::string_view name, Labels labels, std::span<const double> upper_bounds,
                       std::span<const std::uint64_t> counts, double sum) {
  std::array<char, 32> bound{};
  std::array<char, 32> number{};
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    series(name, "_bucket", labels, {"le", i < upper_bounds.size() ? value_text(upper_bounds[i], bound) : "+Inf"});
    put(count_text(cumulative, number));
    put('\n');
  }
  series(name, "_sum", labels);
  put(value_text(sum, number));
  put('\n');
  series(name, "_count", labels);
  put(count_text(cumulative, number));
  put('\n');
}

}  // namespace netprobe::exposition
