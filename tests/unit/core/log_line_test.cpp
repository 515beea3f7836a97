#include "core/log_line.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("a log line is one JSON object with time, level and msg first") {
  const auto time = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'795'687'200'123}};
  const std::string line = format_log_line(time, LogLevel::warn, "probe failed", {{"probe", "kube-dns"}, {"n", 3}});
  CHECK(line == R"({"time":"2026-11-26T10:00:00.123Z","level":"warn","msg":"probe failed","n":3,"probe":"kube-dns"})");
  CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("invalid UTF-8 from a server does not break the line") {
  const std::string line = format_log_line({}, LogLevel::info, "x", {{"detail", std::string("bad \xff byte")}});
  CHECK(nlohmann::json::parse(line)["detail"].get<std::string>().find("bad") == 0);
}

TEST_CASE("log levels") {
  CHECK(parse_log_level("debug") == LogLevel::debug);
  CHECK_FALSE(parse_log_level("verbose"));
  CHECK(to_string(LogLevel::error) == "error");
}
