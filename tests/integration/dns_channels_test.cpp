// The agent's pool of c-ares channels (io/dns_channels.hpp) against servers on
// loopback: reuse saves ares_init, and must change nothing a probe sees. Each
// query still opens a socket of its own (a new UDP source port, a new TCP
// connection), so a server that dies or a rule that changes between two
// queries shows at once; every outcome is the one a fresh channel gives.
//
// Network safety: every server listens on 127.0.0.1, and every query names one.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "io/dns_channels.hpp"
#include "io/dns_client.hpp"
#include "support/blackhole.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

using namespace netprobe;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

constexpr int kTypeA = 1;
const std::string kName = "web.cluster.local.";

// A reply to `query`: the same message with the QR bit set, NOERROR, no answer.
std::vector<unsigned char> echo_reply(std::vector<unsigned char> query) {
  if (query.size() >= 4) {
    query[2] |= 0x80;  // QR
    query[3] &= 0xf0;  // RCODE NOERROR
  }
  return query;
}

// unbound's ACL refusal: the query's ID and a REFUSED header, without the question.
std::vector<unsigned char> bare_refusal(const std::vector<unsigned char>& query) {
  std::vector<unsigned char> header(12, 0);
  if (query.size() >= 2) std::copy_n(query.begin(), 2, header.begin());
  header[2] = 0x80;  // QR
  header[3] = 5;     // REFUSED
  return header;
}

enum class Replies { echo, bare_refusal };

// Answers every UDP query on 127.0.0.1:port (its own thread) and keeps the
// source port of each, so a test can tell one socket per query from a reused one.
class UdpEchoServer {
 public:
  explicit UdpEchoServer(std::uint16_t port, Replies replies = Replies::echo)
      : fd_(socket(AF_INET, SOCK_DGRAM, 0)), replies_(replies) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    const timeval poll_every{0, 50'000};  // so stop() is seen within 50 ms
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &poll_every, sizeof poll_every);
    thread_ = std::thread([this] { serve(); });
  }
  ~UdpEchoServer() { stop(); }
  UdpEchoServer(const UdpEchoServer&) = delete;
  UdpEchoServer& operator=(const UdpEchoServer&) = delete;

  void stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    thread_.join();
    close(fd_);
  }
  std::vector<std::uint16_t> source_ports() const {
    std::lock_guard lock(mutex_);
    return source_ports_;
  }

 private:
  void serve() {
    std::array<unsigned char, 512> buffer{};
    while (!stopping_) {
      sockaddr_in from{};
      socklen_t length = sizeof from;
      const ssize_t got = recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (got <= 0) continue;  // the receive timeout: look at stopping_
      {
        std::lock_guard lock(mutex_);
        source_ports_.push_back(ntohs(from.sin_port));
      }
      std::vector<unsigned char> query(buffer.begin(), buffer.begin() + got);
      const auto reply = replies_ == Replies::echo ? echo_reply(std::move(query)) : bare_refusal(query);
      sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
    }
  }

  int fd_;
  Replies replies_;
  std::atomic<bool> stopping_ = false;
  mutable std::mutex mutex_;
  std::vector<std::uint16_t> source_ports_;
  std::thread thread_;
};

// DNS over TCP: answers each query on its connection and counts connections.
struct TcpEchoServer {
  std::atomic<int> connections = 0;
  testing::LoopbackServer server{[this](testing::LoopbackServer::Socket& socket) {
    ++connections;
    boost::system::error_code error;
    for (;;) {
      std::array<unsigned char, 2> prefix{};
      if (asio::read(socket, asio::buffer(prefix), error) != prefix.size()) return;
      std::vector<unsigned char> query(static_cast<std::size_t>(prefix[0]) << 8 | prefix[1]);
      if (asio::read(socket, asio::buffer(query), error) != query.size()) return;
      const auto reply = echo_reply(std::move(query));
      const std::array<unsigned char, 2> length{static_cast<unsigned char>(reply.size() >> 8),
                                                static_cast<unsigned char>(reply.size() & 0xff)};
      asio::write(socket, std::array{asio::buffer(length), asio::buffer(reply)}, error);
      if (error) return;
    }
  }};
};

// Queries run one after another on one io_context through one pool, as the agent runs them.
struct PooledQueries {
  asio::io_context io;
  DnsChannelPool pool{io.get_executor()};  // after io: destroyed before it

  DnsAnswer query(std::uint16_t port, DnsTransport transport, Millis timeout = 2s, const std::string& name = kName) {
    const Endpoint server{"127.0.0.1", port};
    DnsAnswer answer;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> { answer = co_await dns_query(server, transport, name, kTypeA, timeout, &pool); },
        asio::detached);
    io.restart();
    io.run();  // idle channels keep no work: run() returns once the query is done
    return answer;
  }
};

DnsAnswer fresh_query(std::uint16_t port, DnsTransport transport, Millis timeout = 2s) {
  asio::io_context io;
  const Endpoint server{"127.0.0.1", port};
  DnsAnswer answer;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { answer = co_await dns_query(server, transport, kName, kTypeA, timeout); },
      asio::detached);
  io.run();
  return answer;
}

}  // namespace

TEST_CASE("a pooled channel is made once, and each query still goes out on a socket of its own") {
  PooledQueries queries;
  SUBCASE("udp: a new source port per query") {
    const std::uint16_t port = testing::free_port();
    UdpEchoServer server(port);
    for (int i = 0; i < 5; ++i) {
      const DnsAnswer answer = queries.query(port, DnsTransport::udp);
      CAPTURE(answer.detail);
      CHECK(answer.exchange == DnsExchange::answered);
      CHECK(answer.rcode == 0);
    }
    const auto ports = server.source_ports();
    CHECK(ports.size() == 5);  // every query on the wire
    // A reused socket would show one port five times; fresh ones are random (one repeat is allowed for luck).
    CHECK(std::set<std::uint16_t>(ports.begin(), ports.end()).size() >= 4);
  }
  SUBCASE("tcp: a new connection per query") {
    TcpEchoServer server;
    for (int i = 0; i < 5; ++i) {
      const DnsAnswer answer = queries.query(server.server.port(), DnsTransport::tcp);
      CAPTURE(answer.detail);
      CHECK(answer.exchange == DnsExchange::answered);
    }
    CHECK(server.connections == 5);
  }
  CHECK(queries.pool.created() == 1);
  CHECK(queries.pool.idle() == 1);
}

TEST_CASE("a server that goes away between two pooled queries is seen by the next one") {
  PooledQueries queries;
  const std::uint16_t port = testing::free_port();
  UdpEchoServer server(port);
  REQUIRE(queries.query(port, DnsTransport::udp).exchange == DnsExchange::answered);
  server.stop();
  const DnsAnswer gone = queries.query(port, DnsTransport::udp);
  CAPTURE(gone.detail);
  CHECK(gone.exchange == DnsExchange::refused);  // the port unreachable reached a fresh socket
  CHECK(gone.detail == fresh_query(port, DnsTransport::udp).detail);
  CHECK(queries.pool.created() == 1);
}

TEST_CASE("queries at the same time to one server each get a channel; the pool keeps them for the next round") {
  const std::uint16_t port = testing::free_port();
  UdpEchoServer server(port);
  PooledQueries queries;
  const Endpoint target{"127.0.0.1", port};
  for (int round = 0; round < 3; ++round) {
    std::vector<DnsAnswer> answers(4);
    for (DnsAnswer& answer : answers) {
      asio::co_spawn(
          queries.io,
          [&]() -> asio::awaitable<void> {
            answer = co_await dns_query(target, DnsTransport::udp, kName, kTypeA, 2s, &queries.pool);
          },
          asio::detached);
    }
    queries.io.restart();
    queries.io.run();
    for (const DnsAnswer& answer : answers) CHECK(answer.exchange == DnsExchange::answered);
  }
  CHECK(queries.pool.created() == 4);
  CHECK(queries.pool.idle() == 4);
  CHECK(server.source_ports().size() == 12);
}

TEST_CASE("the pool keeps at most max_idle channels, and a key is the server, transport and timeout") {
  const std::uint16_t port = testing::free_port();
  UdpEchoServer server(port);
  asio::io_context io;
  DnsChannelPool pool(io.get_executor(), 2);
  const Endpoint target{"127.0.0.1", port};
  std::vector<DnsAnswer> answers(3);
  for (DnsAnswer& answer : answers) {
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { answer = co_await dns_query(target, DnsTransport::udp, kName, kTypeA, 2s, &pool); },
        asio::detached);
  }
  io.run();
  CHECK(pool.created() == 3);
  CHECK(pool.idle() == 2);
  // Another timeout is another channel (c-ares' timeout is set when a channel is made).
  DnsAnswer other;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { other = co_await dns_query(target, DnsTransport::udp, kName, kTypeA, 1s, &pool); },
      asio::detached);
  io.restart();
  io.run();
  CHECK(other.exchange == DnsExchange::answered);
  CHECK(pool.created() == 4);
}

TEST_CASE("through a pool, refused, timeout and answered outcomes are those of a fresh channel, in any order") {
  PooledQueries queries;
  const std::uint16_t closed = testing::free_port();
  const std::uint16_t answering = testing::free_port();
  UdpEchoServer server(answering);
  TcpEchoServer tcp_server;
  const testing::Blackhole blackhole;
  const std::uint16_t silent = blackhole.port();

  struct Case {
    std::uint16_t port;
    DnsTransport transport;
    DnsExchange expected;
  };
  const std::vector<Case> cases{
      {answering, DnsTransport::udp, DnsExchange::answered}, {closed, DnsTransport::udp, DnsExchange::refused},
      {silent, DnsTransport::udp, DnsExchange::timeout},     {answering, DnsTransport::udp, DnsExchange::answered},
      {closed, DnsTransport::tcp, DnsExchange::refused},     {tcp_server.server.port(), DnsTransport::tcp, DnsExchange::answered},
      {silent, DnsTransport::udp, DnsExchange::timeout},     {closed, DnsTransport::udp, DnsExchange::refused},
  };
  for (int pass = 0; pass < 2; ++pass) {  // the second pass runs on channels the first one shelved
    for (const Case& each : cases) {
      const DnsAnswer pooled = queries.query(each.port, each.transport, 300ms);
      const DnsAnswer fresh = fresh_query(each.port, each.transport, 300ms);
      CAPTURE(pooled.detail);
      CHECK(pooled.exchange == each.expected);
      CHECK(pooled.detail == fresh.detail);
      CHECK(pooled.ares_status == fresh.ares_status);
    }
  }
  CHECK(queries.pool.created() == 5);  // one per (port, transport)
  CHECK(queries.pool.idle() == 5);
}

TEST_CASE("a bare refusal ends a pooled query at once, and the channel it leaves is clean for the next") {
  PooledQueries queries;
  const std::uint16_t refusing = testing::free_port();
  UdpEchoServer acl(refusing, Replies::bare_refusal);
  for (int i = 0; i < 3; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const DnsAnswer answer = queries.query(refusing, DnsTransport::udp);
    CAPTURE(answer.detail);
    CHECK(answer.exchange == DnsExchange::answered);
    CHECK(answer.rcode == 5);
    CHECK(answer.detail.find("a bare header without the question") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 1s);  // not c-ares' 2 s timeout
  }
  CHECK(acl.source_ports().size() == 3);
  CHECK(queries.pool.created() == 1);
  CHECK(queries.pool.idle() == 1);  // cancelled, its socket closed, shelved
}
