#include <doctest/doctest.h>

#include <vector>

#include "io/ares_sockets.hpp"

using namespace netprobe;

namespace {

// A 12-byte DNS header: id 0x1234, the given flag bytes, QDCOUNT, and no records.
std::vector<unsigned char> header(unsigned char flags_high, unsigned char flags_low, unsigned char questions) {
  return {0x12, 0x34, flags_high, flags_low, 0, questions, 0, 0, 0, 0, 0, 0};
}

}  // namespace

TEST_CASE("TCP messages are reassembled from pieces of any size") {
  const std::vector<unsigned char> first = header(0x81, 0x05, 0);
  const std::vector<unsigned char> second = header(0x81, 0x02, 1);
  std::vector<unsigned char> stream{0, 12};
  stream.insert(stream.end(), first.begin(), first.end());
  stream.push_back(0);
  stream.push_back(12);
  stream.insert(stream.end(), second.begin(), second.end());

  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{5}, stream.size()}) {
    CAPTURE(piece);
    TcpMessageFramer framer;
    std::vector<std::vector<unsigned char>> messages;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      const std::size_t size = std::min(piece, stream.size() - at);
      framer.feed(std::span(stream).subspan(at, size), [&](std::span<const unsigned char> message) {
        messages.emplace_back(message.begin(), message.end());
      });
    }
    REQUIRE(messages.size() == 2);
    CHECK(messages[0] == first);
    CHECK(messages[1] == second);
  }
}
