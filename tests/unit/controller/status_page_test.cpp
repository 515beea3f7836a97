#include "controller/status_page.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("names from reports are escaped") {
  CHECK(html_escape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  TargetView target;
  target.probe = "<b>evil</b>";
  target.failing = {FailingNode{"node<1>", "ns", Outcome::timeout, {}, "", std::nullopt}};
  AgentView agent;
  agent.node = "<img src=x>";
  const std::string page = render_status_page({target}, {agent}, {}, {});
  CHECK(page.find("<b>evil</b>") == std::string::npos);
  CHECK(page.find("&lt;b&gt;evil&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("NetworkPolicy drop") != std::string::npos);  // the likely cause of the timeout

  target.policy = TargetPolicy{PolicyAttribution{PolicyVerdict::denied, PolicyDirection::egress, {"ns/<p>"},
                                                 "egress of ns/a is isolated by ns/<p>"},
                               {{PolicyVerdict::denied, 1}}};
  const std::string attributed = render_status_page({target}, {agent}, {}, {});
  CHECK(attributed.find("<b>denied</b>: egress of ns/a is isolated by ns/&lt;p&gt;") != std::string::npos);
}

TEST_CASE("policy findings appear, escaped, when the analysis is on") {
  CHECK(render_status_page({}, {}, {}, {}).find("NetworkPolicy findings") == std::string::npos);
  PolicySnapshot policies;
  policies.enabled = true;
  policies.analysed_at = TimePoint{std::chrono::seconds{1'795'000'000}};
  policies.policies = 12;
  policies.findings = std::vector<netpol::Finding>{{"selector-matches-nothing", "error", "payments", "<payment-ingress>",
                                                   "podSelector {app: paymnet} matches no pods",
                                                   "did you mean app: payment?", {}}};
  policies.error = "cluster.yaml:3: spec: is required";
  const std::string page = render_status_page({}, {}, policies, {});
  CHECK(page.find("<h2>NetworkPolicy findings</h2>") != std::string::npos);
  CHECK(page.find("12 policies") != std::string::npos);
  CHECK(page.find("did you mean app: payment?") != std::string::npos);
  CHECK(page.find("&lt;payment-ingress&gt;") != std::string::npos);
  CHECK(page.find("<payment-ingress>") == std::string::npos);
  CHECK(page.find("Last attempt failed: cluster.yaml:3: spec: is required") != std::string::npos);
}
