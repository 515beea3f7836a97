#include "fanout.hpp"

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/json_input.hpp"
#include "core/probe_json.hpp"
#include "io/http_client.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;

asio::awaitable<AdhocAnswer> ask_agent(FanoutTarget target, const std::string& body, const std::string& token,
                                       std::chrono::steady_clock::time_point deadline) {
  if (!target.unusable.empty()) co_return AdhocAnswer{target.node, {}, target.unusable};
  const auto endpoint = parse_endpoint(target.address);
  if (!endpoint) {
    co_return AdhocAnswer{target.node, {}, "the agent reported no usable address (\"" + target.address + "\")"};
  }
  ClientRequest request;
  request.host = endpoint->host;
  request.port = endpoint->port;
  request.method = "POST";
  request.target = "/api/v1/probe";
  request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  request.body = body;
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
  struct Batch {
    std::string body;
    std::string token;
    std::vector<AdhocAnswer> answers;
    std::size_t remaining = 0;
    std::unique_ptr<asio::steady_timer> done;  // cancelled by the last answer
  };
  auto executor = co_await asio::this_coro::executor;
  auto batch = std::make_shared<Batch>();
  batch->body = nlohmann::ordered_json{{"probe", to_json(spec)}}.dump();
  batch->token = std::move(agent_token);
  batch->answers.resize(targets.size());
  batch->remaining = targets.size();
  batch->done = std::make_unique<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    asio::co_spawn(
        executor,
        [batch, i, deadline, target = std::move(targets[i])]() mutable -> asio::awaitable<void> {
          batch->answers[i] = co_await ask_agent(std::move(target), batch->body, batch->token, deadline);
          if (--batch->remaining == 0) batch->done->cancel();
        },
        asio::detached);
  }
  while (batch->remaining > 0) co_await batch->done->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return std::move(batch->answers);
}

}  // namespace netprobe
