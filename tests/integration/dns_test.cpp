// dns prober and resolver against real nameservers (unbound, dnsmasq) run as
// children on loopback.
//
// Network safety: every server listens on 127.0.0.1 and has no upstream
// outside loopback (unbound forwards "." to a dead loopback port, dnsmasq
// reads no resolv.conf), and every query names a 127.0.0.1 server, so nothing
// leaves the machine.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "io/dns_client.hpp"
#include "support/blackhole.hpp"
#include "support/process.hpp"
#include "support/run_probe.hpp"

using namespace netprobe;
using namespace std::chrono_literals;

namespace {

constexpr int kTypeA = 1;
constexpr int kBigAnswerRecords = 60;  // 60 A records: ~1 KB, well over 512 bytes without EDNS

std::string require_program(const std::string& name) {
  const std::string path = testing::find_program(name);
  REQUIRE_MESSAGE(!path.empty(), name << " is not installed; the DNS integration tests need it "
                                         "(scripts/packages/test.txt lists the test servers)");
  return path;
}

template <typename Result, typename Make>
Result run_on_private_io(Make make) {
  boost::asio::io_context io;
  Result result;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { result = co_await make(); }, boost::asio::detached);
  io.run();
  return result;
}

DnsAnswer query(std::uint16_t port, DnsTransport transport, const std::string& name, Millis timeout = 2s) {
  // dns_query takes references: they must outlive the coroutine, not just the call.
  const Endpoint server{"127.0.0.1", port};
  return run_on_private_io<DnsAnswer>([&] { return dns_query(server, transport, name, kTypeA, timeout); });
}

HostAddresses resolve(const std::string& host, std::uint16_t port) {
  const std::vector<Endpoint> servers{Endpoint{"127.0.0.1", port}};
  return run_on_private_io<HostAddresses>([&] { return resolve_host(host, 2s, servers); });
}

std::string server_list(std::uint16_t port) { return "['127.0.0.1:" + std::to_string(port) + "']"; }

// A directory removed (with its config and log) when it goes out of scope.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) : path_(testing::make_temp_dir(prefix)) {}
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A nameserver child on 127.0.0.1:port, stopped (then its directory removed)
// when it goes out of scope.
struct DnsServer {
  TempDir dir;
  std::uint16_t port;
  std::string log_path;
  testing::ChildProcess process;

  // Polls until the server answers `probe_name` over UDP and TCP (or the
  // deadline passes): a started process is not yet a listening one.
  void wait_ready(const std::string& probe_name) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (DnsTransport transport : {DnsTransport::udp, DnsTransport::tcp}) {
      DnsAnswer answer;
      while (std::chrono::steady_clock::now() < deadline && process.running()) {
        answer = query(port, transport, probe_name, 200ms);
        if (answer.exchange == DnsExchange::answered) break;
      }
      REQUIRE_MESSAGE(answer.exchange == DnsExchange::answered,
                      "nameserver on 127.0.0.1:" << port << " not answering over " << to_string(transport) << ": "
                                                 << answer.detail << "\n" << testing::read_file(log_path));
    }
  }
};

std::string big_records(const std::string& name) {
  std::string text;
  for (int i = 1; i <= kBigAnswerRecords; ++i) {
    text += "  local-data: \"" + name + " 60 IN A 10.1.0." + std::to_string(i) + "\"\n";  // # not-a-destination: answer data
  }
  return text;
}

enum class Acl { allow, refuse };

// unbound serving the static zone cluster.local.; everything else is forwarded
// to `dead_port` on loopback, where nothing listens, so it ends in SERVFAIL.
DnsServer start_unbound(Acl acl) {
  const std::string program = require_program("unbound");
  TempDir temp("netprobe-unbound");
  const std::string dir = temp.path();
  const std::uint16_t port = testing::free_port();
  const std::uint16_t dead_port = testing::free_port();
  const std::string config = dir + "/unbound.conf";
  testing::write_file(config,
                      "server:\n"
                      "  verbosity: 1\n"
                      "  interface: 127.0.0.1\n"
                      "  port: " + std::to_string(port) + "\n"
                      "  interface-automatic: no\n"
                      "  outgoing-interface: 127.0.0.1\n"
                      "  do-ip4: yes\n"
                      "  do-ip6: no\n"
                      "  do-udp: yes\n"
                      "  do-tcp: yes\n"
                      "  do-daemonize: no\n"
                      "  chroot: \"\"\n"
                      "  username: \"\"\n"
                      "  pidfile: \"\"\n"
                      "  directory: \"" + dir + "\"\n"
                      "  use-syslog: no\n"
                      "  logfile: \"\"\n"
                      "  num-threads: 1\n"
                      "  so-reuseport: no\n"
                      "  module-config: \"iterator\"\n"
                      "  do-not-query-localhost: no\n"
                      // Give up on the dead forwarder within half a second (SERVFAIL)
                      // instead of unbound's minutes of retransmits.
                      "  outbound-msg-retry: 1\n"
                      "  infra-cache-max-rtt: 200\n"
                      "  max-sent-count: 3\n"
                      "  access-control: 127.0.0.0/8 " + (acl == Acl::allow ? "allow" : "refuse") + "\n"
                      "  local-zone: \"cluster.local.\" static\n"
                      "  local-data: \"web.cluster.local. 60 IN A 10.0.0.5\"\n" +  // # not-a-destination: answer data
                      big_records("big.cluster.local.") +
                      "forward-zone:\n"
                      "  name: \".\"\n"
                      "  forward-addr: 127.0.0.1@" + std::to_string(dead_port) + "\n"
                      "remote-control:\n"
                      "  control-enable: no\n");
  const std::string log_path = dir + "/unbound.log";
  DnsServer server{std::move(temp), port, log_path, testing::ChildProcess({program, "-d", "-c", config}, log_path)};
  // Even a refusing server answers (REFUSED), which is all readiness needs.
  server.wait_ready("web.cluster.local.");
  return server;
}

// dnsmasq answering for cluster.local. (--local: unknown names there are
// NXDOMAIN) with no upstream at all (--no-resolv and no --server).
DnsServer start_dnsmasq() {
  const std::string program = require_program("dnsmasq");
  TempDir temp("netprobe-dnsmasq");
  const std::string dir = temp.path();
  const std::uint16_t port = testing::free_port();
  std::vector<std::string> argv{program,
                                "--keep-in-foreground",
                                "--conf-file=/dev/null",
                                "--no-resolv",
                                "--no-hosts",
                                "--no-poll",
                                "--bind-interfaces",
                                "--listen-address=127.0.0.1",
                                "--port=" + std::to_string(port),
                                "--user=root",
                                "--pid-file",
                                "--log-facility=-",
                                "--local=/cluster.local/",
                                "--host-record=web.cluster.local,10.0.0.5"};  // # not-a-destination: answer data
  // 20 TXT records of 60 characters: ~1.4 KB.
  for (int i = 0; i < 20; ++i) {
    argv.push_back("--txt-record=big.cluster.local," + std::string(58, 'x') + (i < 10 ? "0" : "") +
                   std::to_string(i));
  }
  const std::string log_path = dir + "/dnsmasq.log";
  DnsServer server{std::move(temp), port, log_path, testing::ChildProcess(argv, log_path)};
  server.wait_ready("web.cluster.local.");
  return server;
}

}  // namespace

TEST_CASE("dns against unbound: answers, NXDOMAIN, SERVFAIL and truncation keep their outcomes") {
  DnsServer unbound = start_unbound(Acl::allow);
  const std::string servers = server_list(unbound.port);

  SUBCASE("an A record answers ok over udp and tcp") {
    const auto results = testing::run_probe("{type: dns, servers: " + servers +
                                            ", query: 'web.cluster.local.', transports: [udp, tcp]}");
    REQUIRE(results.size() == 2);
    for (const ProbeResult& result : results) {
      CAPTURE(result.detail);
      CHECK(result.outcome == Outcome::ok);
      CHECK(result.success);
      CHECK(result.target == "127.0.0.1:" + std::to_string(unbound.port));
      CHECK(result.detail.find("NOERROR, 1 answer: 10.0.0.5") != std::string::npos);  // # not-a-destination: answer data
    }
    CHECK(results[0].transport == "udp");
    CHECK(results[1].transport == "tcp");
    CHECK(results[0].detail.starts_with("A web.cluster.local. via udp 127.0.0.1:"));
  }

  SUBCASE("an unknown name in the zone is nxdomain, and ok when NXDOMAIN is expected") {
    const std::string probe = "{type: dns, servers: " + servers + ", query: 'nope.cluster.local.', transports: [udp, tcp]";
    for (const ProbeResult& result : testing::run_probe(probe + "}")) {
      CAPTURE(result.detail);
      CHECK(result.outcome == Outcome::nxdomain);
      CHECK_FALSE(result.success);
      CHECK(result.detail.find("NXDOMAIN (ARES_ENOTFOUND)") != std::string::npos);
    }
    for (const ProbeResult& result : testing::run_probe(probe + ", expect_rcode: NXDOMAIN}")) {
      CAPTURE(result.detail);
      CHECK(result.outcome == Outcome::ok);
      CHECK(result.success);
    }
    // And an answer where NXDOMAIN was expected is not ok.
    const ProbeResult unexpected = testing::run_single("{type: dns, servers: " + servers +
                                                       ", query: 'web.cluster.local.', expect_rcode: NXDOMAIN}");
    CHECK(unexpected.outcome == Outcome::dns_error);
    CHECK(unexpected.detail.find("expected NXDOMAIN") != std::string::npos);
  }

  SUBCASE("a name forwarded to a dead upstream is servfail") {
    const ProbeResult result = testing::run_single("{type: dns, servers: " + servers +
                                                   ", query: 'app.corp.example.', timeout: 5s}");
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::servfail);
    CHECK(result.detail.find("SERVFAIL (ARES_ESERVFAIL)") != std::string::npos);
  }

  SUBCASE("a large answer is truncated but ok over udp, complete over tcp") {
    const auto results = testing::run_probe("{type: dns, servers: " + servers +
                                            ", query: 'big.cluster.local.', transports: [udp, tcp]}");
    REQUIRE(results.size() == 2);
    CAPTURE(results[0].detail);
    CAPTURE(results[1].detail);
    CHECK(results[0].outcome == Outcome::ok);
    CHECK(results[0].detail.find("truncated") != std::string::npos);
    CHECK(results[1].outcome == Outcome::ok);
    CHECK(results[1].detail.find("truncated") == std::string::npos);

    const DnsAnswer udp = query(unbound.port, DnsTransport::udp, "big.cluster.local.");
    CHECK(udp.truncated);
    CHECK(udp.answer_count < kBigAnswerRecords);
    const DnsAnswer tcp = query(unbound.port, DnsTransport::tcp, "big.cluster.local.");
    CHECK_FALSE(tcp.truncated);
    CHECK(tcp.rcode == 0);
    CHECK(tcp.answer_count == kBigAnswerRecords);
    CHECK(tcp.ares_status == "ARES_SUCCESS");
  }

  SUBCASE("a tcp target whose host name does not exist is resolve_error") {
    const HostAddresses missing = resolve("missing.cluster.local.", unbound.port);
    CHECK(missing.addresses.empty());
    CHECK(missing.error.find("NXDOMAIN") != std::string::npos);
    CHECK(missing.error.find("ARES_ENOTFOUND") != std::string::npos);

    const HostAddresses found = resolve("web.cluster.local.", unbound.port);
    CHECK(found.error == "");
    REQUIRE(found.addresses.size() == 1);
    CHECK(found.addresses[0].to_string() == "10.0.0.5");  // # not-a-destination: answer data

    // Through the prober, exactly as the agent runs it.
    auto spec = std::make_shared<const ProbeSpec>(
        parse_probe_document("{type: tcp, target: 'missing.cluster.local.:80'}", "test", ProbeDefaults{}));
    const std::vector<Check> checks = expand_checks(spec, {});
    REQUIRE(checks.size() == 1);
    ProbeEnv env;
    env.resolver_servers = {Endpoint{"127.0.0.1", unbound.port}};
    const Identity identity{"test-node", "test-ns"};  // outlives the coroutine that refers to it
    const ProbeResult result = run_on_private_io<ProbeResult>([&] { return run_check(checks[0], env, identity); });
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::resolve_error);
    CHECK(result.detail.find("NXDOMAIN") != std::string::npos);
  }
}

TEST_CASE("dns against dnsmasq: answers, NXDOMAIN, REFUSED and truncated TXT") {
  DnsServer dnsmasq = start_dnsmasq();
  const std::string servers = server_list(dnsmasq.port);

  for (const ProbeResult& result : testing::run_probe("{type: dns, servers: " + servers +
                                                      ", query: 'web.cluster.local.', transports: [udp, tcp]}")) {
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::ok);
  }
  for (const ProbeResult& result : testing::run_probe("{type: dns, servers: " + servers +
                                                      ", query: 'nope.cluster.local.', transports: [udp, tcp]}")) {
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::nxdomain);
  }

  const auto big = testing::run_probe("{type: dns, servers: " + servers +
                                      ", query: 'big.cluster.local.', record: TXT, transports: [udp, tcp]}");
  REQUIRE(big.size() == 2);
  CAPTURE(big[0].detail);
  CAPTURE(big[1].detail);
  CHECK(big[0].outcome == Outcome::ok);
  CHECK(big[0].detail.find("truncated") != std::string::npos);
  CHECK(big[1].outcome == Outcome::ok);
  CHECK(big[1].detail.find("NOERROR, 20 answers") != std::string::npos);

  // dnsmasq has no upstream here (--no-resolv, no --server): a name outside
  // its zone is REFUSED, the "wrong server" case.
  const ProbeResult refused = testing::run_single("{type: dns, servers: " + servers + ", query: 'app.corp.example.'}");
  CAPTURE(refused.detail);
  CHECK(refused.outcome == Outcome::dns_refused);
}

TEST_CASE("dns against dnsmasq: NOERROR without the asked record (NODATA) is said, and fails with expect_answers") {
  DnsServer dnsmasq = start_dnsmasq();
  const std::string servers = server_list(dnsmasq.port);
  // web.cluster.local has an A record and no AAAA.
  for (const ProbeResult& result : testing::run_probe("{type: dns, servers: " + servers +
                                                      ", query: 'web.cluster.local.', record: AAAA, transports: [udp, tcp]}")) {
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::ok);
    CHECK(result.detail.find("NOERROR, no AAAA record (NODATA") != std::string::npos);
  }
  for (const ProbeResult& result :
       testing::run_probe("{type: dns, servers: " + servers +
                          ", query: 'web.cluster.local.', record: AAAA, transports: [udp, tcp], expect_answers: true}")) {
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::dns_error);
    CHECK(result.detail.find("NOERROR, no AAAA record (NODATA") != std::string::npos);
    CHECK(result.detail.find("expected an answer (expect_answers)") != std::string::npos);
  }
  const ProbeResult a = testing::run_single("{type: dns, servers: " + servers +
                                            ", query: 'web.cluster.local.', expect_answers: true}");
  CAPTURE(a.detail);
  CHECK(a.outcome == Outcome::ok);
  CHECK(a.detail.find("NOERROR, 1 answer") != std::string::npos);
  // NXDOMAIN stays itself under expect_answers.
  CHECK(testing::run_single("{type: dns, servers: " + servers + ", query: 'nope.cluster.local.', record: AAAA, "
                            "expect_answers: true}").outcome == Outcome::nxdomain);
}

TEST_CASE("dns: a server whose ACL refuses us is dns_refused") {
  DnsServer unbound = start_unbound(Acl::refuse);
  for (const ProbeResult& result : testing::run_probe("{type: dns, servers: " + server_list(unbound.port) +
                                                      ", query: 'web.cluster.local.', transports: [udp, tcp]}")) {
    CAPTURE(result.detail);
    CHECK(result.outcome == Outcome::dns_refused);
    // unbound refuses with a bare header, which c-ares alone would drop and time out on.
    CHECK(result.detail.find("REFUSED, a bare header without the question (ARES_EREFUSED)") != std::string::npos);
    CHECK(result.duration_seconds < 1.0);
  }
  // The same server resolving a tcp target's host name: refused at once, not a 2 s timeout.
  const auto started = std::chrono::steady_clock::now();
  const HostAddresses refused = resolve("web.cluster.local.", unbound.port);
  CAPTURE(refused.error);
  CHECK(refused.addresses.empty());
  CHECK(refused.error.find("ARES_EREFUSED") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("dns: nothing listening is refused, a blackhole is a timeout within the timeout") {
  SUBCASE("closed port") {
    const std::uint16_t closed = testing::free_port();
    for (const ProbeResult& result : testing::run_probe("{type: dns, servers: " + server_list(closed) +
                                                        ", query: 'web.cluster.local.', transports: [udp, tcp]}")) {
      CAPTURE(result.detail);
      CHECK(result.outcome == Outcome::refused);
      CHECK(result.detail.find("ARES_ECONNREFUSED") != std::string::npos);
      CHECK(result.duration_seconds < 1.0);
    }
  }
  SUBCASE("blackhole") {
    testing::Blackhole blackhole;
    const auto results = testing::run_probe("{type: dns, servers: " + server_list(blackhole.port()) +
                                            ", query: 'web.cluster.local.', transports: [udp, tcp], timeout: 500ms}");
    REQUIRE(results.size() == 2);
    for (const ProbeResult& result : results) {
      CAPTURE(result.detail);
      CHECK(result.outcome == Outcome::timeout);
      CHECK(result.duration_seconds >= 0.45);
      CHECK(result.duration_seconds < 0.5 + 0.3);
    }
    CHECK(results[0].detail == "no response from 127.0.0.1:" + std::to_string(blackhole.port()) +
                                   " within 500ms (A web.cluster.local. via udp, ARES_ETIMEOUT)");
  }
}

TEST_CASE("dns: a query abandoned in flight leaves no watcher, timer or callback behind") {
  namespace asio = boost::asio;
  using namespace asio::experimental::awaitable_operators;
  testing::Blackhole blackhole;
  const Endpoint server{"127.0.0.1", blackhole.port()};
  const std::string name = "web.cluster.local.";

  SUBCASE("cancelled by a race it loses") {
    asio::io_context io;
    bool timer_won = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
          auto winner = co_await (dns_query(server, DnsTransport::udp, name, kTypeA, 5s) ||
                                  timer.async_wait(asio::use_awaitable));
          timer_won = winner.index() == 1;
        },
        asio::detached);
    const auto start = std::chrono::steady_clock::now();
    io.run();  // returns only once nothing of the query is pending any more
    CHECK(timer_won);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
  }

  SUBCASE("destroyed with its io_context") {
    {
      asio::io_context io;
      asio::co_spawn(
          io, [&]() -> asio::awaitable<void> { co_await dns_query(server, DnsTransport::tcp, name, kTypeA, 5s); },
          asio::detached);
      asio::co_spawn(
          io, [&]() -> asio::awaitable<void> { co_await dns_query(server, DnsTransport::udp, name, kTypeA, 5s); },
          asio::detached);
      io.run_for(100ms);
      CHECK_FALSE(io.stopped());  // both queries are still waiting
    }  // the frames and their channels go here; c-ares must not call back into them
    // A fresh query afterwards works as before.
    const DnsAnswer answer = query(blackhole.port(), DnsTransport::udp, name, 200ms);
    CHECK(answer.exchange == DnsExchange::timeout);
  }
}
