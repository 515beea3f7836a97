#include "exposition.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace netprobe::exposition {

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buffer{};  // the longest shortest form of a double is 24 characters
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
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
    out_.append(label.first).append("=\"").append(escape_label_value(label.second)).append("\"");
    separator = ',';
  };
  for (const Label& label : labels) write(label);
  if (!extra.first.empty()) write(extra);
  out_ += "} ";
}

void Writer::sample(std::string_view name, Labels labels, double value) {
  series(name, "", labels);
  out_.append(format_value(value)) += '\n';
}

void Writer::sample(std::string_view name, Labels labels, std::uint64_t value) {
  series(name, "", labels);
  out_.append(std::to_string(value)) += '\n';
}

void Writer::histogram(std::string_view name, Labels labels, std::span<const double> upper_bounds,
                       std::span<const std::uint64_t> counts, double sum) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string bound = i < upper_bounds.size() ? format_value(upper_bounds[i]) : "+Inf";
    series(name, "_bucket", labels, {"le", bound});
    out_.append(std::to_string(cumulative)) += '\n';
  }
  series(name, "_sum", labels);
  out_.append(format_value(sum)) += '\n';
  series(name, "_count", labels);
  out_.append(std::to_string(cumulative)) += '\n';
}

}  // namespace netprobe::exposition
