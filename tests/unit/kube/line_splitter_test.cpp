#include "kube/line_splitter.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace netprobe::kube;

namespace {

std::vector<std::string> feed_all(LineSplitter& splitter, const std::vector<std::string>& chunks) {
  std::vector<std::string> lines;
  for (const std::string& chunk : chunks) {
    splitter.feed(chunk, [&](std::string_view line) { lines.emplace_back(line); });
  }
  return lines;
}

}  // namespace

TEST_CASE("events split across chunks are joined; several in one chunk are cut apart") {
  LineSplitter splitter(1024);
  const auto lines = feed_all(splitter, {"{\"type\":\"ADD", "ED\"}\n{\"type\":\"MODIFIED\"}\n{\"ty", "pe\":\"DELETED\"}\n"});
  CHECK(lines == std::vector<std::string>{R"({"type":"ADDED"})", R"({"type":"MODIFIED"})", R"({"type":"DELETED"})"});
  CHECK(splitter.pending_bytes() == 0);
}

TEST_CASE("one byte at a time, CRLF endings and blank lines") {
  LineSplitter splitter(1024);
  const std::string stream = "a\r\n\nbc\n";
  std::vector<std::string> chunks;
  for (const char c : stream) chunks.emplace_back(1, c);
  CHECK(feed_all(splitter, chunks) == std::vector<std::string>{"a", "bc"});
}

TEST_CASE("an unfinished line waits for its end") {
  LineSplitter splitter(1024);
  CHECK(feed_all(splitter, {"{\"partial\""}).empty());
  CHECK(splitter.pending_bytes() == 10);
}

TEST_CASE("a line over the limit is dropped whole, and the next line is read") {
  LineSplitter splitter(8);
  const auto lines = feed_all(splitter, {"short\n0123", "456789abc", "def\nnext\n"});
  CHECK(lines == std::vector<std::string>{"short", "next"});
  CHECK(splitter.dropped_lines() == 1);
  CHECK(splitter.pending_bytes() == 0);
}
