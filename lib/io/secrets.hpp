#pragma once
// Reading config files and token files (mounted Secrets) from disk.
#include <string>
#include <string_view>

namespace netprobe {

// The whole file; throws std::runtime_error naming the path.
std::string read_text_file(const std::string& path);

// A bearer token as written in a file: one line, trailing whitespace and the
// final newline trimmed. Refused, naming `path`: an empty token, leading
// whitespace, several lines, or bytes that cannot go in a header (the token is
// compared byte for byte; a stray space would make every request fail as 401).
std::string parse_token(std::string_view text, const std::string& path);

// parse_token() of the file. An empty path gives "" (the feature the token guards is off).
std::string read_token_file(const std::string& path);

}  // namespace netprobe
