#include "cli/controller_call.hpp"

#include <chrono>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "core/json_input.hpp"
#include "core/terminal_text.hpp"
#include "io/http_client.hpp"

namespace netprobe::cli {
namespace {

// What a 4xx/5xx says, from {"error": {"code", "message"}} when it is that shape, else its start.
std::string error_of(const ControllerAnswer& answer, const std::string& raw) {
  if (answer.body.is_object() && answer.body.contains("error") && answer.body["error"].is_object()) {
    const nlohmann::json& error = answer.body["error"];
    const std::string code = error.contains("code") && error["code"].is_string() ? error["code"].get<std::string>() : "";
    const std::string message =
        error.contains("message") && error["message"].is_string() ? error["message"].get<std::string>() : "";
    return terminal_safe(code + (code.empty() || message.empty() ? "" : ": ") + message);
  }
  return terminal_safe(raw.substr(0, 512));
}

}  // namespace

std::optional<ControllerAnswer> call_controller(const HttpUrl& base, const ControllerCall& call) {
  ClientRequest request = request_under(base, call.method, call.path);
  if (!call.token.empty()) add_bearer_token(request, call.token);
  if (!call.body.empty()) set_json_body(request, call.body);
  ClientOptions options;
  options.deadline = std::chrono::steady_clock::now() + call.timeout;
  options.budget = call.timeout;
  options.body_limit = 64 << 20;
  ClientExchange exchange;
  boost::asio::io_context io(1);
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { exchange = co_await http_exchange(request, options); },
      boost::asio::detached);
  io.run();
  if (!exchange.answered()) {
    std::cerr << call.command << ": " << describe_failure(request, exchange) << "\n";
    return std::nullopt;
  }
  ControllerAnswer answer;
  answer.status = exchange.reply.status;
  try {
    answer.body = parse_json_input(exchange.reply.body);
  } catch (const JsonInputError& error) {
    if (answer.status / 100 == 2) {
      std::cerr << call.command << ": the controller's answer is unusable: " << error.what() << "\n";
      return std::nullopt;
    }
  }
  if (answer.status / 100 != 2) {
    std::cerr << call.command << ": the controller answered " << answer.status << " "
              << error_of(answer, exchange.reply.body) << "\n";
    return answer;
  }
  if (!answer.body.is_object()) {
    std::cerr << call.command << ": the controller's answer is not a JSON object\n";
    return std::nullopt;
  }
  return answer;
}

}  // namespace netprobe::cli
