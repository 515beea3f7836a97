#include "secrets.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace netprobe {

std::string read_text_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string read_token_file(const std::string& path) {
  if (path.empty()) return "";
  std::string token = read_text_file(path);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) {
    token.pop_back();
  }
  if (token.empty()) throw std::runtime_error("token file " + path + " is empty");
  return token;
}

}  // namespace netprobe
