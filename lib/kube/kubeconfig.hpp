#pragma once
// Where the Kubernetes API is and how to authenticate to it, from a kubeconfig
// file (as kubectl reads one) or from inside a pod (the service account).
// Pure: the caller reads the files and the environment and passes them in.
//
// Read from a kubeconfig, for its current context:
//   clusters[].cluster: server, certificate-authority(-data), tls-server-name
//   users[].user:       token, tokenFile, client-certificate(-data), client-key(-data)
// Refused with the field named: exec and auth-provider plugins (netprobe runs no
// helper programs), insecure-skip-tls-verify (the controller holds cluster
// credentials; it talks to no server it cannot verify), a server that is not https.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/url.hpp"
#include "core/yaml_reader.hpp"

namespace netprobe::kube {

// A credential or CA given inline (base64 PEM, the kubeconfig's *-data fields)
// or as a file path (absolute, resolved against the kubeconfig's directory).
struct PemSource {
  std::string base64_data;
  std::string file;
  bool empty() const { return base64_data.empty() && file.empty(); }
};

struct ApiAccess {
  HttpUrl server;  // https; its path, if any, prefixes every API path (a proxy's)
  std::string server_text;  // as written, for messages
  std::string tls_server_name;  // empty: verify against host
  PemSource certificate_authority;  // empty: the system's trust store
  std::string token;       // a fixed bearer token
  std::string token_file;  // re-read as it rotates (bound service-account tokens)
  PemSource client_certificate;
  PemSource client_key;
  std::string origin;  // for the log: "kubeconfig /path, context ctx" or "in-cluster service account"
};

// Reads one kubeconfig document. `path` names it in errors and is the base of
// relative file paths; `context` overrides current-context when not empty.
// Throws ConfigError naming the field.
ApiAccess read_kubeconfig(std::string_view text, const std::string& path, const std::string& context = "");

// The in-cluster settings: KUBERNETES_SERVICE_HOST and _PORT as the kubelet sets
// them, and the service account mounted at `account_dir` (token, ca.crt).
// nullopt when the variables are not both set (not in a pod).
inline constexpr std::string_view kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
std::optional<ApiAccess> in_cluster_access(const char* service_host, const char* service_port,
                                           std::string_view account_dir = kServiceAccountDir);

}  // namespace netprobe::kube
