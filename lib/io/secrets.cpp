#include "secrets.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/http_message.hpp"

namespace netprobe {

std::string read_text_file(const std::string& path) {
  // POSIX calls rather than an ifstream, which keeps errno to itself: the
  // message says why ("cannot read nope.yaml: No such file or directory").
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot read " + path + ": " + std::strerror(error));
    }
    text.append(buffer.data(), static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
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
