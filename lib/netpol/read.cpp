#include "read.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace netprobe::netpol {
namespace {

// ---- scalars -----------------------------------------------------------------

bool is_null(const Field& field) { return field.node().IsNull(); }

int line_of(const Field& field) {
  const YAML::Mark mark = field.node().Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

bool plain(const Field& field) { return field.node().Tag() == "?"; }  // unquoted in YAML or JSON

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// What an unquoted scalar becomes for kubectl (YAML 1.1 via sigs.k8s.io/yaml)
// when it is not a string, or "" when it is one.
std::string non_string_kind(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kBooleans{"true", "True", "TRUE", "false", "False", "FALSE",
                                                               "yes",  "Yes",  "no",   "No",    "on",    "off"};
  if (std::find(kBooleans.begin(), kBooleans.end(), text) != kBooleans.end()) return "a boolean";
  if (text == "null" || text == "~") return "null";
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const bool starts_numeric = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' ||
                                                text[0] == '+' || text[0] == '.');
  if (starts_numeric && error == std::errc{} && end == text.data() + text.size()) return "a number";
  return "";
}

// A string-typed API field: the API server rejects `app: true` or `version: 1`
// (they are not strings in JSON), so this does too, with the fix.
std::string api_string(const Field& field) {
  const std::string text = field.as_string();
  if (plain(field)) {
    const std::string kind = non_string_kind(text);
    if (!kind.empty()) field.fail("expected a string, found " + kind + " (quote it: \"" + text + "\")");
  }
  return text;
}

std::vector<Field> list_or_empty(const Field& field) {
  if (is_null(field)) return {};
  return field.as_list();
}

// ---- metadata ------------------------------------------------------------------

Labels read_labels(const Field& field) {
  Labels labels;
  if (is_null(field)) return labels;
  if (!field.node().IsMap()) field.fail("expected a mapping of labels");
  for (const auto& entry : field.node()) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    const Field value(entry.second, field.path() + "." + key, field.source());
    labels[key] = api_string(value);
  }
  return labels;
}

// Annotations are free-form; any scalar is kept as its text.
Labels read_annotations(const Field& field) {
  Labels annotations;
  if (is_null(field) || !field.node().IsMap()) return annotations;
  for (const auto& entry : field.node()) {
    if (entry.first.IsScalar() && entry.second.IsScalar()) annotations[entry.first.Scalar()] = entry.second.Scalar();
  }
  return annotations;
}

// spec.serviceAccountName (or the deprecated spec.serviceAccount) of a pod spec.
std::string read_service_account(const Field& pod_spec) {
  const YAML::Node& node = pod_spec.node();
  if (!node.IsMap()) return "default";
  for (const char* key : {"serviceAccountName", "serviceAccount"}) {
    if (node[key] && node[key].IsScalar() && !node[key].Scalar().empty()) return node[key].Scalar();
  }
  return "default";
}

struct Metadata {
  std::string name;
  std::string ns;
  Labels labels;
  Labels annotations;
  std::vector<std::pair<std::string, std::string>> owners;  // (kind, name) of controller owners
};

Metadata read_metadata(MapReader& object, const std::string& default_namespace) {
  Metadata metadata;
  const Field field = object.required("metadata");
  MapReader reader(field);  // loose: kubectl output carries uid, managedFields, annotations…
  metadata.name = api_string(reader.required("name"));
  if (auto ns = reader.optional("namespace"); ns && !is_null(*ns)) metadata.ns = api_string(*ns);
  if (metadata.ns.empty()) metadata.ns = default_namespace;
  if (auto labels = reader.optional("labels")) metadata.labels = read_labels(*labels);
  if (auto annotations = reader.optional("annotations")) metadata.annotations = read_annotations(*annotations);
  if (auto owners = reader.optional("ownerReferences")) {
    for (const Field& owner : list_or_empty(*owners)) {
      MapReader owner_reader(owner);
      const auto controller = owner_reader.optional("controller");
      if (controller && !controller->as_bool()) continue;
      metadata.owners.emplace_back(api_string(owner_reader.required("kind")), api_string(owner_reader.required("name")));
    }
  }
  return metadata;
}

// ---- label selectors -------------------------------------------------------------

LabelRequirement read_requirement(const Field& field) {
  MapReader reader(field);
  LabelRequirement requirement;
  requirement.key = api_string(reader.required("key"));
  const Field op = reader.required("operator");
  const std::string name = api_string(op);
  using Op = LabelRequirement::Operator;
  if (name == "In") requirement.op = Op::in;
  else if (name == "NotIn") requirement.op = Op::not_in;
  else if (name == "Exists") requirement.op = Op::exists;
  else if (name == "DoesNotExist") requirement.op = Op::does_not_exist;
  else op.fail("unknown operator \"" + name + "\" (expected In, NotIn, Exists, DoesNotExist)");

  const auto values = reader.optional("values");
  if (values) {
    for (const Field& value : list_or_empty(*values)) requirement.values.push_back(api_string(value));
  }
  reader.finish();
  const bool takes_values = requirement.op == Op::in || requirement.op == Op::not_in;
  if (takes_values && requirement.values.empty()) field.fail("operator " + name + " needs a non-empty values list");
  if (!takes_values && !requirement.values.empty()) values->fail("must be empty for operator " + name);
  return requirement;
}

LabelSelector read_selector(const Field& field) {
  LabelSelector selector;
  if (is_null(field)) return selector;
  MapReader reader(field);
  if (auto labels = reader.optional("matchLabels")) selector.match_labels = read_labels(*labels);
  if (auto expressions = reader.optional("matchExpressions")) {
    for (const Field& expression : list_or_empty(*expressions)) {
      selector.match_expressions.push_back(read_requirement(expression));
    }
  }
  reader.finish();
  return selector;
}

// A peer's selector: null is the same as leaving it out (Go's nil pointer).
std::optional<LabelSelector> read_optional_selector(const std::optional<Field>& field) {
  if (!field || is_null(*field)) return std::nullopt;
  return read_selector(*field);
}

// ---- NetworkPolicy ---------------------------------------------------------------

Cidr read_cidr(const Field& field) {
  const std::string text = api_string(field);
  auto cidr = parse_cidr(text);
  if (!cidr || text.find('/') == std::string::npos) {
    field.fail("invalid CIDR \"" + text + "\" (expected e.g. 10.0.0.0/8 or fd00::/8)");
  }
  return *cidr;
}

IpBlock read_ip_block(const Field& field) {
  MapReader reader(field);
  IpBlock block;
  block.cidr = read_cidr(reader.required("cidr"));
  if (auto except = reader.optional("except")) {
    for (const Field& entry : list_or_empty(*except)) {
      Cidr hole = read_cidr(entry);
      const bool same_family = (hole.text.find(':') == std::string::npos) == (block.cidr.text.find(':') == std::string::npos);
      if (!same_family || hole.prefix < block.cidr.prefix || !block.cidr.contains(hole.address)) {
        entry.fail("\"" + hole.text + "\" is not inside cidr " + block.cidr.text);
      }
      block.except.push_back(std::move(hole));
    }
  }
  reader.finish();
  return block;
}

PolicyPeer read_peer(const Field& field) {
  MapReader reader(field);
  PolicyPeer peer;
  peer.pod_selector = read_optional_selector(reader.optional("podSelector"));
  peer.namespace_selector = read_optional_selector(reader.optional("namespaceSelector"));
  if (auto block = reader.optional("ipBlock"); block && !is_null(*block)) peer.ip_block = read_ip_block(*block);
  reader.finish();
  const bool has_selector = peer.pod_selector || peer.namespace_selector;
  if (peer.ip_block && has_selector) field.fail("ipBlock cannot be combined with podSelector or namespaceSelector");
  if (!peer.ip_block && !has_selector) field.fail("a peer needs podSelector, namespaceSelector or ipBlock");
  return peer;
}

// IANA service name, as the API validates a named port: 1-15 characters of
// [a-z0-9-], at least one letter, no leading, trailing or double hyphen.
bool valid_port_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name.front() == '-' || name.back() == '-') return false;
  if (name.find("--") != std::string_view::npos) return false;
  const bool charset = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
  return charset && std::any_of(name.begin(), name.end(), [](unsigned char c) { return std::islower(c); });
}

std::uint16_t read_port_number(const Field& field) { return static_cast<std::uint16_t>(field.as_int(1, 65535)); }

PolicyPort read_policy_port(const Field& field) {
  MapReader reader(field);
  PolicyPort port;
  if (auto protocol = reader.optional("protocol"); protocol && !is_null(*protocol)) {
    const std::string text = api_string(*protocol);
    const auto parsed = parse_protocol(text);
    if (!parsed) protocol->fail("unknown protocol \"" + text + "\" (expected TCP, UDP, SCTP)");
    port.protocol = *parsed;
  }
  if (auto number = reader.optional("port"); number && !is_null(*number)) {
    const std::string text = number->as_string();
    if (plain(*number) && all_digits(text)) {
      port.port = read_port_number(*number);
    } else if (!valid_port_name(text)) {
      number->fail("invalid port name \"" + text +
                   "\" (a number, or a container port name: up to 15 of a-z, 0-9, '-', with a letter)");
    } else {
      port.named_port = text;
    }
  }
  if (auto end = reader.optional("endPort"); end && !is_null(*end)) {
    if (!port.port) end->fail("needs a numeric port");
    port.end_port = read_port_number(*end);
    if (*port.end_port < *port.port) end->fail("must not be less than port " + std::to_string(*port.port));
  }
  reader.finish();
  return port;
}

PolicyRule read_rule(const Field& field, std::string_view peers_key) {
  PolicyRule rule;
  if (is_null(field)) return rule;  // `- {}` and `-` both admit everything
  MapReader reader(field);
  if (auto peers = reader.optional(peers_key)) {
    for (const Field& peer : list_or_empty(*peers)) rule.peers.push_back(read_peer(peer));
  }
  if (auto ports = reader.optional("ports")) {
    for (const Field& port : list_or_empty(*ports)) rule.ports.push_back(read_policy_port(port));
  }
  reader.finish();
  return rule;
}

std::vector<PolicyRule> read_rules(const std::optional<Field>& field, std::string_view peers_key) {
  std::vector<PolicyRule> rules;
  if (!field) return rules;
  for (const Field& rule : list_or_empty(*field)) rules.push_back(read_rule(rule, peers_key));
  return rules;
}

void read_policy_types(const Field& field, NetworkPolicy& policy) {
  for (const Field& entry : list_or_empty(field)) {
    const std::string type = api_string(entry);
    if (type == "Ingress") policy.affects_ingress = true;
    else if (type == "Egress") policy.affects_egress = true;
    else entry.fail("unknown policy type \"" + type + "\" (expected Ingress, Egress)");
  }
}

void read_policy_spec(const Field& field, NetworkPolicy& policy) {
  MapReader spec(field);
  // podSelector is required by the API, but a missing one decodes as {} (all pods).
  if (auto selector = spec.optional("podSelector")) policy.pod_selector = read_selector(*selector);
  const auto types = spec.optional("policyTypes");
  const auto ingress = spec.optional("ingress");
  const auto egress = spec.optional("egress");
  spec.finish();
  policy.ingress = read_rules(ingress, "from");
  policy.egress = read_rules(egress, "to");
  if (types) read_policy_types(*types, policy);
  if (!policy.affects_ingress && !policy.affects_egress) {
    // The API default: Ingress always, Egress when there are egress rules.
    policy.affects_ingress = true;
    policy.affects_egress = !policy.egress.empty();
  }
}

// ---- pods and workloads ---------------------------------------------------------------

ContainerPort read_container_port(const Field& field) {
  MapReader reader(field);  // loose: hostPort, hostIP
  ContainerPort port;
  port.port = read_port_number(reader.required("containerPort"));
  if (auto name = reader.optional("name"); name && !is_null(*name)) port.name = api_string(*name);
  if (auto protocol = reader.optional("protocol"); protocol && !is_null(*protocol)) {
    const std::string text = api_string(*protocol);
    const auto parsed = parse_protocol(text);
    if (!parsed) protocol->fail("unknown protocol \"" + text + "\" (expected TCP, UDP, SCTP)");
    port.protocol = *parsed;
  }
  return port;
}

std::vector<ContainerPort> read_pod_spec_ports(const Field& pod_spec) {
  std::vector<ContainerPort> ports;
  MapReader spec(pod_spec);  // loose: a pod spec has far more than this needs
  for (const std::string_view key : {"containers", "initContainers"}) {
    const auto containers = spec.optional(key);
    if (!containers) continue;
    for (const Field& container : list_or_empty(*containers)) {
      MapReader container_reader(container);
      const auto container_ports = container_reader.optional("ports");
      if (!container_ports) continue;
      for (const Field& port : list_or_empty(*container_ports)) ports.push_back(read_container_port(port));
    }
  }
  return ports;
}

// A ReplicaSet created by a Deployment is named "<deployment>-<pod-template-hash>".
std::string workload_of(const Metadata& metadata) {
  if (metadata.owners.empty()) return metadata.name;
  const auto& [kind, owner] = metadata.owners.front();
  const auto hash = metadata.labels.find("pod-template-hash");
  if (kind == "ReplicaSet" && hash != metadata.labels.end() && owner.ends_with("-" + hash->second)) {
    return owner.substr(0, owner.size() - hash->second.size() - 1);
  }
  return owner;
}

std::string workload_kind_of(const Metadata& metadata) {
  if (metadata.owners.empty()) return "Pod";
  const auto& [kind, owner] = metadata.owners.front();
  return kind == "ReplicaSet" && workload_of(metadata) != owner ? "Deployment" : kind;
}

std::optional<IpAddress> read_pod_ip(MapReader& object) {
  const auto status = object.optional("status");
  if (!status || is_null(*status)) return std::nullopt;
  MapReader status_reader(*status);
  const auto ip = status_reader.optional("podIP");
  if (!ip || is_null(*ip)) return std::nullopt;
  const std::string text = api_string(*ip);
  const auto address = parse_ip(text);
  if (!address) ip->fail("invalid IP address \"" + text + "\"");
  return address;
}

// ---- documents ------------------------------------------------------------------------

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

Cluster read_manifests(std::string_view text, const std::string& source) {
  Cluster cluster;
  read_manifests(text, source, cluster);
  return cluster;
}

}  // namespace netprobe::netpol
