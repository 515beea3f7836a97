#pragma once
// Ad hoc fan-out: the same probe sent to many agents at once, every answer
// (or the reason there is none) back by one deadline.
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "controller/api.hpp"

namespace netprobe {

struct FanoutTarget {
  std::string node;
  std::string address;   // the agent's API, "IP:port", as it reported it (checked then)
  std::string unusable;  // set instead when the node must not be asked, and why
};

// Answers in the order of `targets`; agents that fail or miss `deadline` are unreachable.
boost::asio::awaitable<std::vector<AdhocAnswer>> fan_out(const ProbeSpec& spec, std::vector<FanoutTarget> targets,
                                                         std::string agent_token,
                                                         std::chrono::steady_clock::time_point deadline);

// Pure: what one agent's reply to POST /api/v1/probe means.
AdhocAnswer read_agent_answer(const std::string& node, int status, const std::string& body);

}  // namespace netprobe
