#pragma once
// Reading config files and token files (mounted Secrets) from disk.
#include <string>

namespace netprobe {

// The whole file; throws std::runtime_error naming the path.
std::string read_text_file(const std::string& path);

// A bearer token from a file: trailing whitespace and newlines trimmed, an empty
// file refused. An empty path gives "" (the feature the token guards is off).
std::string read_token_file(const std::string& path);

}  // namespace netprobe
