// The field rules every reader shares, called directly on parsed YAML.
#include "netpol/read_fields.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

// Fields keep a reference to their source's name, so it must outlive them.
const std::string kSource = "test.yaml";

Field field_of(const std::string& yaml) { return Field(YAML::Load(yaml), "f", kSource); }

std::string error_of(void (*read)(const Field&), const std::string& yaml) {
  try {
    read(field_of(yaml));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

void read_string(const Field& field) { (void)api_string(field); }

}  // namespace

TEST_CASE("a string field refuses what YAML 1.1 would type otherwise, and says how to quote it") {
  CHECK(api_string(field_of("web")) == "web");
  CHECK(api_string(field_of("\"true\"")) == "true");
  CHECK(api_string(field_of("'1'")) == "1");
  CHECK(error_of(read_string, "yes") == "test.yaml:1: f: expected a string, found a boolean (quote it: \"yes\")");
  CHECK(error_of(read_string, "off") == "test.yaml:1: f: expected a string, found a boolean (quote it: \"off\")");
  CHECK(error_of(read_string, "1.5") == "test.yaml:1: f: expected a string, found a number (quote it: \"1.5\")");
  CHECK(error_of(read_string, "-3") == "test.yaml:1: f: expected a string, found a number (quote it: \"-3\")");
  CHECK(error_of(read_string, "~") == "test.yaml:1: f: expected a string, found nothing");  // YAML null, no scalar at all
  CHECK(error_of(read_string, "null") == "test.yaml:1: f: expected a string, found nothing");
  CHECK(api_string(field_of("1.5.0")) == "1.5.0");  // not a number, so a string
}

TEST_CASE("labels are strings; annotations keep any scalar") {
  CHECK(read_labels(field_of("{app: web, tier: \"1\"}")) == Labels{{"app", "web"}, {"tier", "1"}});
  CHECK(read_labels(field_of("~")).empty());
  CHECK(error_of([](const Field& f) { (void)read_labels(f); }, "[a]") == "test.yaml:1: f: expected a mapping of labels");
  CHECK(read_annotations(field_of("{replicas: 3, note: x, list: [1]}")) == Labels{{"note", "x"}, {"replicas", "3"}});
}

TEST_CASE("metadata: the default namespace, and only controller owners") {
  const Field object = field_of(
      "metadata:\n  name: web-5d8f\n  labels: {app: web}\n  ownerReferences:\n"
      "  - {kind: ReplicaSet, name: web-5d8f, controller: true}\n  - {kind: ConfigMap, name: c, controller: false}\n");
  MapReader reader(object);
  const Metadata metadata = read_metadata(reader, "shop");
  CHECK(metadata.name == "web-5d8f");
  CHECK(metadata.ns == "shop");
  CHECK(metadata.labels == Labels{{"app", "web"}});
  CHECK(metadata.owners == std::vector<std::pair<std::string, std::string>>{{"ReplicaSet", "web-5d8f"}});
}

TEST_CASE("selectors: null is absent for a peer, {} matches everything") {
  CHECK_FALSE(read_optional_selector(std::nullopt));
  CHECK_FALSE(read_optional_selector(field_of("~")));
  const auto empty = read_optional_selector(field_of("{}"));
  REQUIRE(empty);
  CHECK(empty->empty());
  const LabelSelector selector =
      read_selector(field_of("{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}"));
  CHECK(selector.matches(Labels{{"app", "web"}}));
  CHECK_FALSE(selector.matches(Labels{{"app", "web"}, {"tier", "db"}}));
  CHECK(error_of([](const Field& f) { (void)read_selector(f); }, "{matchLabel: {}}").starts_with("test.yaml:1: f.matchLabel: unknown key"));
}
