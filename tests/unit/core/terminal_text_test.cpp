#include "core/terminal_text.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("control characters from reports reach the terminal as escapes") {
  CHECK(terminal_safe("node-a") == "node-a");
  CHECK(terminal_safe("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(terminal_safe("x\ny\rz\x7f") == "x\\x0ay\\x0dz\\x7f");
  CHECK(terminal_safe("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 is printable
}
