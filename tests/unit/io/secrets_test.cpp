#include "io/secrets.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace netprobe;

TEST_CASE("a token file holds one line; its final newline and trailing blanks are trimmed") {
  CHECK(parse_token("s3cret\n", "t") == "s3cret");
  CHECK(parse_token("s3cret \r\n", "t") == "s3cret");
}

TEST_CASE("token files that would fail every request later are refused at start, naming the file") {
  CHECK_THROWS_WITH_AS(parse_token("\n\n", "/etc/t"), "token file /etc/t is empty", std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_token(" s3cret", "/etc/t"), "token file /etc/t starts with whitespace", std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_token("one\ntwo\n", "/etc/t"), "token file /etc/t has more than one line", std::runtime_error);
  CHECK_THROWS_WITH_AS(parse_token("a b", "/etc/t"), "token file /etc/t holds spaces or control characters",
                       std::runtime_error);
  CHECK_THROWS_AS(parse_token("a\x01z", "/etc/t"), std::runtime_error);
}

TEST_CASE("a file that cannot be read is named with the system's reason") {
  const std::string missing = "/nonexistent-netprobe-dir/nope.yaml";
  CHECK_THROWS_WITH_AS(read_text_file(missing), ("cannot read " + missing + ": No such file or directory").c_str(),
                       std::runtime_error);
  // A directory opens, and its read fails: that reason too.
  CHECK_THROWS_WITH_AS(read_text_file("/"), "cannot read /: Is a directory", std::runtime_error);
  CHECK_THROWS_WITH_AS(read_token_file(missing), ("cannot read " + missing + ": No such file or directory").c_str(),
                       std::runtime_error);
}
