// The lint checks of netpol/checks.hpp on small clusters read from manifests:
// each check fires on the mistake it exists for (README.md, "NetworkPolicy lint")
// and stays quiet on the corrected policy.
#include "netpol/checks.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "netpol/read.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

constexpr const char* kWorkloads = R"(
apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {team: payments}}
---
apiVersion: v1
kind: Pod
metadata: {name: payment-0, namespace: payments, labels: {app: payment}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: ledger-0, namespace: payments, labels: {app: ledger}}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
)";

std::vector<Finding> lint(const std::string& manifests, const CheckOptions& options = {}) {
  Cluster cluster;
  read_manifests(manifests, "test.yaml", cluster);
  return run_checks(cluster, options);
}

std::vector<Finding> only(const std::vector<Finding>& findings, const std::string& check) {
  std::vector<Finding> out;
  std::copy_if(findings.begin(), findings.end(), std::back_inserter(out),
               [&](const Finding& finding) { return finding.check == check; });
  return out;
}

std::string policy(const std::string& name, const std::string& ns, const std::string& spec) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n" + spec;
}

const std::string kDefaultDeny = policy("default-deny", "payments", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");

std::string dns_allow(const std::string& ports) {
  return policy("allow-dns", "payments",
                "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n"
                "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n"
                "      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports: " +
                    ports + "\n");
}

}  // namespace

TEST_CASE("edit distance and nearest label value") {
  CHECK(edit_distance("paymnet", "payment") == 2);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("same", "same") == 0);
  CHECK(nearest("paymnet", {"ledger", "payment", "web"}) == "payment");
  CHECK(nearest("frontend", {"ledger", "payment"}).empty());  // too far to be a typo
}

TEST_CASE("selector-matches-nothing: a policy's podSelector with a typo, with the nearest value as hint") {
  const auto findings = only(
      lint(std::string(kWorkloads) + policy("payment-ingress", "payments", "  podSelector: {matchLabels: {app: paymnet}}\n")),
      "selector-matches-nothing");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == "error");
  CHECK(findings[0].ns == "payments");
  CHECK(findings[0].policy == "payment-ingress");
  CHECK(findings[0].hint == "did you mean app: payment?");
  CHECK(findings[0].message.find("app: paymnet") != std::string::npos);
  CHECK(findings[0].where.file == "test.yaml");
  CHECK(findings[0].where.line > 0);

  SUBCASE("the corrected selector is quiet") {
    CHECK(only(lint(std::string(kWorkloads) +
                    policy("payment-ingress", "payments", "  podSelector: {matchLabels: {app: payment}}\n")),
               "selector-matches-nothing")
              .empty());
  }
  SUBCASE("an empty podSelector never counts, even in an empty namespace") {
    CHECK(only(lint(std::string(kWorkloads) + policy("deny", "empty", "  podSelector: {}\n")),
               "selector-matches-nothing")
              .empty());
  }
  SUBCASE("a key no pod has says so") {
    const auto unknown = only(
        lint(std::string(kWorkloads) + policy("p", "payments", "  podSelector: {matchLabels: {application: payment}}\n")),
        "selector-matches-nothing");
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0].hint.find("no pod in payments has a label \"application\"") != std::string::npos);
  }
}

TEST_CASE("selector-matches-nothing: peers' pod and namespace selectors") {
  const std::string spec =
      "  podSelector: {matchLabels: {app: ledger}}\n  ingress:\n  - from:\n"
      "    - podSelector: {matchLabels: {app: paymnet}}\n"
      "    - namespaceSelector: {matchLabels: {team: paymnets}}\n"
      "    - namespaceSelector: {matchLabels: {team: payments}}\n      podSelector: {matchLabels: {app: payment}}\n";
  const auto findings = only(lint(std::string(kWorkloads) + policy("ledger-ingress", "payments", spec)),
                             "selector-matches-nothing");
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].message.find("ingress peer podSelector {app: paymnet}") != std::string::npos);
  CHECK(findings[0].hint == "did you mean app: payment?");
  CHECK(findings[1].message.find("namespaceSelector {team: paymnets} matches no namespace") != std::string::npos);
  CHECK(findings[1].hint == "did you mean team: payments?");
}

TEST_CASE("policies alone (the usual CI case): selector checks that need pods or namespaces are skipped, saying so") {
  const std::string spec =
      "  podSelector: {matchLabels: {app: ledger}}\n  ingress:\n  - from:\n"
      "    - podSelector: {matchLabels: {app: payment}}\n"
      "    - namespaceSelector: {matchLabels: {team: payments}}\n";
  const std::string policies = policy("ledger-ingress", "payments", spec);
  CHECK(only(lint(policies), "selector-matches-nothing").empty());  // nothing to match: not an error
  Cluster cluster;
  read_manifests(policies, "test.yaml", cluster);
  const CheckScope scope = scope_of(cluster);
  CHECK_FALSE(scope.pods);
  CHECK_FALSE(scope.namespaces);
  const std::vector<std::string> skipped = skipped_checks(scope);
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[0].starts_with("no pods or workloads in the manifests: podSelectors are not checked"));
  CHECK(skipped[1].starts_with("no Namespace objects in the manifests: namespaceSelectors are not checked"));

  // With the workloads (which declare a Namespace) both are checked again.
  CHECK(skipped_checks(scope_of([] {
          Cluster with;
          read_manifests(kWorkloads, "test.yaml", with);
          return with;
        }())).empty());
  CHECK(only(lint(std::string(kWorkloads) + policy("typo", "payments", "  podSelector: {matchLabels: {app: paymnet}}\n")),
             "selector-matches-nothing").size() == 1);
  // The controller's incremental runs cut the cluster per namespace: the scope is the whole one's, given.
  Cluster whole;
  read_manifests(std::string(kWorkloads) + policy("typo", "payments", "  podSelector: {matchLabels: {app: paymnet}}\n"),
                 "test.yaml", whole);
  CHECK(only(run_checks_of_namespace(whole, "payments", {}), "selector-matches-nothing").size() == 1);
  CHECK(only(run_checks_of_namespace(whole, "payments", {}, CheckScope{false, false}), "selector-matches-nothing").empty());
}

TEST_CASE("dns-egress-blocked and dns-tcp-blocked") {
  SUBCASE("default-deny egress without a DNS allow") {
    const auto findings = only(lint(std::string(kWorkloads) + kDefaultDeny), "dns-egress-blocked");
    REQUIRE(findings.size() == 1);  // one finding for both pods under the same policy
    CHECK(findings[0].severity == "error");
    CHECK(findings[0].policy == "default-deny");
    CHECK(findings[0].message.find("ledger-0, payment-0") != std::string::npos);
    CHECK(findings[0].hint.find("protocol: UDP") != std::string::npos);
  }
  SUBCASE("UDP only is a warning about TCP") {
    const auto findings = lint(std::string(kWorkloads) + kDefaultDeny + dns_allow("[{port: 53, protocol: UDP}]"));
    CHECK(only(findings, "dns-egress-blocked").empty());
    const auto tcp = only(findings, "dns-tcp-blocked");
    REQUIRE(tcp.size() == 1);
    CHECK(tcp[0].severity == "warning");
  }
  SUBCASE("UDP and TCP: quiet") {
    const auto findings = lint(std::string(kWorkloads) + kDefaultDeny +
                               dns_allow("[{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]"));
    CHECK(only(findings, "dns-egress-blocked").empty());
    CHECK(only(findings, "dns-tcp-blocked").empty());
  }
  SUBCASE("no kube-dns pod in the manifests: one is assumed, and the DNS allow's peer is not 'nothing'") {
    std::string workloads = kWorkloads;
    workloads.resize(workloads.find("---\napiVersion: v1\nkind: Pod\nmetadata: {name: coredns"));
    const auto findings =
        lint(workloads + kDefaultDeny + dns_allow("[{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]"));
    CHECK(only(findings, "dns-egress-blocked").empty());
    CHECK(only(findings, "selector-matches-nothing").empty());
    CHECK(only(lint(workloads + kDefaultDeny), "dns-egress-blocked").size() == 1);
  }
  SUBCASE("pods without egress isolation are not checked") {
    CHECK(only(lint(kWorkloads), "dns-egress-blocked").empty());
  }
}

TEST_CASE("metadata-blocked: an IAM service account behind an except") {
  CheckOptions options;
  options.metadata_address = "192.0.2.10";  // documentation range stands in for the metadata address
  const std::string accounts = R"(
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: payment, namespace: payments, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/p"}}
---
apiVersion: v1
kind: Pod
metadata: {name: payment-0, namespace: payments, labels: {app: payment}}
spec:
  serviceAccountName: payment
)";
  const std::string dns = dns_allow("[{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]");
  const std::string blocked = policy("egress", "payments",
                                     "  podSelector: {matchLabels: {app: payment}}\n  policyTypes: [Egress]\n"
                                     "  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [192.0.2.10/32]}}]\n");
  const auto findings = only(lint(std::string(kWorkloads) + accounts + dns + blocked, options), "metadata-blocked");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == "warning");
  CHECK(findings[0].policy == "egress");
  CHECK(findings[0].message.find("eks.amazonaws.com/role-arn") != std::string::npos);
  CHECK(findings[0].hint.find("192.0.2.10/32") != std::string::npos);

  const std::string open = policy("egress", "payments",
                                  "  podSelector: {matchLabels: {app: payment}}\n  policyTypes: [Egress]\n"
                                  "  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n");
  CHECK(only(lint(std::string(kWorkloads) + accounts + dns + open, options), "metadata-blocked").empty());
  // Without an IAM annotation nobody needs the endpoint.
  std::string plain = accounts;
  plain.replace(plain.find(", annotations"), plain.find("}}\n") - plain.find(", annotations") + 1, "");
  CHECK(only(lint(std::string(kWorkloads) + plain + dns + blocked, options), "metadata-blocked").empty());
}

TEST_CASE("scrape-path-blocked: the monitoring namespace cannot reach a metrics port") {
  const std::string scraped = R"(
---
apiVersion: v1
kind: Pod
metadata:
  name: payment-0
  namespace: payments
  labels: {app: payment}
  annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}
---
apiVersion: v1
kind: Pod
metadata: {name: ledger-0, namespace: payments, labels: {app: ledger}}
spec:
  containers: [{name: c, ports: [{name: metrics, containerPort: 9187}]}]
)";
  const std::string deny = policy("deny-ingress", "payments", "  podSelector: {}\n");
  const auto findings = only(lint(scraped + deny), "scrape-path-blocked");
  REQUIRE(findings.size() == 2);  // a synthetic scraper in `monitoring` stands in for Prometheus
  CHECK(findings[0].severity == "error");
  CHECK(findings[0].policy == "deny-ingress");
  CHECK(findings[1].message.find("ledger-0 on metrics port 9187/TCP") != std::string::npos);
  CHECK(findings[0].message.find("payment-0 on metrics port 9090/TCP") != std::string::npos);
  CHECK(findings[1].hint.find("kubernetes.io/metadata.name: monitoring") != std::string::npos);

  const std::string allow = policy("allow-monitoring", "payments",
                                   "  podSelector: {}\n  ingress:\n  - from:\n"
                                   "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n");
  CHECK(only(lint(scraped + deny + allow), "scrape-path-blocked").empty());

  CheckOptions options;
  options.monitoring_namespace = "observability";
  CHECK(only(lint(scraped + deny + allow, options), "scrape-path-blocked").size() == 2);
}

TEST_CASE("unprotected-workload: a namespace with policies, a pod selected by none") {
  const auto findings = only(
      lint(std::string(kWorkloads) + policy("ledger", "payments", "  podSelector: {matchLabels: {app: ledger}}\n")),
      "unprotected-workload");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == "info");
  CHECK(findings[0].ns == "payments");
  CHECK(findings[0].message.find("payment-0") != std::string::npos);
  CHECK(findings[0].message.find("ledger-0") == std::string::npos);
  // kube-system has no policies: its pods are not reported.
  CHECK(only(lint(kWorkloads), "unprotected-workload").empty());
}

TEST_CASE("reader: annotations, service accounts and serviceAccountName") {
  Cluster cluster;
  read_manifests(R"(
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: ns, annotations: {iam.gke.io/gcp-service-account: "x@p.iam.gserviceaccount.com"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ns}
spec:
  template:
    metadata: {labels: {app: d}, annotations: {prometheus.io/scrape: "true"}}
    spec: {serviceAccountName: sa}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
)",
                 "m.yaml", cluster);
  REQUIRE(cluster.service_accounts.size() == 1);
  CHECK(cluster.service_accounts[0].annotations.count("iam.gke.io/gcp-service-account") == 1);
  REQUIRE(cluster.pods.size() == 2);
  CHECK(cluster.pods[0].service_account == "sa");
  CHECK(cluster.pods[0].annotations.at("prometheus.io/scrape") == "true");
  CHECK(cluster.pods[1].service_account == "default");
}

TEST_CASE("metadata-blocked severity is configurable: error, or off") {
  CheckOptions options;
  options.metadata_address = "192.0.2.10";  // documentation range stands in for the metadata address
  const std::string manifests = std::string(kWorkloads) + R"(
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: payment, namespace: payments, annotations: {iam.gke.io/gcp-service-account: "p@x.iam"}}
---
apiVersion: v1
kind: Pod
metadata: {name: payment-0, namespace: payments, labels: {app: payment}}
spec:
  serviceAccountName: payment
)" + dns_allow("[{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]") +
                                policy("egress", "payments",
                                       "  podSelector: {matchLabels: {app: payment}}\n  policyTypes: [Egress]\n"
                                       "  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [192.0.2.10/32]}}]\n");
  options.metadata_severity = "error";
  const auto as_error = only(lint(manifests, options), "metadata-blocked");
  REQUIRE(as_error.size() == 1);
  CHECK(as_error[0].severity == "error");
  options.metadata_severity = "off";
  CHECK(only(lint(manifests, options), "metadata-blocked").empty());
  // The annotation list decides who needs the endpoint.
  options.metadata_severity = "warning";
  options.iam_annotations = {"eks.amazonaws.com/role-arn"};
  CHECK(only(lint(manifests, options), "metadata-blocked").empty());
}

TEST_CASE("NodeLocal DNSCache: an allow to the cache's address counts as DNS, and hints name it") {
  CheckOptions options;
  options.nodelocal_dns = "192.0.2.53";  // documentation range stands in for 169.254.20.10
  const std::string to_cache = policy("allow-nodelocal-dns", "payments",
                                      "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n"
                                      "  - to: [{ipBlock: {cidr: 192.0.2.53/32}}]\n"
                                      "    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n");
  CHECK(only(lint(std::string(kWorkloads) + kDefaultDeny + to_cache, options), "dns-egress-blocked").empty());
  // Without the option the cache's address is just an IP: kube-dns stays unreachable.
  CHECK(only(lint(std::string(kWorkloads) + kDefaultDeny + to_cache), "dns-egress-blocked").size() == 1);

  const auto blocked = only(lint(std::string(kWorkloads) + kDefaultDeny, options), "dns-egress-blocked");
  REQUIRE(blocked.size() == 1);
  CHECK(blocked[0].message.find("NodeLocal DNSCache 192.0.2.53") != std::string::npos);
  CHECK(blocked[0].hint.find("{ipBlock: {cidr: 192.0.2.53/32}}") != std::string::npos);
}

TEST_CASE("corrected_selector: the nearest carried value for each one nobody carries") {
  const Labels payment{{"app", "payment"}, {"tier", "backend"}};
  const Labels web{{"app", "web"}};
  const std::vector<const Labels*> candidates{&payment, &web};
  LabelSelector typo;
  typo.match_labels = {{"app", "paymnet"}, {"tier", "backend"}};
  const auto corrected = corrected_selector(typo, candidates);
  REQUIRE(corrected);
  CHECK(corrected->match_labels == Labels{{"app", "payment"}, {"tier", "backend"}});
  LabelSelector right;
  right.match_labels = {{"app", "web"}};
  CHECK_FALSE(corrected_selector(right, candidates));  // nothing to correct
  LabelSelector far;
  far.match_labels = {{"app", "database"}};
  CHECK_FALSE(corrected_selector(far, candidates));  // no near value
}
