#pragma once
// Strict reading of YAML config documents: every error names the file, the
// line and the field path ("probes[1].type"), and unknown keys are rejected.
// Shared by the agent's and the controller's config and by API bodies (a JSON
// value is turned into the same tree, so one validator serves both).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <yaml-cpp/yaml.h>

#include "duration.hpp"

namespace netprobe {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string source, int line, std::string field, const std::string& message);
  const std::string& source() const { return source_; }
  int line() const { return line_; }  // 1-based; 0 when unknown
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

 private:
  std::string source_;
  int line_;
  std::string field_;
  std::string message_;
};

// Parses the document, turning yaml-cpp's syntax errors into ConfigError.
YAML::Node load_yaml(std::string_view text, const std::string& source);

// Every document of a stream ("---"-separated), likewise.
std::vector<YAML::Node> load_yaml_documents(std::string_view text, const std::string& source);

// The same tree as YAML, so a JSON body parsed once (parse_json_input, which
// bounds its depth) is checked by the config reader without being written out
// and read again. Scalars keep their JSON spelling: 10, 2.5, true, null, "10s".
YAML::Node yaml_from_json(const nlohmann::json& value);

// A field of a document: its node, the path that names it, and where it came from.
class Field {
 public:
  Field(YAML::Node node, std::string path, const std::string& source);

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& source() const { return *source_; }
  [[noreturn]] void fail(const std::string& message) const;

  std::string as_string() const;  // any scalar
  bool as_bool() const;
  std::int64_t as_int(std::int64_t min, std::int64_t max) const;
  Millis as_duration() const;
  std::vector<Field> as_list() const;  // a sequence (a scalar is not promoted)
  std::vector<Field> as_list(std::size_t max_items) const;  // ... of at most max_items
  void require_at_most(std::size_t max_items) const;        // a sequence or mapping this long at most

 private:
  YAML::Node node_;
  std::string path_;
  const std::string* source_;
};

// Reads a mapping key by key; finish() rejects every key that was not asked for.
class MapReader {
 public:
  explicit MapReader(const Field& map);

  std::optional<Field> optional(std::string_view key);
  Field required(std::string_view key);
  void finish() const;

 private:
  Field map_;
  std::vector<std::string> known_;
};

}  // namespace netprobe
