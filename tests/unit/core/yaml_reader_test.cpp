#include "core/yaml_reader.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace netprobe;

namespace {

const std::string kSource = "test.yaml";

// The message of the ConfigError that `read` throws, or "" when it throws none.
template <typename Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

Field root(const YAML::Node& node) { return Field(node, "", kSource); }

}  // namespace

TEST_CASE("an error names the source, the line and the field path") {
  const YAML::Node document = load_yaml("a: 1\nprobes:\n  - name: x\n    type: dnss\n", kSource);
  MapReader map(root(document));
  const std::vector<Field> probes = map.required("probes").as_list();
  MapReader probe(probes[0]);
  const Field type = probe.required("type");
  CHECK(error_of([&] { type.fail("unknown probe type"); }) == "test.yaml:4: probes[0].type: unknown probe type");
  try {
    type.fail("x");
  } catch (const ConfigError& error) {
    CHECK(error.source() == kSource);
    CHECK(error.line() == 4);
    CHECK(error.field() == "probes[0].type");
    CHECK(error.message() == "x");
  }
}

TEST_CASE("a key not asked for is refused, naming those that are known") {
  const YAML::Node document = load_yaml("interval: 10s\nintervall: 5s\n", kSource);
  MapReader map(root(document));
  map.optional("interval");
  map.optional("timeout");
  CHECK(error_of([&] { map.finish(); }) == "test.yaml:2: intervall: unknown key (expected one of interval, timeout)");
}

TEST_CASE("a required key that is missing is refused by name") {
  const YAML::Node document = load_yaml("probe:\n  type: tcp\n", kSource);
  MapReader map(root(document));
  MapReader probe(map.required("probe"));
  CHECK(error_of([&] { probe.required("target"); }) == "test.yaml:2: probe.target: is required");
  CHECK(error_of([&] { MapReader(root(load_yaml("[1, 2]", kSource))); }) ==
        "test.yaml:1: expected a mapping, found a list");
}

TEST_CASE("scalars are read strictly") {
  const YAML::Node document = load_yaml("n: 12\nbig: 99999\nword: ten\nflag: yes\ntime: 10 seconds\n", kSource);
  MapReader map(root(document));
  CHECK(map.required("n").as_int(0, 100) == 12);
  CHECK(error_of([&] { map.required("big").as_int(0, 100); }) == "test.yaml:2: big: 99999 is out of range (expected 0 to 100)");
  CHECK(error_of([&] { map.required("word").as_int(0, 100); }) ==
        "test.yaml:3: word: expected a whole number, found \"ten\"");
  CHECK(error_of([&] { map.required("flag").as_bool(); }) == "test.yaml:4: flag: expected true or false, found \"yes\"");
  CHECK(error_of([&] { map.required("time").as_duration(); }) ==
        "test.yaml:5: time: invalid duration \"10 seconds\" (expected e.g. 500ms, 10s, 1m)");
  CHECK(error_of([&] { map.required("n").as_list(); }) == "test.yaml:1: n: expected a list, found \"12\"");
}

TEST_CASE("lists and mappings are bounded in length") {
  const YAML::Node document = load_yaml("servers: [a, b, c]\nheaders: {A: 1, B: 2}\n", kSource);
  MapReader map(root(document));
  CHECK(map.required("servers").as_list(3).size() == 3);
  CHECK(error_of([&] { map.required("servers").as_list(2); }) == "test.yaml:1: servers: more than 2 items (3)");
  CHECK(error_of([&] { map.required("headers").require_at_most(1); }) ==
        "test.yaml:2: headers: more than 1 entries (2)");
}

TEST_CASE("YAML that does not parse is a ConfigError with its line") {
  CHECK(error_of([] { load_yaml("a: [1, 2\nb: 3\n", kSource); }).starts_with("test.yaml:"));
  CHECK(error_of([] { load_yaml("a: [1, 2\nb: 3\n", kSource); }).find("invalid YAML") != std::string::npos);
  CHECK(error_of([] { load_yaml_documents("a: 1\n---\nb: [\n", kSource); }).find("invalid YAML") != std::string::npos);
  CHECK(load_yaml_documents("a: 1\n---\nb: 2\n", kSource).size() == 2);
}

TEST_CASE("a JSON value becomes the same tree, its scalars spelt as JSON spells them") {
  const auto json = nlohmann::json::parse(R"({"type": "tcp", "port": 10, "ratio": 2.5, "on": true,
                                               "none": null, "list": ["10s", 1]})");
  const YAML::Node tree = yaml_from_json(json);
  CHECK(tree["type"].Scalar() == "tcp");
  CHECK(tree["port"].Scalar() == "10");
  CHECK(tree["ratio"].Scalar() == "2.5");
  CHECK(tree["on"].Scalar() == "true");
  CHECK(tree["none"].IsNull());
  CHECK(tree["list"].IsSequence());
  CHECK(tree["list"][0].Scalar() == "10s");
  MapReader map(root(tree));
  CHECK(map.required("port").as_int(0, 65535) == 10);
  CHECK(map.required("on").as_bool());
  // JSON says which scalars are strings; the tree keeps it, as YAML's quoting
  // would, so readers that refuse `app: true` accept {"app": "true"}.
  CHECK(tree["type"].Tag() == "!");
  CHECK(tree["port"].Tag() == "?");
  CHECK(tree["on"].Tag() == "?");
  CHECK(tree["list"][0].Tag() == "!");
}
