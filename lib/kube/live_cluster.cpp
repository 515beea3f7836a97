#include "live_cluster.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/yaml_reader.hpp"
#include "netpol/read.hpp"

namespace netprobe::kube {
namespace {

using nlohmann::json;

// The parts of an object the reader looks at; the rest is not converted.
json trimmed(Resource resource, const json& object, const KeptAnnotations& kept) {
  json out = json::object();
  if (const auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    json& meta = out["metadata"] = json::object();
    for (const char* key : {"name", "namespace", "labels", "ownerReferences"}) {
      if (const auto found = metadata->find(key); found != metadata->end()) meta[key] = *found;
    }
    if (const auto annotations = metadata->find("annotations");
        annotations != metadata->end() && annotations->is_object()) {
      json& kept_annotations = meta["annotations"] = json::object();
      for (const auto& [key, value] : annotations->items()) {
        if (kept.keeps(key)) kept_annotations[key] = value;
      }
    }
  }
  const ResourceInfo& about = info(resource);
  out["kind"] = about.kind;
  out["apiVersion"] = resource == Resource::networkpolicies ? "networking.k8s.io/v1" : "v1";
  if (resource == Resource::networkpolicies) {
    if (const auto spec = object.find("spec"); spec != object.end()) out["spec"] = *spec;
  } else if (resource == Resource::pods) {
    if (const auto spec = object.find("spec"); spec != object.end() && spec->is_object()) {
      json& pod_spec = out["spec"] = json::object();
      for (const char* key : {"serviceAccountName", "serviceAccount"}) {
        if (const auto found = spec->find(key); found != spec->end()) pod_spec[key] = *found;
      }
      for (const char* list : {"containers", "initContainers"}) {
        const auto containers = spec->find(list);
        if (containers == spec->end() || !containers->is_array()) continue;
        json& kept_containers = pod_spec[list] = json::array();
        for (const json& container : *containers) {
          json kept_container = json::object();
          if (container.is_object() && container.contains("ports")) kept_container["ports"] = container["ports"];
          kept_containers.push_back(std::move(kept_container));
        }
      }
    }
    if (const auto status = object.find("status"); status != object.end() && status->is_object()) {
      if (const auto ip = status->find("podIP"); ip != status->end()) out["status"]["podIP"] = *ip;
    }
  }
  return out;
}

}  // namespace

bool KeptAnnotations::keeps(const std::string& key) const {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& prefix) { return key.starts_with(prefix); }) ||
         std::find(keys.begin(), keys.end(), key) != keys.end();
}

// One resource's records, keyed as the API keys them.
template <typename Record>
class ModelSink final : public ObjectSink {
 public:
  using Pick = std::vector<Record> netpol::Cluster::*;

  ModelSink(Resource resource, Pick pick, const KeptAnnotations& kept, std::uint64_t& version)
      : resource_(resource), pick_(pick), kept_(kept), version_(version) {}

  std::optional<std::string> upsert(const ObjectKey& key, const json& object) override {
    const std::string source = std::string(info(resource_).name) + "/" +
                               (key.ns.empty() ? key.name : key.ns + "/" + key.name);
    netpol::Cluster one;
    try {
      netpol::read_object(Field(yaml_from_json(trimmed(resource_, object, kept_)), "", source), one,
                          key.ns.empty() ? "default" : key.ns);
    } catch (const std::exception& error) {  // ConfigError; bad_alloc is no reason to stop either
      return std::string(error.what());
    }
    std::vector<Record>& read = one.*pick_;
    if (read.size() != 1) return source + ": not read as a " + std::string(info(resource_).kind);
    records_[key] = std::move(read.front());
    ++version_;
    return std::nullopt;
  }

  void remove(const ObjectKey& key) override {
    if (records_.erase(key) > 0) ++version_;
  }

  void copy_into(netpol::Cluster& cluster) const {
    std::vector<Record>& out = cluster.*pick_;
    out.reserve(records_.size());
    for (const auto& [key, record] : records_) out.push_back(record);
  }


 private:
  Resource resource_;
  Pick pick_;
  const KeptAnnotations& kept_;
  std::uint64_t& version_;
  std::map<ObjectKey, Record> records_;
};

struct LiveCluster::Sinks {
  Sinks(const KeptAnnotations& kept_in, std::uint64_t& version)
      : kept(kept_in),
        namespaces(Resource::namespaces, &netpol::Cluster::namespaces, kept, version),
        pods(Resource::pods, &netpol::Cluster::pods, kept, version),
        service_accounts(Resource::serviceaccounts, &netpol::Cluster::service_accounts, kept, version),
        policies(Resource::networkpolicies, &netpol::Cluster::policies, kept, version) {}

  KeptAnnotations kept;
  ModelSink<netpol::Namespace> namespaces;
  ModelSink<netpol::Pod> pods;
  ModelSink<netpol::ServiceAccount> service_accounts;
  ModelSink<netpol::NetworkPolicy> policies;
};

LiveCluster::LiveCluster(KeptAnnotations kept) : sinks_(std::make_unique<Sinks>(kept, version_)) {}

LiveCluster::~LiveCluster() = default;

ObjectSink& LiveCluster::sink(Resource resource) {
  switch (resource) {
    case Resource::namespaces: return sinks_->namespaces;
    case Resource::pods: return sinks_->pods;
    case Resource::serviceaccounts: return sinks_->service_accounts;
    case Resource::networkpolicies: return sinks_->policies;
    default: throw std::invalid_argument(std::string(info(resource).name) + " is not kept for analysis");
  }
}

netpol::Cluster LiveCluster::cluster() const {
  netpol::Cluster cluster;
  sinks_->namespaces.copy_into(cluster);
  sinks_->pods.copy_into(cluster);
  sinks_->service_accounts.copy_into(cluster);
  sinks_->policies.copy_into(cluster);
  return cluster;
}

}  // namespace netprobe::kube
