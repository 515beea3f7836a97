// tcp prober against real sockets on loopback.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/process.hpp"
#include "support/run_probe.hpp"

using namespace netprobe;

TEST_CASE("tcp: a listener answers ok, a closed port is refused") {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 16) == 0);
  socklen_t length = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  const ProbeResult open = testing::run_single("{type: tcp, target: '127.0.0.1:" + std::to_string(port) + "'}");
  CHECK(open.outcome == Outcome::ok);
  CHECK(open.success);
  CHECK(open.transport == "tcp");
  close(listener);

  const ProbeResult closed = testing::run_single("{type: tcp, target: '127.0.0.1:" + std::to_string(port) + "'}");
  CHECK(closed.outcome == Outcome::refused);
  CHECK_FALSE(closed.success);

  const ProbeResult denied =
      testing::run_single("{type: tcp, expect: deny, target: '127.0.0.1:" + std::to_string(port) + "'}");
  CHECK(denied.outcome == Outcome::refused);
  CHECK(denied.success);  // expect: deny and the connection was not established
}
