#include "read.hpp"

#include <algorithm>

#include "read_fields.hpp"
#include "read_pod.hpp"
#include "read_policy.hpp"

namespace netprobe::netpol {
namespace {

class ManifestReader {
 public:
  ManifestReader(Cluster& cluster, const std::string& default_namespace)
      : cluster_(cluster), default_namespace_(default_namespace) {}

  void read_object(const Field& field) {
    if (is_null(field)) return;  // an empty document ("---" at the end)
    if (!field.node().IsMap()) field.fail("expected a Kubernetes object (a mapping with kind)");
    MapReader object(field);
    const std::string kind = api_string(object.required("kind"));
    std::string api_version;
    if (auto version = object.optional("apiVersion"); version && !is_null(*version)) api_version = api_string(*version);

    if (kind == "List" || (kind.ends_with("List") && object.optional("items"))) {
      if (auto items = object.optional("items")) {
        for (const Field& item : list_or_empty(*items)) read_object(item);
      }
    } else if (kind == "NetworkPolicy" && api_version == "networking.k8s.io/v1") {
      read_policy(field, object);
    } else if (kind.find("NetworkPolicy") != std::string::npos) {
      ignore(object, field, api_version, kind);
    } else if (kind == "Namespace") {
      read_namespace(field, object);
    } else if (kind == "Pod") {
      read_pod(field, object);
    } else if (is_workload(kind)) {
      read_workload(field, object, kind);
    } else if (kind == "ServiceAccount") {
      read_service_account_object(field, object);
    }
  }

 private:
  static bool is_workload(std::string_view kind) {
    return kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet" ||
           kind == "Job" || kind == "CronJob";
  }

  SourceRef where(const Field& field) const { return SourceRef{field.source(), line_of(field)}; }

  // Replaces an object of the same namespace and name, as a second apply would.
  template <typename Object>
  static void upsert(std::vector<Object>& objects, Object object) {
    const auto same = std::find_if(objects.begin(), objects.end(), [&](const Object& existing) {
      return existing.ns == object.ns && existing.name == object.name;
    });
    if (same == objects.end()) objects.push_back(std::move(object));
    else *same = std::move(object);
  }

  void read_policy(const Field& field, MapReader& object) {
    NetworkPolicy policy;
    const Metadata metadata = read_metadata(object, default_namespace_);
    policy.ns = metadata.ns;
    policy.name = metadata.name;
    policy.where = where(field);
    read_policy_spec(object.required("spec"), policy);
    upsert(cluster_.policies, std::move(policy));
  }

  void ignore(MapReader& object, const Field& field, const std::string& api_version, const std::string& kind) {
    IgnoredObject ignored{api_version, kind, "", "", where(field)};
    if (auto metadata = object.optional("metadata"); metadata && metadata->node().IsMap()) {
      const YAML::Node& node = metadata->node();
      if (node["name"] && node["name"].IsScalar()) ignored.name = node["name"].Scalar();
      if (node["namespace"] && node["namespace"].IsScalar()) ignored.ns = node["namespace"].Scalar();
    }
    cluster_.ignored.push_back(std::move(ignored));
  }

  void read_namespace(const Field& field, MapReader& object) {
    const Metadata metadata = read_metadata(object, "");
    Namespace ns{metadata.name, metadata.labels, where(field)};
    const auto same = std::find_if(cluster_.namespaces.begin(), cluster_.namespaces.end(),
                                   [&](const Namespace& existing) { return existing.name == ns.name; });
    if (same == cluster_.namespaces.end()) cluster_.namespaces.push_back(std::move(ns));
    else *same = std::move(ns);
  }

  void read_pod(const Field& field, MapReader& object) {
    const Metadata metadata = read_metadata(object, default_namespace_);
    Pod pod;
    pod.ns = metadata.ns;
    pod.name = metadata.name;
    pod.labels = metadata.labels;
    pod.workload = workload_of(metadata);
    pod.workload_kind = workload_kind_of(metadata);
    pod.annotations = metadata.annotations;
    pod.service_account = "default";
    if (auto spec = object.optional("spec")) {
      pod.ports = read_pod_spec_ports(*spec);
      pod.service_account = read_service_account(*spec);
      pod.node = read_node_name(*spec);
      pod.host_network = read_host_network(*spec);
    }
    pod.ip = read_pod_ip(object);
    pod.where = where(field);
    upsert(cluster_.pods, std::move(pod));
  }

  void read_service_account_object(const Field& field, MapReader& object) {
    const Metadata metadata = read_metadata(object, default_namespace_);
    upsert(cluster_.service_accounts, ServiceAccount{metadata.ns, metadata.name, metadata.annotations, where(field)});
  }

  // One representative pod per workload; a ReplicaSet or Job owned by another
  // workload is skipped, its owner already stands for it.
  void read_workload(const Field& field, MapReader& object, const std::string& kind) {
    const Metadata metadata = read_metadata(object, default_namespace_);
    if ((kind == "ReplicaSet" || kind == "Job") && !metadata.owners.empty()) return;
    MapReader spec(object.required("spec"));
    Field template_field = kind == "CronJob" ? job_template_of(spec) : spec.required("template");
    MapReader pod_template(template_field);
    Pod pod;
    pod.ns = metadata.ns;
    pod.name = metadata.name;
    pod.workload = metadata.name;
    pod.workload_kind = kind;
    if (auto template_metadata = pod_template.optional("metadata"); template_metadata && !is_null(*template_metadata)) {
      MapReader template_reader(*template_metadata);
      if (auto labels = template_reader.optional("labels")) pod.labels = read_labels(*labels);
      if (auto annotations = template_reader.optional("annotations")) pod.annotations = read_annotations(*annotations);
    }
    pod.service_account = "default";
    if (auto pod_spec = pod_template.optional("spec")) {
      pod.ports = read_pod_spec_ports(*pod_spec);
      pod.service_account = read_service_account(*pod_spec);
      pod.host_network = read_host_network(*pod_spec);
    }
    pod.where = where(field);
    upsert(cluster_.pods, std::move(pod));
  }

  static Field job_template_of(MapReader& cronjob_spec) {
    MapReader job_template(cronjob_spec.required("jobTemplate"));
    MapReader job_spec(job_template.required("spec"));
    return job_spec.required("template");
  }

  Cluster& cluster_;
  const std::string& default_namespace_;
};

}  // namespace

void read_manifests(std::string_view text, const std::string& source, Cluster& cluster,
                    const std::string& default_namespace) {
  ManifestReader reader(cluster, default_namespace);
  for (const YAML::Node& document : load_yaml_documents(text, source)) reader.read_object(Field(document, "", source));
}

void read_object(const Field& object, Cluster& cluster, const std::string& default_namespace) {
  ManifestReader(cluster, default_namespace).read_object(object);
}

Cluster read_manifests(std::string_view text, const std::string& source) {
  Cluster cluster;
  read_manifests(text, source, cluster);
  return cluster;
}

}  // namespace netprobe::netpol
