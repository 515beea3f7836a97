#include "controller/status_page.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("names from reports are escaped") {
  CHECK(html_escape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  TargetView target;
  target.probe = "<b>evil</b>";
  target.failing = {FailingNode{"node<1>", "ns", Outcome::timeout, {}, ""}};
  AgentView agent;
  agent.node = "<img src=x>";
  const std::string page = render_status_page({target}, {agent}, {});
  CHECK(page.find("<b>evil</b>") == std::string::npos);
  CHECK(page.find("&lt;b&gt;evil&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("NetworkPolicy drop") != std::string::npos);  // the likely cause of the timeout
}
