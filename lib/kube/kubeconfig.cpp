#include "kubeconfig.hpp"

#include <filesystem>

#include "core/endpoint.hpp"

namespace netprobe::kube {
namespace {

// A named entry of clusters/contexts/users: the mapping under `inner` of the
// entry whose name is `name`, or a ConfigError naming the list.
Field named_entry(MapReader& config, std::string_view list, std::string_view inner, const std::string& name,
                  const Field& whole) {
  const auto entries = config.optional(list);
  if (entries && !entries->node().IsNull()) {
    for (const Field& entry : entries->as_list(10'000)) {
      MapReader reader(entry);
      if (reader.required("name").as_string() == name) return reader.required(inner);
    }
  }
  whole.fail("no " + std::string(inner) + " named \"" + name + "\" in " + std::string(list));
}

std::string optional_string(MapReader& reader, std::string_view key) {
  const auto field = reader.optional(key);
  if (!field || field->node().IsNull()) return "";
  return field->as_string();
}

// kubectl resolves a kubeconfig's relative paths against the file's directory.
std::string resolve_path(const std::string& file, const std::string& kubeconfig_path) {
  if (file.empty()) return file;
  const std::filesystem::path path(file);
  if (path.is_absolute()) return file;
  return (std::filesystem::path(kubeconfig_path).parent_path() / path).lexically_normal().string();
}

PemSource pem_source(MapReader& reader, std::string_view file_key, const std::string& kubeconfig_path) {
  PemSource source;
  source.base64_data = optional_string(reader, std::string(file_key) + "-data");
  source.file = resolve_path(optional_string(reader, file_key), kubeconfig_path);
  return source;
}

HttpUrl read_server(const Field& field) {
  UrlError error;
  const std::string text = field.as_string();
  auto url = parse_http_url(text, &error);
  if (!url) field.fail(error.message);
  if (!url->tls) field.fail("\"" + text + "\" is not https (the API server is only reached over TLS)");
  return *url;
}

void read_cluster(const Field& field, const std::string& path, ApiAccess& access) {
  MapReader cluster(field);  // loose: proxy-url, extensions… are not used
  const Field server = cluster.required("server");
  access.server = read_server(server);
  access.server_text = server.as_string();
  access.tls_server_name = optional_string(cluster, "tls-server-name");
  access.certificate_authority = pem_source(cluster, "certificate-authority", path);
  if (const auto insecure = cluster.optional("insecure-skip-tls-verify"); insecure && insecure->as_bool()) {
    insecure->fail("not supported: netprobe only talks to an API server it can verify");
  }
}

void read_user(const Field& field, const std::string& path, ApiAccess& access) {
  if (field.node().IsNull()) return;  // anonymous
  MapReader user(field);
  for (const std::string_view plugin : {"exec", "auth-provider"}) {
    if (const auto found = user.optional(plugin); found && !found->node().IsNull()) {
      found->fail("credential plugins are not supported; use a token, tokenFile or a client certificate");
    }
  }
  access.token = optional_string(user, "token");
  access.token_file = resolve_path(optional_string(user, "tokenFile"), path);
  access.client_certificate = pem_source(user, "client-certificate", path);
  access.client_key = pem_source(user, "client-key", path);
  if (access.client_certificate.empty() != access.client_key.empty()) {
    field.fail("client-certificate and client-key go together");
  }
}

}  // namespace

ApiAccess read_kubeconfig(std::string_view text, const std::string& path, const std::string& context) {
  const Field whole(load_yaml(text, path), "", path);
  if (!whole.node().IsMap()) whole.fail("expected a kubeconfig (a mapping with clusters, contexts and users)");
  MapReader config(whole);  // loose: apiVersion, kind, preferences…
  std::string context_name = context;
  if (context_name.empty()) context_name = optional_string(config, "current-context");
  if (context_name.empty()) whole.fail("no current-context, and none was asked for");

  MapReader selected(named_entry(config, "contexts", "context", context_name, whole));
  const Field cluster_name = selected.required("cluster");
  ApiAccess access;
  read_cluster(named_entry(config, "clusters", "cluster", cluster_name.as_string(), cluster_name), path, access);
  if (const auto user_name = selected.optional("user"); user_name && !user_name->as_string().empty()) {
    read_user(named_entry(config, "users", "user", user_name->as_string(), *user_name), path, access);
  }
  access.origin = "kubeconfig " + path + ", context " + context_name;
  return access;
}

std::optional<ApiAccess> in_cluster_access(const char* service_host, const char* service_port,
                                           std::string_view account_dir) {
  if (service_host == nullptr || service_port == nullptr || *service_host == '\0' || *service_port == '\0') {
    return std::nullopt;
  }
  const std::string host(service_host);
  // An IPv6 service address needs brackets in a URL (the kubelet sets it bare).
  const bool v6 = host.find(':') != std::string::npos;
  const std::string url = "https://" + (v6 ? "[" + host + "]" : host) + ":" + service_port;
  const auto server = parse_http_url(url);
  if (!server || !plausible_host(host)) {
    throw ConfigError("environment", 0, "KUBERNETES_SERVICE_HOST/_PORT",
                      "\"" + host + "\" and \"" + service_port + "\" make no API server address");
  }
  ApiAccess access;
  access.server = *server;
  access.server_text = url;
  const std::string dir(account_dir);
  access.token_file = dir + "/token";
  access.certificate_authority.file = dir + "/ca.crt";
  access.origin = "in-cluster service account";
  return access;
}

}  // namespace netprobe::kube
