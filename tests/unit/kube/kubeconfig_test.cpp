#include "kube/kubeconfig.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::kube;

namespace {

const std::string kKubeconfig = R"(apiVersion: v1
kind: Config
current-context: test
preferences: {}
clusters:
- name: other
  cluster: {server: "https://127.0.0.9:1"}
- name: standin
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: certs/ca.crt
contexts:
- name: test
  context: {cluster: standin, user: reader, namespace: netprobe}
- name: admin
  context: {cluster: standin, user: admin}
users:
- name: reader
  user:
    tokenFile: /var/run/token
- name: admin
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
)";

std::string error_of(const std::string& text, const std::string& context = "") {
  try {
    read_kubeconfig(text, "/home/u/.kube/config", context);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("the current context's cluster and user; relative paths from the kubeconfig's directory") {
  const ApiAccess access = read_kubeconfig(kKubeconfig, "/home/u/.kube/config");
  CHECK(access.server.host == "127.0.0.1");
  CHECK(access.server.port == 6443);
  CHECK(access.server.tls);
  CHECK(access.certificate_authority.file == "/home/u/.kube/certs/ca.crt");
  CHECK(access.token_file == "/var/run/token");
  CHECK(access.token.empty());
  CHECK(access.client_certificate.empty());
  CHECK(access.origin == "kubeconfig /home/u/.kube/config, context test");
}

TEST_CASE("another context on request; inline client certificates") {
  const ApiAccess access = read_kubeconfig(kKubeconfig, "/home/u/.kube/config", "admin");
  CHECK(access.client_certificate.base64_data == "Y2VydA==");
  CHECK(access.client_key.base64_data == "a2V5");
  CHECK(access.token_file.empty());
}

TEST_CASE("what netprobe refuses, naming the field") {
  CHECK(error_of(kKubeconfig, "missing") == "/home/u/.kube/config:1: no context named \"missing\" in contexts");
  CHECK(error_of("clusters: []\n") == "/home/u/.kube/config:1: no current-context, and none was asked for");
  CHECK(error_of("current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\nclusters: []\n") ==
        "/home/u/.kube/config:2: contexts[0].context.cluster: no cluster named \"x\" in clusters");
  CHECK(error_of("current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\n"
                 "clusters: [{name: x, cluster: {server: 'http://127.0.0.1:8080'}}]\n")
            .ends_with("server: \"http://127.0.0.1:8080\" is not https (the API server is only reached over TLS)"));
  CHECK(error_of("current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\n"
                 "clusters: [{name: x, cluster: {server: 'https://127.0.0.1', insecure-skip-tls-verify: true}}]\n")
            .ends_with("insecure-skip-tls-verify: not supported: netprobe only talks to an API server it can verify"));
  CHECK(error_of("current-context: c\ncontexts: [{name: c, context: {cluster: x, user: u}}]\n"
                 "clusters: [{name: x, cluster: {server: 'https://127.0.0.1'}}]\n"
                 "users: [{name: u, user: {exec: {command: aws}}}]\n")
            .ends_with("exec: credential plugins are not supported; use a token, tokenFile or a client certificate"));
  CHECK(error_of("current-context: c\ncontexts: [{name: c, context: {cluster: x, user: u}}]\n"
                 "clusters: [{name: x, cluster: {server: 'https://127.0.0.1'}}]\n"
                 "users: [{name: u, user: {client-certificate: c.pem}}]\n")
            .ends_with("user: client-certificate and client-key go together"));
  CHECK(error_of("[1, 2]").ends_with("expected a kubeconfig (a mapping with clusters, contexts and users)"));
  CHECK(error_of("current-context: [").find("invalid YAML") != std::string::npos);
}

TEST_CASE("in-cluster: the service's address from the environment, the mounted service account") {
  const auto access = in_cluster_access("127.0.0.1", "6443", "/tmp/sa");
  REQUIRE(access);
  CHECK(access->server.host == "127.0.0.1");
  CHECK(access->server.port == 6443);
  CHECK(access->token_file == "/tmp/sa/token");
  CHECK(access->certificate_authority.file == "/tmp/sa/ca.crt");
  CHECK(access->origin == "in-cluster service account");

  const auto v6 = in_cluster_access("::1", "443");
  REQUIRE(v6);
  CHECK(v6->server.host == "::1");
  CHECK(v6->server_text == "https://[::1]:443");
  CHECK(v6->token_file == "/var/run/secrets/kubernetes.io/serviceaccount/token");

  CHECK_FALSE(in_cluster_access(nullptr, "443"));
  CHECK_FALSE(in_cluster_access("127.0.0.1", nullptr));
  CHECK_FALSE(in_cluster_access("", ""));
  CHECK_THROWS_AS(in_cluster_access("127.0.0.1", "http"), ConfigError);
  CHECK_THROWS_AS(in_cluster_access("bad host", "443"), ConfigError);
}
