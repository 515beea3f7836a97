#include "core/alerts.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace netprobe;
using std::chrono::seconds;

namespace {

const TimePoint t0{seconds{1795687200}};

TargetView target(std::size_t failing_nodes, Outcome outcome = Outcome::timeout, std::size_t nodes = 3) {
  TargetView view;
  view.probe = "kube-dns";
  view.type = ProbeType::dns;
  view.target = "10.96.0.10:53";  // # not-a-destination
  view.transport = "udp";
  view.nodes = nodes;
  for (std::size_t i = 0; i < failing_nodes; ++i) {
    view.failing.push_back(FailingNode{"node-" + std::to_string(i), "monitoring", outcome, t0, "", nullptr});
  }
  return view;
}

AlertmanagerConfig config(int min_nodes = 1) {
  AlertmanagerConfig c;
  c.for_duration = Millis{20'000};
  c.min_failing_nodes = min_nodes;
  c.resend_interval = Millis{60'000};
  return c;
}

}  // namespace

TEST_CASE("pending, then firing after `for`, re-sent, then resolved") {
  AlertEngine engine(config());
  CHECK(engine.evaluate({target(2)}, t0).empty());                 // pending
  CHECK(engine.evaluate({target(2)}, t0 + seconds{19}).empty());   // still pending
  auto fired = engine.evaluate({target(2)}, t0 + seconds{20});
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].labels.at("alertname") == "NetprobeTargetFailing");
  CHECK(fired[0].labels.at("outcome") == "timeout");
  CHECK(fired[0].labels.at("severity") == "critical");
  CHECK(fired[0].starts_at == t0);
  CHECK(fired[0].ends_at > t0 + seconds{20});
  CHECK(fired[0].annotations.at("summary") == "kube-dns (10.96.0.10:53 over udp) fails from 2 of 3 nodes: timeout");  // # not-a-destination
  CHECK(fired[0].annotations.at("description").find("node-0 (timeout), node-1 (timeout)") != std::string::npos);
  CHECK(fired[0].annotations.at("description").find("NetworkPolicy drop") != std::string::npos);
  CHECK(engine.firing() == 1);

  CHECK(engine.evaluate({target(2)}, t0 + seconds{50}).empty());   // not yet due
  CHECK(engine.evaluate({target(2)}, t0 + seconds{80}).size() == 1);  // re-sent after resend_interval

  auto resolved = engine.evaluate({target(0)}, t0 + seconds{90});
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].resolved);
  CHECK(resolved[0].ends_at == t0 + seconds{90});
  CHECK(engine.firing() == 0);
  CHECK(engine.evaluate({target(0)}, t0 + seconds{100}).empty());
}

TEST_CASE("the policy verdict rides in the annotations, and its arrival is news") {
  AlertEngine engine(config());
  CHECK(engine.evaluate({target(2)}, t0).empty());
  auto fired = engine.evaluate({target(2)}, t0 + seconds{20});
  REQUIRE(fired.size() == 1);
  CHECK_FALSE(fired[0].annotations.contains("policy"));  // no attribution yet
  TargetView attributed = target(2);
  attributed.policy = TargetPolicy{
      PolicyAttribution{PolicyVerdict::denied, PolicyDirection::egress, {"shop/lockdown"},
                        "egress of shop/storefront is isolated by shop/lockdown; no egress rule admits kube-system/kube-dns on 53/UDP"},
      {{PolicyVerdict::denied, 2}}};
  auto explained = engine.evaluate({attributed}, t0 + seconds{21});  // sent at once, not at the next resend
  REQUIRE(explained.size() == 1);
  CHECK(explained[0].labels == fired[0].labels);  // the same alert, not a new one
  CHECK(explained[0].annotations.at("policy_verdict") == "denied");
  CHECK(explained[0].annotations.at("policies") == "shop/lockdown");
  CHECK(explained[0].annotations.at("policy").starts_with("egress of shop/storefront is isolated by shop/lockdown"));
}

TEST_CASE("a blip shorter than `for` never pages") {
  AlertEngine engine(config());
  CHECK(engine.evaluate({target(1)}, t0).empty());
  CHECK(engine.evaluate({target(0)}, t0 + seconds{10}).empty());
  CHECK(engine.evaluate({target(1)}, t0 + seconds{15}).empty());  // pending starts over
  CHECK(engine.evaluate({target(1)}, t0 + seconds{30}).empty());
  CHECK(engine.evaluate({target(1)}, t0 + seconds{35}).size() == 1);
}

TEST_CASE("fewer failing nodes than min_failing_nodes do not page") {
  AlertEngine engine(config(3));
  CHECK(engine.evaluate({target(2)}, t0).empty());
  CHECK(engine.evaluate({target(2)}, t0 + seconds{60}).empty());
  CHECK(engine.evaluate({target(3)}, t0 + seconds{61}).empty());
  CHECK(engine.evaluate({target(3)}, t0 + seconds{81}).size() == 1);
}

TEST_CASE("a change of outcome while firing resolves the old alert and fires the new one") {
  AlertEngine engine(config());
  engine.evaluate({target(1)}, t0);
  REQUIRE(engine.evaluate({target(1)}, t0 + seconds{20}).size() == 1);
  auto changed = engine.evaluate({target(1, Outcome::refused)}, t0 + seconds{30});
  REQUIRE(changed.size() == 2);
  CHECK(changed[0].resolved);
  CHECK(changed[0].labels.at("outcome") == "timeout");
  CHECK_FALSE(changed[1].resolved);
  CHECK(changed[1].labels.at("outcome") == "refused");
}

TEST_CASE("a target that vanishes (its agents went stale) resolves") {
  AlertEngine engine(config());
  engine.evaluate({target(1)}, t0);
  engine.evaluate({target(1)}, t0 + seconds{20});
  auto resolved = engine.evaluate({}, t0 + seconds{30});
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].resolved);
}

TEST_CASE("Alertmanager v2 body") {
  AlertEngine engine(config());
  engine.evaluate({target(1)}, t0);
  const auto json = to_alertmanager_json(engine.evaluate({target(1)}, t0 + seconds{20}));
  REQUIRE(json.is_array());
  CHECK(json[0]["labels"]["probe"] == "kube-dns");
  CHECK(json[0]["startsAt"] == "2026-11-26T10:00:00Z");
  CHECK(json[0]["endsAt"] == "2026-11-26T10:04:20Z");
}

TEST_CASE("a push carries at most max alerts: resolutions first, the rest summed up in one") {
  const TimePoint now{std::chrono::seconds{1795687200}};
  std::vector<AlertNotification> batch;
  for (int i = 0; i < 250; ++i) {
    AlertNotification alert;
    alert.labels = {{"alertname", "NetprobeTargetFailing"}, {"probe", "p" + std::to_string(i % 20)}};
    alert.resolved = i == 200;  // one recovery, late in the batch
    batch.push_back(alert);
  }
  const auto capped = cap_push(batch, 100, now, Millis{240'000});
  REQUIRE(capped.size() == 100);
  CHECK(capped.front().resolved);  // not held back behind the firing ones
  const AlertNotification& group = capped.back();
  CHECK(group.labels.at("alertname") == "NetprobeManyTargetsFailing");
  CHECK(group.annotations.at("summary").starts_with("151 more failing targets"));
  CHECK(group.ends_at == now + Millis{240'000});
  CHECK(cap_push(std::vector<AlertNotification>(5), 100, now, Millis{1}).size() == 5);
}
