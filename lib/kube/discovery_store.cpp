#include "discovery_store.hpp"

#include <stdexcept>

namespace netprobe::kube {
namespace {

template <typename Record, Record (*Read)(const nlohmann::json&)>
class RecordSink final : public ObjectSink {
 public:
  RecordSink(Resource resource, std::uint64_t& version) : resource_(resource), version_(version) {}

  std::optional<std::string> upsert(const ObjectKey& key, const nlohmann::json& object) override {
    try {
      records_[key] = std::make_shared<const Record>(Read(object));
    } catch (const ApiReplyError& error) {
      return std::string(info(resource_).name) + "/" + (key.ns.empty() ? "" : key.ns + "/") + key.name + ": " +
             error.what();
    }
    ++version_;
    return std::nullopt;
  }

  void remove(const ObjectKey& key) override {
    if (records_.erase(key) > 0) ++version_;
  }

  std::vector<Record> all() const {
    std::vector<Record> out;
    out.reserve(records_.size());
    for (const auto& [key, record] : records_) out.push_back(*record);
    return out;
  }

  // The records themselves, shared rather than copied.
  std::vector<std::shared_ptr<const Record>> shared() const {
    std::vector<std::shared_ptr<const Record>> out;
    out.reserve(records_.size());
    for (const auto& [key, record] : records_) out.push_back(record);
    return out;
  }

 private:
  Resource resource_;
  std::uint64_t& version_;
  std::map<ObjectKey, std::shared_ptr<const Record>> records_;
};

}  // namespace

struct DiscoveryStore::Sinks {
  explicit Sinks(std::uint64_t& version)
      : services(Resource::services, version),
        slices(Resource::endpointslices, version),
        pods(Resource::pods, version),
        nodes(Resource::nodes, version),
        service_monitors(Resource::servicemonitors, version),
        pod_monitors(Resource::podmonitors, version) {}
  RecordSink<ServiceRecord, read_service> services;
  RecordSink<EndpointSliceRecord, read_endpoint_slice> slices;
  RecordSink<PodRecord, read_pod> pods;
  RecordSink<NodeRecord, read_node> nodes;
  RecordSink<MonitorRecord, read_service_monitor> service_monitors;
  RecordSink<MonitorRecord, read_pod_monitor> pod_monitors;
};

DiscoveryStore::DiscoveryStore() : sinks_(std::make_unique<Sinks>(version_)) {}
DiscoveryStore::~DiscoveryStore() = default;

ObjectSink& DiscoveryStore::sink(Resource resource) {
  switch (resource) {
    case Resource::services: return sinks_->services;
    case Resource::endpointslices: return sinks_->slices;
    case Resource::pods: return sinks_->pods;
    case Resource::nodes: return sinks_->nodes;
    case Resource::servicemonitors: return sinks_->service_monitors;
    case Resource::podmonitors: return sinks_->pod_monitors;
    default: throw std::invalid_argument(std::string(info(resource).name) + " is not kept for discovery");
  }
}

DiscoveryInput DiscoveryStore::input() const {
  std::vector<MonitorRecord> monitors = sinks_->service_monitors.all();
  for (MonitorRecord& monitor : sinks_->pod_monitors.all()) monitors.push_back(std::move(monitor));
  return DiscoveryInput{sinks_->services.all(), sinks_->slices.all(), sinks_->pods.shared(), std::move(monitors)};
}

std::vector<NodeRecord> DiscoveryStore::nodes() const { return sinks_->nodes.all(); }

std::optional<std::string> TeeSink::upsert(const ObjectKey& key, const nlohmann::json& object) {
  auto first = first_.upsert(key, object);
  auto second = second_.upsert(key, object);
  return first ? first : second;
}

void TeeSink::remove(const ObjectKey& key) {
  first_.remove(key);
  second_.remove(key);
}

}  // namespace netprobe::kube
