// Attribution of the store's failing entries: computed once per entry and
// model, again when either changes; unknown without a live model.
#include "controller/path_explainer.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

namespace {

// Model data only: nothing connects to these.  # not-a-destination
std::shared_ptr<const netpol::PartitionedCluster> cluster(bool lockdown) {
  auto objects = std::make_shared<netpol::NamespaceObjects>();
  netpol::Pod agent;
  agent.ns = "monitoring";
  agent.name = "agent-a";
  agent.workload = "netprobe-agent";
  agent.ip = parse_ip("10.0.1.10");  // # not-a-destination
  agent.node = "node-a";
  objects->pods[agent.name] = agent;
  if (lockdown) {
    netpol::NetworkPolicy policy;
    policy.ns = "monitoring";
    policy.name = "lockdown";
    policy.affects_egress = true;
    objects->policies[policy.name] = policy;
  }
  auto out = std::make_shared<netpol::PartitionedCluster>();
  out->objects["monitoring"] = objects;
  return out;
}

std::vector<TargetView> failing_tcp(Outcome outcome = Outcome::timeout) {
  TargetView target;
  target.probe = "scrape";
  target.type = ProbeType::tcp;
  target.target = "10.0.9.9:8080";  // # not-a-destination
  target.transport = "tcp";
  target.nodes = 1;
  target.failing.push_back(FailingNode{"node-a", "monitoring", outcome, {}, "", nullptr});
  TargetView healthy = target;
  healthy.probe = "healthy";
  healthy.failing.clear();
  return {target, healthy};
}

std::vector<AgentView> agents() {
  AgentView agent;
  agent.node = "node-a";
  agent.ns = "monitoring";
  agent.advertised = "10.0.1.10:9743";  // # not-a-destination
  return {agent};
}

}  // namespace

TEST_CASE("each failing entry is explained once per model, again when the model or the outcome changes") {
  PathExplainer explainer;
  const auto services = std::make_shared<const std::vector<netpol::ServiceBackends>>();
  PathModel model{cluster(true), services, nullptr};
  std::vector<TargetView> targets = failing_tcp();
  explainer.annotate(targets, agents(), &model, {});
  REQUIRE(targets[0].failing[0].policy);
  CHECK(targets[0].failing[0].policy->verdict == PolicyVerdict::denied);
  CHECK(targets[0].failing[0].policy->policies == std::vector<std::string>{"monitoring/lockdown"});
  REQUIRE(targets[0].policy);
  CHECK(targets[0].policy->nodes_by_verdict.at(PolicyVerdict::denied) == 1);
  CHECK_FALSE(targets[1].policy);  // nothing failing, nothing to say
  CHECK(explainer.computed() == 1);

  for (int scrape = 0; scrape < 3; ++scrape) {  // scrapes, status reads, alert evaluations
    targets = failing_tcp();
    explainer.annotate(targets, agents(), &model, {});
  }
  CHECK(explainer.computed() == 1);
  CHECK(targets[0].failing[0].policy->verdict == PolicyVerdict::denied);

  targets = failing_tcp(Outcome::refused);  // the result changed
  explainer.annotate(targets, agents(), &model, {});
  CHECK(explainer.computed() == 2);

  model.cluster = cluster(false);  // the policies changed: the lockdown is gone
  targets = failing_tcp(Outcome::refused);
  explainer.annotate(targets, agents(), &model, {});
  CHECK(explainer.computed() == 3);
  CHECK(targets[0].failing[0].policy->verdict == PolicyVerdict::allowed);
}

TEST_CASE("an entry that stops failing is forgotten; each node is placed by its own agent's address") {
  PathExplainer explainer;
  const PathModel model{cluster(true), std::make_shared<const std::vector<netpol::ServiceBackends>>(), nullptr};
  std::vector<TargetView> targets = failing_tcp();
  explainer.annotate(targets, agents(), &model, {});
  CHECK(explainer.computed() == 1);
  targets[0].failing.clear();  // it recovered
  explainer.annotate(targets, agents(), &model, {});
  targets = failing_tcp();  // and fails again: explained afresh, not from a kept answer
  explainer.annotate(targets, agents(), &model, {});
  CHECK(explainer.computed() == 2);

  // Agents before and after node-a's, on addresses the model does not know: node-a is
  // still found by its own address (a wrong one would leave it unknown).
  std::vector<AgentView> several = agents();
  AgentView before = several[0], after = several[0], other_namespace = several[0];
  before.node = "node-0";
  before.advertised = "10.0.7.1:9743";  // # not-a-destination
  after.node = "node-z";
  after.advertised = "10.0.7.2:9743";  // # not-a-destination
  other_namespace.ns = "sentinels";
  other_namespace.advertised = "10.0.7.3:9743";  // # not-a-destination
  several = {before, several[0], other_namespace, after};  // (node, namespace) order, as Store::agents
  PathExplainer fresh;
  targets = failing_tcp();
  fresh.annotate(targets, several, &model, {});
  CHECK(targets[0].failing[0].policy->verdict == PolicyVerdict::denied);
  targets[0].failing[0].ns = "sentinels";  // the sentinel on node-a: its own address, a pod the model lacks
  fresh.annotate(targets, several, &model, {});
  CHECK(targets[0].failing[0].policy->verdict == PolicyVerdict::unknown);
}

TEST_CASE("without a live model: unknown, saying why") {
  PathExplainer explainer;
  std::vector<TargetView> targets = failing_tcp();
  explainer.annotate(targets, agents(), nullptr, {});
  REQUIRE(targets[0].failing[0].policy);
  CHECK(targets[0].failing[0].policy->verdict == PolicyVerdict::unknown);
  CHECK(targets[0].failing[0].policy->reason.starts_with("no Kubernetes API"));

  const PathModel listing;  // Kubernetes, still listing
  targets = failing_tcp();
  explainer.annotate(targets, agents(), &listing, {});
  CHECK(targets[0].failing[0].policy->reason.starts_with("the Kubernetes objects are still being listed"));
}

TEST_CASE("a derived-deny probe that connects where the model admits it: told by what it was derived for") {
  auto objects = std::make_shared<netpol::NamespaceObjects>(*cluster(false)->objects.at("monitoring"));
  auto payments = std::make_shared<netpol::NamespaceObjects>();
  netpol::Pod payment;
  payment.ns = "payments";
  payment.name = "payment-0";
  payment.workload = "payment";
  payment.ip = parse_ip("10.0.2.30");  // # not-a-destination
  payment.ports = {netpol::ContainerPort{"http", 8080, netpol::Protocol::tcp}};
  payments->pods[payment.name] = payment;
  auto model_cluster = std::make_shared<netpol::PartitionedCluster>();
  model_cluster->objects["monitoring"] = objects;
  model_cluster->objects["payments"] = payments;  // payment-ingress selects nothing: the model admits everything
  netpol::DerivedDenyProbe derived{"payments", "payment-0", *payment.ip, 8080, "payments/payment-ingress", true,
                                   "why it is probed", "payments/payment-ingress is meant to isolate payments/payment-0 (…), "
                                                       "and monitoring reaches it on 8080/TCP now"};
  PathModel model{model_cluster, std::make_shared<const std::vector<netpol::ServiceBackends>>(),
                  std::make_shared<const std::vector<netpol::DerivedDenyProbe>>(1, derived)};

  const auto entry = [](Outcome outcome) {
    TargetView target;
    target.probe = "derived-deny";
    target.type = ProbeType::tcp;
    target.target = "10.0.2.30:8080";  // # not-a-destination
    target.transport = "tcp";
    target.expect = Expect::deny;
    target.nodes = 1;
    target.failing.push_back(FailingNode{"node-a", "monitoring", outcome, {}, "", nullptr});
    return std::vector<TargetView>{target};
  };
  PathExplainer explainer;
  std::vector<TargetView> targets = entry(Outcome::ok);
  explainer.annotate(targets, agents(), &model, {});
  const PolicyAttribution& told = *targets[0].failing[0].policy;
  CHECK(told.verdict == PolicyVerdict::allowed);
  CHECK(told.direction == PolicyDirection::ingress);
  CHECK(told.policies == std::vector<std::string>{"payments/payment-ingress"});
  CHECK(told.reason == derived.if_connected);

  targets = entry(Outcome::error);  // it never got to try: no connection to tell of
  explainer.annotate(targets, agents(), &model, {});
  CHECK(targets[0].failing[0].policy->reason != derived.if_connected);

  model.derived.reset();  // no longer handed out: the model's own words
  targets = entry(Outcome::ok);
  explainer.annotate(targets, agents(), &model, {});
  CHECK(targets[0].failing[0].policy->reason.starts_with("nothing is meant to block it"));
}
