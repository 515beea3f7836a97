#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/eventhandler.h>

namespace netprobe {
namespace {

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "\"" + node.Scalar() + "\"";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "nothing";
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

}  // namespace

ConfigError::ConfigError(std::string source, int line, std::string field, const std::string& message)
    : std::runtime_error(source + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                         (field.empty() ? std::string() : field + ": ") + message),
      source_(std::move(source)),
      line_(line),
      field_(std::move(field)),
      message_(message) {}

YAML::Node load_yaml(std::string_view text, const std::string& source) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    const int line = error.mark.is_null() ? 0 : error.mark.line + 1;
    throw ConfigError(source, line, "", "invalid YAML: " + error.msg);
  }
}

namespace {

// yaml-cpp 0.7's LoadAll() loops for ever on some malformed streams, adding an
// empty document each turn until memory runs out (jbeder/yaml-cpp#1319, fixed
// upstream after the 0.7.0 that Debian 12 ships): the parser reports a null
// document without consuming input. This first pass over the parser's events
// finds that, and only then does LoadAll() build the nodes.
class ProgressCheck final : public YAML::EventHandler {
 public:
  bool stuck() const { return stuck_; }
  const YAML::Mark& where() const { return null_mark_; }

  void OnDocumentStart(const YAML::Mark&) override {
    events_ = 0;
    only_null_ = false;
  }
  void OnDocumentEnd() override {
    // A second bare null document at the very place of the one before: nothing was consumed.
    if (events_ == 1 && only_null_) {
      stuck_ = previous_null_ && previous_null_pos_ == null_mark_.pos;
      previous_null_ = true;
      previous_null_pos_ = null_mark_.pos;
    } else {
      previous_null_ = false;
    }
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    only_null_ = ++events_ == 1;
    null_mark_ = mark;
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events_; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { ++events_; }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnMapEnd() override {}

 private:
  std::size_t events_ = 0;
  bool only_null_ = false;
  YAML::Mark null_mark_ = YAML::Mark::null_mark();
  bool previous_null_ = false;
  int previous_null_pos_ = 0;
  bool stuck_ = false;
};

int line_of_mark(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

}  // namespace

std::vector<YAML::Node> load_yaml_documents(std::string_view text, const std::string& source) {
  const std::string copy(text);
  try {
    std::istringstream stream(copy);
    YAML::Parser parser(stream);
    ProgressCheck check;
    // Every document takes at least one byte of the stream: more documents
    // than bytes is the same loop in a shape ProgressCheck does not recognise.
    for (std::size_t documents = 1; parser.HandleNextDocument(check); ++documents) {
      if (check.stuck() || documents > copy.size() + 1) {
        throw ConfigError(source, line_of_mark(check.where()), "",
                          "invalid YAML: the parser cannot get past this point (malformed document)");
      }
    }
    return YAML::LoadAll(copy);
  } catch (const YAML::Exception& error) {
    throw ConfigError(source, line_of_mark(error.mark), "", "invalid YAML: " + error.msg);
  }
}

YAML::Node yaml_from_json(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return YAML::Node(YAML::NodeType::Null);
    case nlohmann::json::value_t::string: {
      YAML::Node text(value.get_ref<const std::string&>());
      text.SetTag("!");  // as a quoted YAML scalar: a string whatever it spells ("80", "true")
      return text;
    }
    case nlohmann::json::value_t::array: {
      YAML::Node list(YAML::NodeType::Sequence);
      for (const auto& item : value) list.push_back(yaml_from_json(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      YAML::Node map(YAML::NodeType::Map);
      for (const auto& [key, item] : value.items()) map[key] = yaml_from_json(item);
      return map;
    }
    default: {
      YAML::Node scalar(value.dump());  // numbers and booleans, as JSON writes them
      scalar.SetTag("?");               // as a plain YAML scalar, so readers see a number, not a string
      return scalar;
    }
  }
}

Field::Field(YAML::Node node, std::string path, const std::string& source)
    : node_(std::move(node)), path_(std::move(path)), source_(&source) {}

void Field::fail(const std::string& message) const {
  throw ConfigError(*source_, line_of(node_), path_, message);
}

std::string Field::as_string() const {
  if (!node_.IsScalar()) fail("expected a string, found " + describe(node_));
  return node_.Scalar();
}

bool Field::as_bool() const {
  const std::string text = as_string();
  if (text == "true") return true;
  if (text == "false") return false;
  fail("expected true or false, found \"" + text + "\"");
}

std::int64_t Field::as_int(std::int64_t min, std::int64_t max) const {
  if (!node_.IsScalar()) fail("expected a number, found " + describe(node_));
  const std::string& text = node_.Scalar();
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    fail("expected a whole number, found \"" + text + "\"");
  }
  if (value < min || value > max) {
    fail(text + " is out of range (expected " + std::to_string(min) + " to " + std::to_string(max) + ")");
  }
  return value;
}

Millis Field::as_duration() const {
  const std::string text = as_string();
  auto duration = parse_duration(text);
  if (!duration) fail("invalid duration \"" + text + "\" (expected e.g. 500ms, 10s, 1m)");
  return *duration;
}

std::vector<Field> Field::as_list() const {
  if (!node_.IsSequence()) fail("expected a list, found " + describe(node_));
  std::vector<Field> items;
  items.reserve(node_.size());
  for (std::size_t i = 0; i < node_.size(); ++i) {
    items.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", *source_);
  }
  return items;
}

void Field::require_at_most(std::size_t max_items) const {
  if (node_.size() > max_items) {
    fail("more than " + std::to_string(max_items) + (node_.IsMap() ? " entries" : " items") + " (" +
         std::to_string(node_.size()) + ")");
  }
}

std::vector<Field> Field::as_list(std::size_t max_items) const {
  if (!node_.IsSequence()) fail("expected a list, found " + describe(node_));
  require_at_most(max_items);
  return as_list();
}

MapReader::MapReader(const Field& map) : map_(map) {
  if (!map.node().IsMap()) map.fail("expected a mapping, found " + describe(map.node()));
}

std::optional<Field> MapReader::optional(std::string_view key) {
  known_.emplace_back(key);
  const YAML::Node value = map_.node()[std::string(key)];
  if (!value.IsDefined()) return std::nullopt;
  return Field(value, join_path(map_.path(), key), map_.source());
}

Field MapReader::required(std::string_view key) {
  auto value = optional(key);
  if (!value) throw ConfigError(map_.source(), line_of(map_.node()), join_path(map_.path(), key), "is required");
  return *value;
}

void MapReader::finish() const {
  for (const auto& entry : map_.node()) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      std::string expected;
      for (const std::string& name : known_) expected += (expected.empty() ? "" : ", ") + name;
      throw ConfigError(map_.source(), line_of(entry.first), join_path(map_.path(), key),
                        "unknown key (expected one of " + expected + ")");
    }
  }
}

}  // namespace netprobe
