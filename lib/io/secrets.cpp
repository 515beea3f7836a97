#include "secrets.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/http_message.hpp"

namespace netprobe {

std::string read_text_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string parse_token(std::string_view text, const std::string& path) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text.empty()) throw std::runtime_error("token file " + path + " is empty");
  if (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r') {
    throw std::runtime_error("token file " + path + " starts with whitespace");
  }
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    throw std::runtime_error("token file " + path + " has more than one line");
  }
  if (!header_value_is_clean(text) || text.find_first_of(" \t") != std::string_view::npos) {
    throw std::runtime_error("token file " + path + " holds spaces or control characters");
  }
  return std::string(text);
}

std::string read_token_file(const std::string& path) {
  if (path.empty()) return "";
  return parse_token(read_text_file(path), path);
}

}  // namespace netprobe
