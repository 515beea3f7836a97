// Names from reports and the cluster, written into HTML.
#include "controller/html.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("text and attributes are escaped") {
  CHECK(html_escape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
}

TEST_CASE("links percent-encode their query and are safe in an attribute") {
  CHECK(link_to("/", {}) == "/");
  CHECK(link_to("/", {{"node", "node-1"}}) == "/?node=node-1");
  const std::string hostile = link_to("/", {{"node", "a b&c=d\"><script>"}, {"page", "2"}});
  CHECK(hostile.find('"') == std::string::npos);
  CHECK(hostile.find('<') == std::string::npos);
  CHECK(hostile.find(' ') == std::string::npos);
  CHECK(hostile.find("&amp;page=2") != std::string::npos);  // the separator survives, escaped for HTML
  CHECK(hostile.find("b%26c") != std::string::npos);         // the value's own &: encoded, it does not split it
}

TEST_CASE("counts with thousands separators") {
  CHECK(with_thousands(0) == "0");
  CHECK(with_thousands(999) == "999");
  CHECK(with_thousands(1000) == "1,000");
  CHECK(with_thousands(150000) == "150,000");
  CHECK(with_thousands(1234567) == "1,234,567");
}
