#include "manifest_files.hpp"

#include <algorithm>
#include <iostream>
#include <iterator>

#include "netpol/read.hpp"
#include "io/secrets.hpp"

namespace netprobe {

namespace fs = std::filesystem;

std::vector<fs::path> manifest_files(const std::string& argument) {
  const fs::path path(argument);
  std::error_code error;
  if (fs::is_directory(path, error)) {
    std::vector<fs::path> files;
    fs::directory_iterator entries(path, error);
    if (error) throw ManifestPathError(argument + ": " + error.message());
    for (; entries != fs::directory_iterator(); entries.increment(error)) {
      if (error) throw ManifestPathError(argument + ": " + error.message());
      const fs::directory_entry& entry = *entries;
      const std::string name = entry.path().filename().string();
      const std::string extension = entry.path().extension().string();
      // A mounted ConfigMap shows each key as a symlink into a hidden ..data
      // directory; a dangling one (mid-update) is not a manifest, so its own
      // error is dropped rather than failing the directory.
      std::error_code entry_error;
      if (name.empty() || name.front() == '.' || !entry.is_regular_file(entry_error)) continue;
      if (name == "kustomization.yaml" || name == "kustomization.yml") continue;
      if (extension == ".yaml" || extension == ".yml" || extension == ".json") files.push_back(entry.path());
    }
    if (error) throw ManifestPathError(argument + ": " + error.message());
    std::sort(files.begin(), files.end());
    return files;
  }
  if (!fs::is_regular_file(path, error)) throw ManifestPathError(argument + ": no such file or directory");
  return {path};
}

netpol::Cluster read_manifest_paths(const std::vector<std::string>& paths) {
  netpol::Cluster cluster;
  for (const std::string& argument : paths) {
    if (argument == "-") {  // kubectl get … -o json | netprobe lint -f -
      const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      netpol::read_manifests(text, "<stdin>", cluster);
      continue;
    }
    for (const fs::path& file : manifest_files(argument)) {
      std::string text;
      try {
        text = read_text_file(file.string());
      } catch (const std::runtime_error& error) {
        throw ManifestPathError(error.what());
      }
      netpol::read_manifests(text, file.string(), cluster);
    }
  }
  return cluster;
}

}  // namespace netprobe
