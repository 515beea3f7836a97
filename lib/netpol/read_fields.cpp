#include "read_fields.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace netprobe::netpol {
namespace {

// What an unquoted scalar becomes for kubectl (YAML 1.1 via sigs.k8s.io/yaml)
// when it is not a string, or "" when it is one.
std::string non_string_kind(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kBooleans{"true", "True", "TRUE", "false", "False", "FALSE",
                                                               "yes",  "Yes",  "no",   "No",    "on",    "off"};
  if (std::find(kBooleans.begin(), kBooleans.end(), text) != kBooleans.end()) return "a boolean";
  if (text == "null" || text == "~") return "null";
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const bool starts_numeric = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' ||
                                                text[0] == '+' || text[0] == '.');
  if (starts_numeric && error == std::errc{} && end == text.data() + text.size()) return "a number";
  return "";
}

LabelRequirement read_requirement(const Field& field) {
  MapReader reader(field);
  LabelRequirement requirement;
  requirement.key = api_string(reader.required("key"));
  const Field op = reader.required("operator");
  const std::string name = api_string(op);
  using Op = LabelRequirement::Operator;
  if (name == "In") requirement.op = Op::in;
  else if (name == "NotIn") requirement.op = Op::not_in;
  else if (name == "Exists") requirement.op = Op::exists;
  else if (name == "DoesNotExist") requirement.op = Op::does_not_exist;
  else op.fail("unknown operator \"" + name + "\" (expected In, NotIn, Exists, DoesNotExist)");

  const auto values = reader.optional("values");
  if (values) {
    for (const Field& value : list_or_empty(*values)) requirement.values.push_back(api_string(value));
  }
  reader.finish();
  const bool takes_values = requirement.op == Op::in || requirement.op == Op::not_in;
  if (takes_values && requirement.values.empty()) field.fail("operator " + name + " needs a non-empty values list");
  if (!takes_values && !requirement.values.empty()) values->fail("must be empty for operator " + name);
  return requirement;
}

}  // namespace

bool is_null(const Field& field) { return field.node().IsNull(); }

int line_of(const Field& field) {
  const YAML::Mark mark = field.node().Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

bool plain(const Field& field) { return field.node().Tag() == "?"; }  // unquoted in YAML or JSON

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A string-typed API field: the API server rejects `app: true` or `version: 1`
// (they are not strings in JSON), so this does too, with the fix.
std::string api_string(const Field& field) {
  const std::string text = field.as_string();
  if (plain(field)) {
    const std::string kind = non_string_kind(text);
    if (!kind.empty()) field.fail("expected a string, found " + kind + " (quote it: \"" + text + "\")");
  }
  return text;
}

std::vector<Field> list_or_empty(const Field& field) {
  if (is_null(field)) return {};
  return field.as_list();
}

std::uint16_t read_port_number(const Field& field) { return static_cast<std::uint16_t>(field.as_int(1, 65535)); }

Labels read_labels(const Field& field) {
  Labels labels;
  if (is_null(field)) return labels;
  if (!field.node().IsMap()) field.fail("expected a mapping of labels");
  for (const auto& entry : field.node()) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    const Field value(entry.second, field.path() + "." + key, field.source());
    labels[key] = api_string(value);
  }
  return labels;
}

Labels read_annotations(const Field& field) {
  Labels annotations;
  if (is_null(field) || !field.node().IsMap()) return annotations;
  for (const auto& entry : field.node()) {
    if (entry.first.IsScalar() && entry.second.IsScalar()) annotations[entry.first.Scalar()] = entry.second.Scalar();
  }
  return annotations;
}


Metadata read_metadata(MapReader& object, const std::string& default_namespace) {
  Metadata metadata;
  const Field field = object.required("metadata");
  MapReader reader(field);  // loose: kubectl output carries uid, managedFields, annotations…
  metadata.name = api_string(reader.required("name"));
  if (auto ns = reader.optional("namespace"); ns && !is_null(*ns)) metadata.ns = api_string(*ns);
  if (metadata.ns.empty()) metadata.ns = default_namespace;
  if (auto labels = reader.optional("labels")) metadata.labels = read_labels(*labels);
  if (auto annotations = reader.optional("annotations")) metadata.annotations = read_annotations(*annotations);
  if (auto owners = reader.optional("ownerReferences")) {
    for (const Field& owner : list_or_empty(*owners)) {
      MapReader owner_reader(owner);
      const auto controller = owner_reader.optional("controller");
      if (controller && !controller->as_bool()) continue;
      metadata.owners.emplace_back(api_string(owner_reader.required("kind")), api_string(owner_reader.required("name")));
    }
  }
  return metadata;
}

LabelSelector read_selector(const Field& field) {
  LabelSelector selector;
  if (is_null(field)) return selector;
  MapReader reader(field);
  if (auto labels = reader.optional("matchLabels")) selector.match_labels = read_labels(*labels);
  if (auto expressions = reader.optional("matchExpressions")) {
    for (const Field& expression : list_or_empty(*expressions)) {
      selector.match_expressions.push_back(read_requirement(expression));
    }
  }
  reader.finish();
  return selector;
}

std::optional<LabelSelector> read_optional_selector(const std::optional<Field>& field) {
  if (!field || is_null(*field)) return std::nullopt;
  return read_selector(*field);
}

}  // namespace netprobe::netpol
