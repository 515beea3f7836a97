// netpol-scale: how long `netprobe lint`'s analysis takes on a large cluster.
// Generates N namespaces with pods (as Deployments) and NetworkPolicies of the
// shapes real clusters use (default-deny, DNS allow, same-namespace allow,
// monitoring scrape allow, a few with typos), then times reading them and
// running every check. Issue 4's goal: 1,000 policies x 5,000 pods, all
// checks within 2 s. Pure computation: no network at all.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "netpol/checks.hpp"
#include "netpol/read.hpp"

namespace {

using namespace netprobe;
using namespace netprobe::netpol;
using Clock = std::chrono::steady_clock;

std::string deployment(int ns, int app, int replicas_as_pods) {
  (void)replicas_as_pods;
  const std::string name = "app-" + std::to_string(app);
  return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: ns-" + std::to_string(ns) +
         "}\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata:\n      labels: {app: " + name +
         ", tier: backend}\n      annotations: {prometheus.io/scrape: \"true\", prometheus.io/port: \"9090\"}\n"
         "    spec:\n      containers:\n      - name: main\n        ports:\n        - {name: http, containerPort: 8080}\n"
         "        - {name: metrics, containerPort: 9090}\n";
}

std::string policies(int ns, int apps) {
  const std::string n = "ns-" + std::to_string(ns);
  std::string text;
  // default deny both ways
  text += "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: " + n +
          "}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";
  // DNS egress (UDP and TCP)
  text += "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-dns, namespace: " + n +
          "}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: "
          "{matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n"
          "    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n";
  // same-namespace traffic and the scrape path
  text += "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-same-namespace, namespace: " +
          n + "}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{podSelector: {}}]\n  egress:\n  - to: [{podSelector: {}}]\n";
  text += "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-monitoring, namespace: " + n +
          "}\nspec:\n  podSelector: {matchLabels: {tier: backend}}\n  ingress:\n  - from:\n    - namespaceSelector: "
          "{matchLabels: {kubernetes.io/metadata.name: monitoring}}\n    ports: [{port: metrics}]\n";
  // one policy per app, the last with a typo (selects nothing)
  for (int app = 0; app + 4 < apps + 4 && app < 6; ++app) {
    const std::string target = app == 5 ? "app-0-typo" : "app-" + std::to_string(app);
    text += "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: app-" + std::to_string(app) +
            "-ingress, namespace: " + n + "}\nspec:\n  podSelector: {matchLabels: {app: " + target +
            "}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: frontend}}\n      podSelector: "
            "{matchExpressions: [{key: tier, operator: In, values: [web, edge]}]}\n    ports: [{port: 8080, endPort: 8090}]\n";
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const int namespaces = argc > 1 ? std::atoi(argv[1]) : 100;
  const int apps = argc > 2 ? std::atoi(argv[2]) : 50;
  std::string text = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n"
                     "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n";
  for (int ns = 0; ns < namespaces; ++ns) {
    text += "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns-" + std::to_string(ns) + ", labels: {team: " +
            (ns % 3 == 0 ? "frontend" : "backend") + "}}\n";
    for (int app = 0; app < apps; ++app) text += deployment(ns, app, 1);
    text += policies(ns, apps);
  }

  const auto read_start = Clock::now();
  const Cluster cluster = read_manifests(text, "generated.yaml");
  const auto read_end = Clock::now();
  const std::vector<Finding> findings = run_checks(cluster, CheckOptions{});
  const auto check_end = Clock::now();

  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("netpol-scale: %zu namespaces, %zu pods, %zu policies (%.1f MB of YAML)\n", cluster.namespaces.size(),
              cluster.pods.size(), cluster.policies.size(), static_cast<double>(text.size()) / 1e6);
  std::printf("  read manifests   %8.1f ms\n", ms(read_end - read_start));
  std::printf("  all checks       %8.1f ms   (goal: <= 2000 ms at 1,000 policies x 5,000 pods)\n", ms(check_end - read_end));
  std::printf("  findings         %8zu\n", findings.size());
  std::printf("{\"bench\":\"netpol_scale\",\"pods\":%zu,\"policies\":%zu,\"read_ms\":%.1f,\"checks_ms\":%.1f,\"findings\":%zu}\n",
              cluster.pods.size(), cluster.policies.size(), ms(read_end - read_start), ms(check_end - read_end),
              findings.size());
  return 0;
}
