#include "fanout.hpp"

#include <memory>

#include <nlohmann/json.hpp>

#include "core/json_input.hpp"
#include "core/probe_json.hpp"
#include "io/gather.hpp"
#include "io/http_client.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;

constexpr std::chrono::seconds kBackstopSlack{1};

// By value: the coroutine keeps what it needs in its own frame.
asio::awaitable<AdhocAnswer> ask_agent(FanoutTarget target, std::shared_ptr<const std::string> body,
                                       std::shared_ptr<const std::string> token,
                                       std::chrono::steady_clock::time_point deadline) {
  if (!target.unusable.empty()) co_return AdhocAnswer{target.node, {}, target.unusable};
  const auto endpoint = parse_endpoint(target.address);
  if (!endpoint) {
    co_return AdhocAnswer{target.node, {}, "the agent reported no usable address (\"" + target.address + "\")"};
  }
  ClientRequest request = request_to(*endpoint, "POST", "/api/v1/probe");
  add_bearer_token(request, *token);
  set_json_body(request, *body);
  ClientOptions options;
  options.deadline = deadline;
  options.body_limit = 1 << 20;
  const ClientExchange exchange = co_await http_exchange(request, options);
  if (!exchange.answered()) co_return AdhocAnswer{target.node, {}, describe_failure(request, exchange)};
  co_return read_agent_answer(target.node, exchange.reply.status, exchange.reply.body);
}

}  // namespace

AdhocAnswer read_agent_answer(const std::string& node, int status, const std::string& body) {
  AdhocAnswer answer;
  answer.node = node;
  if (status != 200) {
    answer.unreachable_reason = "agent answered " + std::to_string(status) + ": " + body.substr(0, 200);
    return answer;
  }
  try {
    const auto reply = parse_json_input(body);
    const auto& results = reply.at("results");
    if (!results.is_array() || results.size() > kMaxResultsPerReport) throw std::runtime_error("results: expected a list");
    for (std::size_t i = 0; i < results.size(); ++i) {
      ProbeResult result = parse_result(results[i], "results[" + std::to_string(i) + "]");
      result.node = node;  // the controller's name for it, whatever the agent wrote
      answer.results.push_back(std::move(result));
    }
    if (answer.results.empty()) answer.unreachable_reason = "agent sent no results";
  } catch (const std::exception& error) {
    answer.results.clear();
    answer.unreachable_reason = std::string("agent sent a malformed answer: ") + error.what();
  }
  return answer;
}

asio::awaitable<std::vector<AdhocAnswer>> fan_out(const ProbeSpec& spec, std::vector<FanoutTarget> targets,
                                                  std::string agent_token,
                                                  std::chrono::steady_clock::time_point deadline) {
  // Shared by every request; each ask ends by the deadline and answers for its
  // node. gather's own deadline, a little later, is the backstop should an ask
  // ever not: its node then reads as unreachable (see the loop below).
  const auto body = std::make_shared<const std::string>(nlohmann::ordered_json{{"probe", to_json(spec)}}.dump());
  const auto token = std::make_shared<const std::string>(std::move(agent_token));
  std::vector<asio::awaitable<AdhocAnswer>> asks;
  asks.reserve(targets.size());
  std::vector<std::string> nodes;
  nodes.reserve(targets.size());
  for (FanoutTarget& target : targets) nodes.push_back(target.node);
  for (FanoutTarget& target : targets) asks.push_back(ask_agent(std::move(target), body, token, deadline));
  std::vector<AdhocAnswer> answers = co_await gather(std::move(asks), deadline + kBackstopSlack);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].node.empty()) continue;
    answers[i].node = nodes[i];
    answers[i].unreachable_reason = "the agent did not answer by the deadline";
  }
  co_return answers;
}

}  // namespace netprobe
