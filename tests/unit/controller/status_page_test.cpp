// The status page's HTML: names from reports escaped, each section saying what
// status_view decided, pages per node and per target, 404s that say why.
#include "controller/status_page.hpp"

#include <doctest/doctest.h>

#include <string>

#include "unit/support/report_builders.hpp"

using namespace netprobe;
using std::chrono::seconds;

namespace {

using test::t0;

ProbeResult result(const std::string& probe, Outcome outcome, Expect expect = Expect::allow) {
  return test::probe_result(probe, outcome, t0, expect);
}

AgentReport report(const std::string& node, std::vector<ProbeResult> results) {
  return test::agent_report(node, std::move(results));
}

// A store's picture rendered as the controller renders it.
struct Picture {
  Store store;
  std::vector<TargetView> targets;
  std::vector<AgentView> agents;
  OutcomeMatrix matrix;
  PolicySnapshot policies;
  std::vector<std::string> without_agent;

  void take(TimePoint now) {
    targets = store.targets(now);
    agents = store.agents(now);
    matrix = store.matrix(now);
  }
  RenderedPage render(const StatusPageQuery& query, TimePoint now, bool kubernetes = false) const {
    return render_status_page(StatusPageInput{targets, matrix, agents, policies, kubernetes ? &without_agent : nullptr, now},
                              query);
  }
};

StatusPageQuery for_node(const std::string& node) {
  StatusPageQuery query;
  query.node = node;
  return query;
}
StatusPageQuery for_target(const CheckKey& key, std::size_t page = 1, const std::string& node_contains = "") {
  StatusPageQuery query;
  query.target = key;
  query.page = page;
  query.node_contains = node_contains;
  return query;
}
StatusPageQuery filtered_by(const std::string& node_contains) {
  StatusPageQuery query;
  query.node_contains = node_contains;
  return query;
}

bool has(const std::string& page, std::string_view text) { return page.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("names from reports are escaped everywhere they appear") {
  Picture picture;
  picture.store.apply(report("<img src=x>", {result("<b>evil</b>", Outcome::timeout)}), t0);
  picture.take(t0);
  for (const StatusPageQuery& query : {StatusPageQuery{}, for_node("<img src=x>"),
                                       for_target(CheckKey{"<b>evil</b>", "127.0.0.1:9100", "tcp"})}) {
    const std::string page = picture.render(query, t0).body;
    CHECK_FALSE(has(page, "<b>evil</b>"));
    CHECK_FALSE(has(page, "<img"));
    CHECK(has(page, "&lt;b&gt;evil&lt;/b&gt;"));
  }
}

TEST_CASE("the overview: failing targets first, with how long, what most nodes say, the verdict") {
  Picture picture;
  picture.store.apply(report("node-10", {result("scrape", Outcome::timeout), result("dns", Outcome::ok)}), t0);
  picture.store.apply(report("node-2", {result("scrape", Outcome::timeout), result("dns", Outcome::ok)}), t0);
  picture.store.apply(report("node-1", {result("scrape", Outcome::refused), result("dns", Outcome::ok)}), t0);
  picture.take(t0 + seconds{192});
  picture.targets[1].policy = TargetPolicy{PolicyAttribution{PolicyVerdict::denied, PolicyDirection::ingress,
                                                             {"shop/<web>"}, "ingress of shop/web is isolated by shop/<web>"},
                                           {{PolicyVerdict::denied, 3}}};
  const RenderedPage page = picture.render({}, t0 + seconds{192});
  CHECK(page.status == 200);
  CHECK(has(page.body, "1 of 2 targets failing"));
  CHECK(has(page.body, "failing for 3m12s"));
  CHECK(has(page.body, "<b>timeout</b>: nothing came back"));  // two timeouts outvote node-1's refusal
  CHECK(has(page.body, "<span class=\"verdict v-denied\">denied (ingress)</span> ingress of shop/web is isolated by shop/&lt;web&gt;"));
  CHECK(page.body.find("scrape → 127.0.0.1:9100") < page.body.find("dns → 127.0.0.1:9100"));  // failing first
  // Failing nodes in natural order, each a link to its page.
  const std::size_t one = page.body.find(">node-1</a>"), two = page.body.find(">node-2</a>"), ten = page.body.find(">node-10</a>");
  CHECK(one < two);
  CHECK(two < ten);
  CHECK(has(page.body, "href=\"/?node=node-10\""));
  CHECK(has(page.body, "2 timeout · 1 refused"));  // the bar in words: never colour alone
  CHECK(has(page.body, "<script src=\"/static/status.js\" defer></script>"));
  CHECK_FALSE(has(page.body, "<script>"));  // no inline script: the CSP forbids it
  CHECK_FALSE(has(page.body, "style=\""));  // nor inline style
}

TEST_CASE("the matrix: a row per pattern, marked cells with their detail") {
  Picture picture;
  for (int i = 0; i < 30; ++i) picture.store.apply(report("ok-" + std::to_string(i), {result("scrape", Outcome::ok)}), t0);
  picture.store.apply(report("bad-1", {result("scrape", Outcome::refused)}), t0);
  picture.store.apply(report("open-1", {result("deny", Outcome::ok, Expect::deny)}), t0);
  picture.take(t0 + seconds{5});
  const std::string page = picture.render({}, t0 + seconds{5}).body;
  CHECK(has(page, "32 agents in 3 rows"));
  CHECK(has(page, "<summary>30 agents</summary>"));
  CHECK(has(page, "title=\"scrape → 127.0.0.1:9100 (tcp): refused — no listener"));
  CHECK(has(page, "(for 5s): detail of refused\">R</td>"));  // one agent: its own detail and age
  CHECK(has(page, "on 30 agents\">✓</td>"));
  // A cell's name across refreshes: its row's first node (natural order) and its check.
  CHECK(has(page, "data-key=\"bad-1 scrape → 127.0.0.1:9100 (tcp)\""));
  CHECK(has(page, "data-key=\"ok-0 scrape → 127.0.0.1:9100 (tcp)\""));
  CHECK(has(page, "class=\"cell fail o-ok\""));  // the deny probe that connected
  CHECK(has(page, ">O</td>"));
  CHECK_FALSE(has(page, "rows page"));  // one page

  const std::string filtered = picture.render(filtered_by("bad"), t0).body;
  CHECK(has(filtered, "1 agent in 1 row"));
  CHECK(has(filtered, "value=\"bad\""));
}

TEST_CASE("stale agents and nodes without an agent are named; a blind controller says so") {
  Picture picture;
  picture.store.apply(report("node-a", {result("scrape", Outcome::ok)}), t0 - seconds{3 * 3600});  // 3 intervals and more
  picture.without_agent = {"node-10", "node-9"};
  picture.take(t0);
  const std::string page = picture.render({}, t0, true).body;
  CHECK(has(page, "0 agents reporting"));
  CHECK(has(page, "1 stale"));
  CHECK(has(page, "no agent is reporting: nothing here is being checked"));
  CHECK(has(page, "2 nodes without an agent"));
  CHECK(has(page, "2 nodes have no agent: node-9, node-10."));
  CHECK(has(page, "stale</td><td>3h ago</td>"));
}

TEST_CASE("findings: each severity its own class and word") {
  Picture picture;
  picture.policies.enabled = true;
  picture.policies.analysed_at = t0;
  picture.policies.policies = 12;
  picture.policies.findings = std::vector<netpol::Finding>{
      {"selector-matches-nothing", "error", "payments", "<payment-ingress>", "podSelector {app: paymnet} matches no pods",
       "did you mean app: payment?", {}},
      {"dns-tcp-blocked", "warning", "shop", "egress", "TCP 53 is not allowed", "", {}},
      {"unprotected-namespace", "info", "dev", "", "no policy", "", {}}};
  picture.policies.error = "cluster.yaml:3: spec: is required";
  picture.take(t0);
  const std::string page = picture.render({}, t0).body;
  CHECK(has(page, "12 policies"));
  CHECK(has(page, "<tr class=\"sev-error\"><td class=\"severity\">error</td>"));
  CHECK(has(page, "<tr class=\"sev-warning\"><td class=\"severity\">warning</td>"));
  CHECK(has(page, "<tr class=\"sev-info\"><td class=\"severity\">info</td>"));
  CHECK(has(page, "&lt;payment-ingress&gt;"));
  CHECK(has(page, "Last attempt failed: cluster.yaml:3: spec: is required"));
  picture.policies.enabled = false;
  CHECK_FALSE(has(picture.render({}, t0).body, "NetworkPolicy findings"));
}

TEST_CASE("a node's page and a target's page; 404 for what nobody reports") {
  Picture picture;
  picture.store.apply(report("node-a", {result("scrape", Outcome::timeout), result("dns", Outcome::ok)}), t0);
  for (int i = 0; i < 250; ++i) {
    picture.store.apply(report("node-" + std::to_string(i), {result("scrape", Outcome::timeout)}), t0);
  }
  picture.take(t0 + seconds{61});

  const RenderedPage node = picture.render(for_node("node-a"), t0 + seconds{61});
  CHECK(node.status == 200);
  CHECK(has(node.body, "<h1>Node node-a</h1>"));
  CHECK(has(node.body, "detail of timeout"));
  CHECK(has(node.body, "✓ ok"));
  CHECK(has(node.body, "href=\"/api/v1/status?node=node-a\""));
  const RenderedPage unknown = picture.render(for_node("node-zz"), t0);
  CHECK(unknown.status == 404);
  CHECK(has(unknown.body, "No agent has reported from node &quot;node-zz&quot;"));

  const CheckKey scrape{"scrape", "127.0.0.1:9100", "tcp"};
  const RenderedPage target = picture.render(for_target(scrape), t0 + seconds{61});
  CHECK(target.status == 200);
  CHECK(has(target.body, "251 failing for 1m1s"));
  CHECK(has(target.body, "failing nodes page 1 of 2"));
  CHECK(target.body.find(">node-2</a>") < target.body.find(">node-10</a>"));
  CHECK_FALSE(has(target.body, ">node-249</a>"));  // on page 2
  const std::string second = picture.render(for_target(scrape, 2), t0).body;
  CHECK(has(second, ">node-249</a>"));
  CHECK(has(second, ">node-a</a>"));
  const std::string filtered = picture.render(for_target(scrape, 1, "node-24"), t0).body;
  CHECK(has(filtered, ">node-249</a>"));
  CHECK_FALSE(has(filtered, ">node-1</a>"));
  CHECK(picture.render(for_target(CheckKey{"gone", "x", "tcp"}), t0).status == 404);
}

TEST_CASE("many targets: 50 a page, failing first; the matrix names how many checks it leaves out") {
  Picture picture;
  std::vector<ProbeResult> results;
  for (int i = 0; i < 60; ++i) {
    ProbeResult one = result("scrape", i == 59 ? Outcome::refused : Outcome::ok);
    one.target = "127.0.0.1:" + std::to_string(10000 + i);
    results.push_back(one);
  }
  picture.store.apply(report("node-a", results), t0);
  picture.take(t0);
  const std::string first = picture.render({}, t0).body;
  CHECK(has(first, "targets 1–50 of 60 (failing first)"));
  CHECK(has(first, "scrape → 127.0.0.1:10059"));  // the failing one, first though it sorts last
  CHECK_FALSE(has(first, "scrape → 127.0.0.1:10049 (tcp)</a>"));
  CHECK(has(first, "href=\"/?tpage=2\""));
  CHECK(has(first, "Showing 40 of 60 checks"));
  StatusPageQuery second;
  second.targets_page = 2;
  CHECK(has(picture.render(second, t0).body, "targets 51–60 of 60"));
}

TEST_CASE("the page's headers allow nothing but the controller's own script and style") {
  std::string csp;
  for (const auto& [name, value] : kStatusPageHeaders) {
    if (name == "Content-Security-Policy") csp = value;
  }
  CHECK(has(csp, "default-src 'none'"));
  CHECK(has(csp, "script-src 'self'"));
  CHECK_FALSE(has(csp, "unsafe-inline"));
  CHECK_FALSE(has(csp, "unsafe-eval"));
}
