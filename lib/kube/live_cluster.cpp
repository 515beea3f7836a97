#include "live_cluster.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "core/yaml_reader.hpp"
#include "netpol/read.hpp"

namespace netprobe::kube {
namespace {

using nlohmann::json;

// A member of an object, or null when it is absent or the object is no object.
const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

json trimmed_metadata(const json& metadata, const KeptAnnotations& kept) {
  json meta = json::object();
  for (const char* key : {"name", "namespace", "labels", "ownerReferences"}) {
    if (const json* found = member(metadata, key)) meta[key] = *found;
  }
  if (const json* annotations = member(metadata, "annotations"); annotations && annotations->is_object()) {
    json& kept_annotations = meta["annotations"] = json::object();
    for (const auto& [key, value] : annotations->items()) {
      if (kept.keeps(key)) kept_annotations[key] = value;
    }
  }
  return meta;
}

// A pod's spec (or a template's): the service account, the node and the host
// network (for attribution: which agent is on which node, and where policies
// do not apply), and the containers' ports.
json trimmed_pod_spec(const json& spec) {
  json pod_spec = json::object();
  for (const char* key : {"serviceAccountName", "serviceAccount", "nodeName", "hostNetwork"}) {
    if (const json* found = member(spec, key)) pod_spec[key] = *found;
  }
  for (const char* list : {"containers", "initContainers"}) {
    const json* containers = member(spec, list);
    if (containers == nullptr || !containers->is_array()) continue;
    json& kept_containers = pod_spec[list] = json::array();
    for (const json& container : *containers) {
      json kept_container = json::object();
      if (const json* ports = member(container, "ports")) kept_container["ports"] = *ports;
      kept_containers.push_back(std::move(kept_container));
    }
  }
  return pod_spec;
}

// A workload's pod template: its metadata and its pod spec, trimmed alike.
json trimmed_template(const json& pod_template, const KeptAnnotations& kept) {
  json out = json::object();
  if (const json* metadata = member(pod_template, "metadata")) out["metadata"] = trimmed_metadata(*metadata, kept);
  if (const json* spec = member(pod_template, "spec")) out["spec"] = trimmed_pod_spec(*spec);
  return out;
}

// The parts of an object the reader looks at; the rest is not converted.
json trimmed(Resource resource, const json& object, const KeptAnnotations& kept) {
  json out = json::object();
  if (const json* metadata = member(object, "metadata"); metadata && metadata->is_object()) {
    out["metadata"] = trimmed_metadata(*metadata, kept);
  }
  const ResourceInfo& about = info(resource);
  out["kind"] = about.kind;
  out["apiVersion"] = api_version(about);
  const json* spec = member(object, "spec");
  switch (resource) {
    case Resource::networkpolicies:
      if (spec) out["spec"] = *spec;
      break;
    case Resource::pods:
      if (spec && spec->is_object()) out["spec"] = trimmed_pod_spec(*spec);
      if (const json* status = member(object, "status")) {
        if (const json* ip = member(*status, "podIP")) out["status"]["podIP"] = *ip;
      }
      break;
    case Resource::cronjobs: {
      const json* job = spec ? member(*spec, "jobTemplate") : nullptr;
      const json* job_spec = job ? member(*job, "spec") : nullptr;
      const json* pod_template = job_spec ? member(*job_spec, "template") : nullptr;
      out["spec"]["jobTemplate"]["spec"]["template"] = pod_template ? trimmed_template(*pod_template, kept) : json(nullptr);
      break;
    }
    case Resource::deployments:
    case Resource::statefulsets:
    case Resource::daemonsets: {
      const json* pod_template = spec ? member(*spec, "template") : nullptr;
      out["spec"]["template"] = pod_template ? trimmed_template(*pod_template, kept) : json(nullptr);
      break;
    }
    default: break;
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
      case Resource::networkpolicies:
        return store_.erase(namespace_of(key), key.name, &netpol::NamespaceObjects::policies);
      default:
        return store_.erase(namespace_of(key), netpol::workload_key(info(resource_).kind, key.name),
                            &netpol::NamespaceObjects::workloads);
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
      case Resource::networkpolicies:
        return file(one.policies, &netpol::NamespaceObjects::policies);
      default:  // a workload, read as the pod its template makes
        return file(one.pods, &netpol::NamespaceObjects::workloads, true);
    }
  }

  template <typename Record>
  bool file(std::vector<Record>& read, std::map<std::string, Record> netpol::NamespaceObjects::*pick,
            bool as_workload = false) {
    if (read.empty()) return false;
    Record& record = read.front();
    std::string name = record.name;
    if constexpr (std::is_same_v<Record, netpol::Pod>) {
      if (as_workload) name = netpol::workload_key(record.workload_kind, record.workload);
    }
    (store_.writable(record.ns).*pick)[name] = std::move(record);
    return true;
  }

  Resource resource_;
  LiveCluster::Store& store_;
};

}  // namespace

struct LiveCluster::Sinks {
  explicit Sinks(Store& store) {
    by_resource.reserve(kAnalysedResources.size());
    for (std::size_t i = 0; i < kAnalysedResources.size(); ++i) by_resource.emplace_back(kAnalysedResources[i], store);
  }
  std::vector<ModelSink> by_resource;  // in kAnalysedResources' order
};

LiveCluster::LiveCluster(KeptAnnotations kept)
    : store_(std::make_unique<Store>(std::move(kept))), sinks_(std::make_unique<Sinks>(*store_)) {}

LiveCluster::~LiveCluster() = default;

ObjectSink& LiveCluster::sink(Resource resource) {
  const auto found = std::find(kAnalysedResources.begin(), kAnalysedResources.end(), resource);
  if (found == kAnalysedResources.end()) {
    throw std::invalid_argument(std::string(info(resource).name) + " is not kept for analysis");
  }
  return sinks_->by_resource[static_cast<std::size_t>(found - kAnalysedResources.begin())];
}

std::uint64_t LiveCluster::version() const { return store_->version; }

std::shared_ptr<const netpol::PartitionedCluster> LiveCluster::snapshot() const {
  auto snapshot = std::make_shared<netpol::PartitionedCluster>();
  snapshot->namespaces = store_->namespaces;
  for (const auto& [ns, objects] : store_->objects) snapshot->objects.emplace_hint(snapshot->objects.end(), ns, objects);
  return snapshot;
}

}  // namespace netprobe::kube
