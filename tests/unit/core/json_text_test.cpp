#include "core/json_text.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("invalid UTF-8 is replaced, not thrown on") {
  const nlohmann::ordered_json value{{"message", "podSelector {app: paym\xe9nt}"}};
  CHECK_THROWS(value.dump());  // what json_text exists to avoid
  CHECK(json_text(value) == "{\"message\":\"podSelector {app: paym\xef\xbf\xbdnt}\"}");
  CHECK(json_text(nlohmann::json{{"ok", "caf\xc3\xa9"}}) == "{\"ok\":\"caf\xc3\xa9\"}");  // valid UTF-8 stays
}
