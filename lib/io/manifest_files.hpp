#pragma once
// Reading Kubernetes manifests from disk into the NetworkPolicy model, for
// `netprobe lint -f` and the controller's policy analysis. The parsing itself is
// pure (netpol/read.hpp); this file only finds and reads the files.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "netpol/model.hpp"

namespace netprobe {

// A path that is neither a readable file nor a directory.
struct ManifestPathError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The manifest files a path stands for: a file itself, or a directory's *.yaml,
// *.yml and *.json files (not recursive, as `kubectl apply -f DIR` without -R),
// in name order; kustomization.yaml is not a manifest, and neither are Kubernetes'
// ConfigMap-mount symlinks (..data, ..2026_…) nor hidden files.
std::vector<std::filesystem::path> manifest_files(const std::string& path);

// Reads every file of every path into one Cluster; "-" reads standard input. Throws ManifestPathError, or
// ConfigError naming file:line: field for an invalid manifest.
netpol::Cluster read_manifest_paths(const std::vector<std::string>& paths);

}  // namespace netprobe
