#include "core/result.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace netprobe;

TEST_CASE("result wire format matches README.md") {
  ProbeResult result;
  result.probe = "kube-dns";
  result.type = ProbeType::dns;
  result.target = "127.0.0.1:53";
  result.transport = "udp";
  result.node = "node-a";
  result.ns = "monitoring";
  result.outcome = Outcome::timeout;
  result.duration_seconds = 2.0;
  result.detail = "no response";
  result.time = std::chrono::system_clock::time_point{std::chrono::seconds{1795687200}};
  const nlohmann::ordered_json json = to_json(result);
  CHECK(json["probe"] == "kube-dns");
  CHECK(json["type"] == "dns");
  CHECK(json["namespace"] == "monitoring");
  CHECK(json["outcome"] == "timeout");
  CHECK(json["expect"] == "allow");
  CHECK(json["success"] == false);
  CHECK(json["duration_seconds"] == 2.0);
  CHECK(json["time"] == "2026-11-26T10:00:00Z");
  CHECK(json.size() == 12);
  CHECK(json.begin().key() == "probe");
}
