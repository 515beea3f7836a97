#include "core/imds_token.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("an IMDSv2 token is the reply body without its trailing line break") {
  CHECK(read_imds_token("AQAEAJ4xyz==") == "AQAEAJ4xyz==");
  CHECK(read_imds_token("AQAEAJ4xyz==\r\n") == "AQAEAJ4xyz==");
  CHECK(read_imds_token("token \n") == "token");
}

TEST_CASE("a reply that could smuggle headers or is empty is no token") {
  CHECK_FALSE(read_imds_token(""));
  CHECK_FALSE(read_imds_token("\r\n"));
  CHECK_FALSE(read_imds_token("abc\r\nX-Injected: 1"));
  CHECK_FALSE(read_imds_token("two words"));
  CHECK_FALSE(read_imds_token(std::string_view("nul\0byte", 8)));
  CHECK_FALSE(read_imds_token("caf\xc3\xa9"));  // not ASCII
}
