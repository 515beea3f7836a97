// `netprobe status`: the controller's aggregated picture, as a table or JSON.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/json_input.hpp"
#include "core/json_text.hpp"
#include "core/terminal_text.hpp"
#include "core/url.hpp"
#include "io/http_client.hpp"

namespace netprobe::cli {
namespace {

namespace po = boost::program_options;

// A string field of a controller answer, safe to print (core/terminal_text.hpp).
std::string text(const nlohmann::json& object, const char* key, const char* otherwise = "") {
  return terminal_safe(object.value(key, otherwise));
}

// "denied (egress): egress of … is isolated by …" from a target's policy
// summary, or "" when it has none (or it is not what the controller writes).
std::string policy_line(const nlohmann::json& target) {
  const auto policy = target.find("policy");
  if (policy == target.end() || !policy->is_object()) return "";
  const auto string_at = [&](const char* key) {
    const auto found = policy->find(key);
    return found != policy->end() && found->is_string() ? terminal_safe(found->get<std::string>()) : std::string();
  };
  const std::string verdict = string_at("verdict");
  if (verdict.empty()) return "";
  const std::string direction = string_at("direction");
  return verdict + (direction.empty() ? "" : " (" + direction + ")") + ": " + string_at("reason");
}

void print_table(const nlohmann::json& status) {
  std::cout << std::left << std::setw(18) << "PROBE" << std::setw(36) << "TARGET" << std::setw(10) << "TRANSPORT"
            << std::setw(7) << "NODES" << std::setw(8) << "FAILING" << "FAILING NODES\n";
  for (const auto& target : status.value("targets", nlohmann::json::array())) {
    std::string failing;
    for (const auto& node : target.value("failing", nlohmann::json::array())) {
      failing += (failing.empty() ? "" : ", ") + text(node, "node", "?") + " (" + text(node, "outcome", "?") + ")";
    }
    std::cout << std::setw(18) << text(target, "probe") << std::setw(36) << text(target, "target")
              << std::setw(10) << text(target, "transport") << std::setw(7) << target.value("nodes", 0)
              << std::setw(8) << target.value("failing_nodes", 0) << failing << "\n";
    if (const std::string policy = policy_line(target); !policy.empty()) {
      std::cout << std::string(18, ' ') << "policy: " << policy << "\n";
    }
  }
  std::size_t reporting = 0;
  std::string stale;
  for (const auto& agent : status.value("agents", nlohmann::json::array())) {
    if (agent.value("state", "") == "reporting") {
      ++reporting;
    } else {
      stale += (stale.empty() ? "" : ", ") + text(agent, "node", "?");
    }
  }
  std::cout << "\nagents: " << reporting << " reporting" << (stale.empty() ? "" : ", stale: " + stale) << "\n";
}

void print_findings(const nlohmann::json& answer) {
  if (!answer.value("enabled", false)) {
    std::cout << "policy analysis is off (controller config: policy_analysis.paths)\n";
    return;
  }
  std::cout << std::left << std::setw(9) << "SEVERITY" << std::setw(26) << "CHECK" << std::setw(16) << "NAMESPACE"
            << std::setw(24) << "POLICY" << "FINDING\n";
  for (const auto& finding : answer.value("findings", nlohmann::json::array())) {
    std::cout << std::setw(9) << text(finding, "severity") << std::setw(26) << text(finding, "check")
              << std::setw(16) << text(finding, "namespace") << std::setw(24) << text(finding, "policy")
              << text(finding, "message") << "\n";
    if (const std::string hint = text(finding, "hint"); !hint.empty()) {
      std::cout << std::string(75, ' ') << "hint: " << hint << "\n";
    }
  }
  const auto text_or = [&](const char* key, const char* otherwise) {
    return answer.contains(key) && answer[key].is_string() ? terminal_safe(answer[key].get<std::string>())
                                                           : std::string(otherwise);
  };
  std::cout << "\nanalysed: " << text_or("analysed_at", "not yet");
  if (answer.contains("error") && answer["error"].is_string()) std::cout << "; last attempt failed: " << text_or("error", "");
  std::cout << "\n";
}

// GET base URL + path; the JSON object answered, or nullopt with the reason printed.
std::optional<nlohmann::json> fetch(const HttpUrl& url, const std::string& path, Millis timeout) {
  const ClientRequest request = request_under(url, "GET", path);
  ClientOptions options;
  options.deadline = std::chrono::steady_clock::now() + timeout;
  options.budget = timeout;
  options.body_limit = 64 << 20;
  ClientExchange exchange;
  boost::asio::io_context io(1);
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { exchange = co_await http_exchange(request, options); },
      boost::asio::detached);
  io.run();
  if (!exchange.answered()) {
    std::cerr << "netprobe status: " << describe_failure(request, exchange) << "\n";
    return std::nullopt;
  }
  if (exchange.reply.status != 200) {
    std::cerr << "netprobe status: the controller answered " << exchange.reply.status << ": "
              << terminal_safe(exchange.reply.body.substr(0, 512)) << "\n";
    return std::nullopt;
  }
  try {
    auto answer = parse_json_input(exchange.reply.body);
    if (answer.is_object()) return answer;
  } catch (const JsonInputError& error) {
    std::cerr << "netprobe status: the controller's answer is unusable: " << error.what() << "\n";
    return std::nullopt;
  }
  std::cerr << "netprobe status: the controller's answer is not a JSON object\n";
  return std::nullopt;
}

}  // namespace

int status_command(const std::vector<std::string>& args) {
  po::options_description flags("usage: netprobe status [--controller URL] [--findings] [--json]\n\nOptions");
  flags.add_options()
      ("help,h", "print this help")
      ("controller", po::value<std::string>()->default_value("http://127.0.0.1:9742"), "controller base URL")
      ("timeout", po::value<std::string>()->default_value("5s"), "deadline for the request")
      ("findings", "the NetworkPolicy findings of the controller's policy analysis instead of the targets")
      ("json", "print the controller's JSON as it came");
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(args).options(flags).run(), vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << "netprobe status: " << error.what() << "\nTry 'netprobe status --help'.\n";
    return 2;
  }
  if (vars.count("help")) {
    std::cout << flags << "\nExit codes: 0 nothing failing (with --findings: no error finding), 1 some target failing"
                          " (an error finding) or the controller unreachable, 2 usage error.\n";
    return 0;
  }
  UrlError url_error;
  const auto url = parse_http_url(vars["controller"].as<std::string>(), &url_error);
  if (!url) {
    std::cerr << "netprobe status: --controller: " << url_error.message << "\n";
    return 2;
  }
  const auto timeout = parse_duration(vars["timeout"].as<std::string>());
  if (!timeout) {
    std::cerr << "netprobe status: --timeout: expected a duration such as 5s\n";
    return 2;
  }

  if (vars.count("findings")) {
    const auto answer = fetch(*url, "/api/v1/findings", *timeout);
    if (!answer) return 1;
    if (vars.count("json")) {
      std::cout << json_text(*answer, 2) << "\n";
    } else {
      print_findings(*answer);
    }
    for (const auto& finding : answer->value("findings", nlohmann::json::array())) {
      if (finding.value("severity", "") == "error") return 1;
    }
    return 0;
  }
  const auto answer = fetch(*url, "/api/v1/status", *timeout);
  if (!answer) return 1;
  const nlohmann::json& status = *answer;
  if (vars.count("json")) {
    std::cout << json_text(status, 2) << "\n";
  } else {
    print_table(status);
  }
  for (const auto& target : status.value("targets", nlohmann::json::array())) {
    if (target.value("failing_nodes", 0) > 0) return 1;
  }
  return 0;
}

}  // namespace netprobe::cli
