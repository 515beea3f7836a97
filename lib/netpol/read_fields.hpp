#pragma once
// The field rules every object netprobe reads shares, as the API server applies
// them: string fields that must be strings (`app: true` is refused with the fix),
// labels, metadata, label selectors. Used by the readers (read.cpp,
// read_policy.cpp, read_pod.cpp) and by lib/kube for the selectors of
// prometheus-operator's monitors; errors are ConfigError naming file:line: field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/yaml_reader.hpp"
#include "model.hpp"

namespace netprobe::netpol {

bool is_null(const Field& field);
// 1-based line of the field in its file, 0 when unknown.
int line_of(const Field& field);
// Whether the scalar was written unquoted (in YAML or JSON), so YAML 1.1 typing applies.
bool plain(const Field& field);
bool all_digits(std::string_view text);

// A string-typed API field: refuses unquoted booleans, numbers and nulls.
std::string api_string(const Field& field);
// A list, or no entries for null.
std::vector<Field> list_or_empty(const Field& field);
// A port number, 1-65535.
std::uint16_t read_port_number(const Field& field);

Labels read_labels(const Field& field);
// Annotations are free-form; any scalar is kept as its text.
Labels read_annotations(const Field& field);

struct Metadata {
  std::string name;
  std::string ns;
  Labels labels;
  Labels annotations;
  std::vector<std::pair<std::string, std::string>> owners;  // (kind, name) of controller owners
};

// metadata of an object; loose, since kubectl output carries uid, managedFields, …
Metadata read_metadata(MapReader& object, const std::string& default_namespace);

LabelSelector read_selector(const Field& field);
// A peer's selector: null is the same as leaving it out (Go's nil pointer).
std::optional<LabelSelector> read_optional_selector(const std::optional<Field>& field);

}  // namespace netprobe::netpol
