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

struct LiveCluster::Store {
  explicit Store(KeptAnnotations kept_in) : kept(std::move(kept_in)) {}

  // A namespace's objects, ready to change: copied first when a snapshot holds them.
  netpol::NamespaceObjects& writable(const std::string& ns) {
    std::shared_ptr<netpol::NamespaceObjects>& held = objects[ns];
    if (!held) held = std::make_shared<netpol::NamespaceObjects>();
    else if (held.use_count() > 1) held = std::make_shared<netpol::NamespaceObjects>(*held);
    return *held;
  }

  // Removes `name` from the namespace's records picked by `pick`, if there.
  template <typename Records>
  void erase(const std::string& ns, const std::string& name, Records netpol::NamespaceObjects::*pick) {
    const auto found = objects.find(ns);
    if (found == objects.end() || !((*found->second).*pick).count(name)) return;
    netpol::NamespaceObjects& changed = writable(ns);
    (changed.*pick).erase(name);
    if (changed.empty()) objects.erase(ns);
    ++version;
  }

  KeptAnnotations kept;
  std::map<std::string, netpol::Namespace> namespaces;
  std::map<std::string, std::shared_ptr<netpol::NamespaceObjects>> objects;
  std::uint64_t version = 0;
};

namespace {

// One resource's sink into the store.
class ModelSink final : public ObjectSink {
 public:
  ModelSink(Resource resource, LiveCluster::Store& store) : resource_(resource), store_(store) {}

  std::optional<std::string> upsert(const ObjectKey& key, const json& object) override {
    const std::string source = std::string(info(resource_).name) + "/" +
                               (key.ns.empty() ? key.name : key.ns + "/" + key.name);
    netpol::Cluster one;
    try {
      netpol::read_object(Field(yaml_from_json(trimmed(resource_, object, store_.kept)), "", source), one,
                          namespace_of(key));
    } catch (const std::exception& error) {  // ConfigError; bad_alloc is no reason to stop either
      return std::string(error.what());
    }
    const std::size_t read = one.namespaces.size() + one.pods.size() + one.service_accounts.size() + one.policies.size();
    if (read != 1 || !kept(one)) return source + ": not read as a " + std::string(info(resource_).kind);
    ++store_.version;
    return std::nullopt;
  }

  void remove(const ObjectKey& key) override {
    switch (resource_) {
      case Resource::namespaces:
        if (store_.namespaces.erase(key.name) > 0) ++store_.version;
        return;
      case Resource::pods: return store_.erase(namespace_of(key), key.name, &netpol::NamespaceObjects::pods);
      case Resource::serviceaccounts:
        return store_.erase(namespace_of(key), key.name, &netpol::NamespaceObjects::service_accounts);
      default: return store_.erase(namespace_of(key), key.name, &netpol::NamespaceObjects::policies);
    }
  }

 private:
  static std::string namespace_of(const ObjectKey& key) { return key.ns.empty() ? "default" : key.ns; }

  // Files what was read under this sink's resource; false when it read as another kind.
  bool kept(netpol::Cluster& one) {
    switch (resource_) {
      case Resource::namespaces:
        if (one.namespaces.empty()) return false;
        store_.namespaces[one.namespaces.front().name] = std::move(one.namespaces.front());
        return true;
      case Resource::pods:
        return file(one.pods, &netpol::NamespaceObjects::pods);
      case Resource::serviceaccounts:
        return file(one.service_accounts, &netpol::NamespaceObjects::service_accounts);
      default:
        return file(one.policies, &netpol::NamespaceObjects::policies);
    }
  }

  template <typename Record>
  bool file(std::vector<Record>& read, std::map<std::string, Record> netpol::NamespaceObjects::*pick) {
    if (read.empty()) return false;
    Record& record = read.front();
    (store_.writable(record.ns).*pick)[record.name] = std::move(record);
    return true;
  }

  Resource resource_;
  LiveCluster::Store& store_;
};

}  // namespace

struct LiveCluster::Sinks {
  explicit Sinks(Store& store)
      : namespaces(Resource::namespaces, store),
        pods(Resource::pods, store),
        service_accounts(Resource::serviceaccounts, store),
        policies(Resource::networkpolicies, store) {}
  ModelSink namespaces;
  ModelSink pods;
  ModelSink service_accounts;
  ModelSink policies;
};

LiveCluster::LiveCluster(KeptAnnotations kept)
    : store_(std::make_unique<Store>(std::move(kept))), sinks_(std::make_unique<Sinks>(*store_)) {}

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

std::uint64_t LiveCluster::version() const { return store_->version; }

std::shared_ptr<const netpol::PartitionedCluster> LiveCluster::snapshot() const {
  auto snapshot = std::make_shared<netpol::PartitionedCluster>();
  snapshot->namespaces = store_->namespaces;
  for (const auto& [ns, objects] : store_->objects) snapshot->objects.emplace_hint(snapshot->objects.end(), ns, objects);
  return snapshot;
}

}  // namespace netprobe::kube
