// metadata prober against the metadata stand-in on 127.0.0.1, never the real
// metadata address: tests stay on loopback.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "support/loopback_server.hpp"
#include "support/process.hpp"
#include "support/run_probe.hpp"

using namespace netprobe;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// bin/metadata-standin on a free loopback port, its stderr kept in a log.
struct Standin {
  std::string dir = testing::make_temp_dir("netprobe-metadata");
  std::string log = dir + "/standin.log";
  std::uint16_t port = testing::free_port();
  std::unique_ptr<testing::ChildProcess> process;

  explicit Standin(const std::vector<std::string>& options = {}) {
    std::vector<std::string> argv{testing::binary_dir() + "/metadata-standin", "--listen",
                                  "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), options.begin(), options.end());
    process = std::make_unique<testing::ChildProcess>(argv, log);
    REQUIRE_MESSAGE(testing::wait_for_tcp_port(port), testing::read_file(log));
  }
  ~Standin() {
    process.reset();
    std::filesystem::remove_all(dir);
  }
  Standin(const Standin&) = delete;
  Standin& operator=(const Standin&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  std::string probe(const std::string& flavor, const std::string& extra = "") const {
    return "{type: metadata, address: '" + address() + "', flavor: " + flavor + extra + "}";
  }
  // The requests it answered, one JSON line each: {"method":…,"target":…,"status":…}.
  std::vector<std::string> requests() const {
    std::vector<std::string> lines;
    std::istringstream text(testing::read_file(log));
    for (std::string line; std::getline(text, line);) {
      if (line.find("\"method\"") != std::string::npos) lines.push_back(line);
    }
    return lines;
  }
};

}  // namespace

TEST_CASE("metadata: tcp flavor connects only") {
  Standin standin;
  const ProbeResult result = testing::run_single(standin.probe("tcp"));
  CHECK(result.outcome == Outcome::ok);
  CHECK(result.transport == "tcp");
  CHECK(result.target == standin.address());
  CHECK(standin.requests().empty());
}

TEST_CASE("metadata: aws flavor takes an IMDSv2 token, reads the instance id, nothing else") {
  Standin standin;
  const ProbeResult result = testing::run_single(standin.probe("aws"));
  CHECK(result.outcome == Outcome::ok);
  CHECK(result.success);
  CHECK(result.transport == "http");
  // Exactly this: the token never shows in the detail.
  CHECK(result.detail == "GET http://" + standin.address() + "/latest/meta-data/instance-id: 200 OK");
  const std::vector<std::string> requests = standin.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0] == R"({"method":"PUT","target":"/latest/api/token","status":200})");
  CHECK(requests[1] == R"({"method":"GET","target":"/latest/meta-data/instance-id","status":200})");
}

TEST_CASE("metadata: gcp flavor sends Metadata-Flavor: Google") {
  Standin standin;
  const ProbeResult result = testing::run_single(standin.probe("gcp"));
  CHECK(result.outcome == Outcome::ok);
  CHECK(result.detail == "GET http://" + standin.address() + "/computeMetadata/v1/instance/id: 200 OK");
  const std::vector<std::string> requests = standin.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0] == R"({"method":"GET","target":"/computeMetadata/v1/instance/id","status":200})");
}

TEST_CASE("metadata: azure flavor sends Metadata: true and an api-version") {
  Standin standin;
  const ProbeResult result = testing::run_single(standin.probe("azure"));
  CHECK(result.outcome == Outcome::ok);
  const std::vector<std::string> requests = standin.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0] ==
        R"({"method":"GET","target":"/metadata/instance/compute/vmId?api-version=2021-02-01&format=text","status":200})");
}

TEST_CASE("metadata: aws token PUT unanswered after a good connect is token_timeout") {
  Standin standin({"--hang-token"});
  const ProbeResult result = testing::run_single(standin.probe("aws", ", timeout: 500ms"));
  CHECK(result.outcome == Outcome::token_timeout);
  CHECK_FALSE(result.success);
  CHECK(result.duration_seconds >= 0.45);
  CHECK(result.duration_seconds < 1.5);
  INFO(result.detail);
  CHECK(result.detail.rfind("PUT http://" + standin.address() + "/latest/api/token: no response within 500ms", 0) == 0);
  CHECK(result.detail.find("hop limit") != std::string::npos);
}

TEST_CASE("metadata: a slow token within the timeout is still ok") {
  Standin standin({"--token-delay", "200"});
  const ProbeResult result = testing::run_single(standin.probe("aws", ", timeout: 2s"));
  CHECK(result.outcome == Outcome::ok);
  CHECK(result.duration_seconds >= 0.19);
}

TEST_CASE("metadata: nothing listening is refused, for every flavor") {
  const std::string address = "127.0.0.1:" + std::to_string(testing::free_port());
  for (const char* flavor : {"tcp", "aws", "gcp", "azure"}) {
    CAPTURE(flavor);
    const ProbeResult result =
        testing::run_single("{type: metadata, address: '" + address + "', flavor: " + flavor + "}");
    CHECK(result.outcome == Outcome::refused);
    CHECK(result.detail == "connect to " + address + ": Connection refused");
  }
}

TEST_CASE("metadata: a web server that 404s the metadata path is http_status") {
  testing::LoopbackServer server(testing::answer_with(boost::beast::http::status::not_found));
  const ProbeResult result = testing::run_single("{type: metadata, address: '" + server.address() + "', flavor: gcp}");
  CHECK(result.outcome == Outcome::http_status);
  CHECK(result.detail == "GET http://" + server.address() + "/computeMetadata/v1/instance/id: 404 Not Found");
}

TEST_CASE("metadata: --token-reply-ttl alone changes nothing on loopback (no router hop to expire at)") {
  Standin standin({"--token-reply-ttl", "1"});
  const ProbeResult result = testing::run_single(standin.probe("aws"));
  CHECK(result.outcome == Outcome::ok);
}
