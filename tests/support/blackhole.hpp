#pragma once
// A loopback port that swallows DNS (and anything else): what a NetworkPolicy
// drop looks like from the client, without a network namespace.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

#include <doctest/doctest.h>

namespace netprobe::testing {

// A UDP socket and a TCP listener on one loopback port that never read or
// answer: a blackhole (TCP connects, through the kernel's backlog, then silence).
class Blackhole {
 public:
  Blackhole() : tcp_(socket(AF_INET, SOCK_STREAM, 0)), udp_(socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(tcp_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(tcp_, 16) == 0);
    socklen_t length = sizeof address;
    REQUIRE(getsockname(tcp_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    REQUIRE(bind(udp_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~Blackhole() {
    close(tcp_);
    close(udp_);
  }
  Blackhole(const Blackhole&) = delete;
  Blackhole& operator=(const Blackhole&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int tcp_;
  int udp_;
  std::uint16_t port_ = 0;
};

}  // namespace netprobe::testing
