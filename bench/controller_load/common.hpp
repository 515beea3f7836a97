#pragma once
// What every part of controller-load shares: its options, clocks and small
// helpers. Everything lives in netprobe::bench.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/duration.hpp"

namespace netprobe::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
inline constexpr auto kRequestTimeout = std::chrono::seconds{5};  // as netprobe-agent's reporter

inline double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
inline double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Options {
  std::string controller;  // 127.x.y.z:port
  int controller_pid = 0;
  std::string agent_token;
  std::string api_token;
  std::size_t agents = 5000;
  std::size_t results = 30;
  Millis interval{10'000};
  Millis duration{60'000};
  std::size_t listening = 1000;
  std::uint16_t agent_port = 0;  // 0: pick one free on every listening address
  Millis adhoc_timeout{2'000};
  Millis agent_delay{20};  // how long a synthetic agent takes to "run" an ad hoc probe
  std::size_t keepalive = 0;  // 0: a fresh connection per report, as netprobe-agent does
  Millis scrape_interval{15'000};
  int metrics_gets = 5;
  std::size_t scrape_targets = 1000;
  bool fanout_all = true;
};


// Network safety: the controller and every synthetic agent are on 127.0.0.0/8.
inline bool is_loopback_v4(const std::string& host) {
  boost::system::error_code error;
  const auto address = asio::ip::make_address_v4(host, error);
  return !error && (address.to_uint() >> 24) == 127;
}

}  // namespace netprobe::bench
