// Which files a -f path (or a policy_analysis path) stands for, and the errors
// for paths that are not there. Uses a temporary directory.
#include "io/manifest_files.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "core/yaml_reader.hpp"
#include "support/process.hpp"

using namespace netprobe;
using netprobe::testing::make_temp_dir;
using netprobe::testing::write_file;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPolicy = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: payments}
spec: {podSelector: {}}
)";

struct TempDir {
  std::string path = make_temp_dir("netprobe-manifests");
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("a directory stands for its manifests in name order; kustomization and mount internals are skipped") {
  TempDir dir;
  write_file(dir.path + "/b.yaml", kPolicy);
  write_file(dir.path + "/a.json", R"({"apiVersion": "v1", "kind": "List", "items": []})");
  write_file(dir.path + "/c.yml", "");
  write_file(dir.path + "/kustomization.yaml", "resources: [b.yaml]\n");
  write_file(dir.path + "/README.md", "not a manifest\n");
  // A mounted ConfigMap: keys are symlinks into a hidden, timestamped directory.
  fs::create_directory(dir.path + "/..2026_11_26_10_00_00.1");
  write_file(dir.path + "/..2026_11_26_10_00_00.1/d.yaml", kPolicy);
  fs::create_directory_symlink("..2026_11_26_10_00_00.1", dir.path + "/..data");
  fs::create_symlink("..data/d.yaml", dir.path + "/d.yaml");
  fs::create_symlink("..data/gone.yaml", dir.path + "/e.yaml");  // dangling, as mid-update: skipped

  std::vector<std::string> names;
  for (const fs::path& file : manifest_files(dir.path)) names.push_back(file.filename().string());
  CHECK(names == std::vector<std::string>{"a.json", "b.yaml", "c.yml", "d.yaml"});

  const netpol::Cluster cluster = read_manifest_paths({dir.path});
  CHECK(cluster.policies.size() == 1);  // b.yaml and d.yaml hold the same policy: the later one wins
}

TEST_CASE("a file is itself; a missing path and an invalid manifest are errors naming them") {
  TempDir dir;
  write_file(dir.path + "/policy.yaml", kPolicy);
  CHECK(manifest_files(dir.path + "/policy.yaml").size() == 1);
  CHECK_THROWS_WITH_AS(manifest_files(dir.path + "/gone"), (dir.path + "/gone: no such file or directory").c_str(),
                       ManifestPathError);
  write_file(dir.path + "/bad.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\n");
  CHECK_THROWS_WITH_AS(read_manifest_paths({dir.path + "/bad.yaml"}),
                       (dir.path + "/bad.yaml:1: spec: is required").c_str(), ConfigError);
}
