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

// Appends `value` escaped for a label: most values need nothing, and go in
// whole. A plain loop: find_first_of with a set looks each character up in
// the set with memchr, and this runs for every label of every series.
void append_escaped(std::string& out, std::string_view value) {
  std::size_t from = 0;
  for (std::size_t at = 0; at < value.size(); ++at) {
    const char c = value[at];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value.substr(from, at - from));
    out += c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\";
    from = at + 1;
  }
  out.append(value.substr(from));
}

}  // namespace

std::string format_value(double value) {
  std::array<char, 32> buffer{};
  return std::string(value_text(value, buffer));
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  append_escaped(out, value);
  return out;
}

void Writer::family(std::string_view name, MetricType type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ");
  // HELP text escapes only backslash and newline.
  for (char c : help) {
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  out_.append("\n# TYPE ").append(name);
  switch (type) {
    case MetricType::counter: out_ += " counter\n"; break;
    case MetricType::gauge: out_ += " gauge\n"; break;
    case MetricType::histogram: out_ += " histogram\n"; break;
  }
}

void Writer::series(std::string_view name, std::string_view suffix, Labels labels, Label extra) {
  out_.append(name).append(suffix);
  if (labels.size() == 0 && extra.first.empty()) {
    out_ += ' ';
    return;
  }
  char separator = '{';
  const auto write = [&](const Label& label) {
    out_ += separator;
    out_.append(label.first).append("=\"");
    append_escaped(out_, label.second);
    out_ += '"';
    separator = ',';
  };
  for (const Label& label : labels) write(label);
  if (!extra.first.empty()) write(extra);
  out_ += "} ";
}

// Every number goes through a buffer on the stack: a scrape writes thousands
// of them and builds no string for any.
void Writer::sample(std::string_view name, Labels labels, double value) {
  std::array<char, 32> buffer{};
  series(name, "", labels);
  out_.append(value_text(value, buffer)) += '\n';
}

void Writer::sample(std::string_view name, Labels labels, std::uint64_t value) {
  std::array<char, 32> buffer{};
  series(name, "", labels);
  out_.append(count_text(value, buffer)) += '\n';
}

void Writer::histogram(std::string_view name, Labels labels, std::span<const double> upper_bounds,
                       std::span<const std::uint64_t> counts, double sum) {
  std::array<char, 32> bound{};
  std::array<char, 32> number{};
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    series(name, "_bucket", labels, {"le", i < upper_bounds.size() ? value_text(upper_bounds[i], bound) : "+Inf"});
    out_.append(count_text(cumulative, number)) += '\n';
  }
  series(name, "_sum", labels);
  out_.append(value_text(sum, number)) += '\n';
  series(name, "_count", labels);
  out_.append(count_text(cumulative, number)) += '\n';
}

}  // namespace netprobe::exposition
