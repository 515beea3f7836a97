#include "controller/html.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace netprobe {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string link_to(std::string_view path, const std::vector<std::pair<std::string, std::string>>& query) {
  boost::urls::url url = boost::urls::parse_relative_ref(path).value();
  for (const auto& [key, value] : query) url.params().append({key, value});
  return html_escape(url.buffer());
}

std::string with_thousands(std::size_t count) {
  std::string digits = std::to_string(count);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

}  // namespace netprobe
