// `netprobe status`: the controller's aggregated picture, as a table or JSON.
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/controller_call.hpp"
#include "core/fleet_status.hpp"
#include "core/json_text.hpp"
#include "core/terminal_text.hpp"
#include "core/url.hpp"

namespace netprobe::cli {
namespace {

namespace po = boost::program_options;

// A string field of a controller answer, safe to print (core/terminal_text.hpp).
std::string text(const nlohmann::json& object, const char* key, const char* otherwise = "") {
  return terminal_safe(object.value(key, otherwise));
}

// Failing nodes named on a target's line, and stale agents or nodes without one, before "and N more".
constexpr std::size_t kNamesShown = 10;

struct TableFilter {
  std::string probe;          // --probe: only this probe's targets
  bool failing_only = false;  // --failing
};

bool shown(const FleetTarget& target, const TableFilter& filter) {
  return (filter.probe.empty() || target.probe == filter.probe) && (!filter.failing_only || !target.failing.empty());
}

void print_table(const FleetStatus& status, const TableFilter& filter) {
  std::cout << std::left << std::setw(18) << "PROBE" << std::setw(36) << "TARGET" << std::setw(10) << "TRANSPORT"
            << std::setw(7) << "NODES" << std::setw(8) << "FAILING" << "FAILING NODES\n";
  for (const FleetTarget& target : status.targets) {
    if (!shown(target, filter)) continue;
    std::cout << std::setw(18) << target.probe << std::setw(36) << target.target << std::setw(10) << target.transport
              << std::setw(7) << target.nodes << std::setw(8) << target.failing.size()
              << cut_list(target.failing, kNamesShown) << "\n";
    if (!target.policy.empty()) std::cout << std::string(18, ' ') << "policy: " << target.policy << "\n";
  }
  std::cout << "\nagents: " << status.reporting << " reporting";
  if (!status.stale.empty()) std::cout << ", " << status.stale.size() << " stale: " << cut_list(status.stale, kNamesShown);
  std::cout << "\n";
  if (!status.nodes_without_agent.empty()) {
    std::cout << "nodes without an agent: " << status.nodes_without_agent.size() << ": "
              << cut_list(status.nodes_without_agent, kNamesShown) << "\n";
  }
  if (status.reporting == 0) std::cout << "no agent is reporting: nothing is being checked\n";
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

// Exit statuses (docs: README, "Command line").
constexpr int kHealthy = 0, kFailing = 1, kUsage = 2, kBlind = 3, kUnreachable = 4;

// GET base URL + path; the JSON object answered, or nullopt with the reason printed.
// `not_found` is set when the controller answered 404 (an unknown node).
std::optional<nlohmann::json> fetch(const HttpUrl& url, const std::string& path, Millis timeout, bool* not_found = nullptr) {
  const auto answer = call_controller(url, ControllerCall{"netprobe status", "GET", path, "", "", timeout});
  if (!answer) return std::nullopt;
  if (answer->status == 404 && not_found != nullptr) *not_found = true;
  if (answer->status != 200) return std::nullopt;
  return answer->body;
}

}  // namespace

int status_command(const std::vector<std::string>& args) {
  const char* from_environment = std::getenv("NETPROBE_CONTROLLER");
  const std::string default_controller =
      from_environment != nullptr && *from_environment != '\0' ? from_environment : "http://127.0.0.1:9742";
  po::options_description flags(
      "usage: netprobe status [--controller URL] [--node NAME] [--probe NAME] [--failing] [--json]\n"
      "       netprobe status --findings [--controller URL] [--json]\n\nOptions");
  flags.add_options()
      ("help,h", "print this help")
      ("controller", po::value<std::string>()->default_value(default_controller),
       "controller base URL (default: $NETPROBE_CONTROLLER, else http://127.0.0.1:9742)")
      ("timeout", po::value<std::string>()->default_value("5s"), "deadline for the request")
      ("node", po::value<std::string>(), "the targets as this node's agents see them")
      ("probe", po::value<std::string>(), "only this probe's targets (the exit status too)")
      ("failing", "only the targets failing somewhere")
      ("findings", "the NetworkPolicy findings of the controller's policy analysis instead of the targets")
      ("json", "print the controller's JSON as it came");
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(args).options(flags).run(), vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << "netprobe status: " << error.what() << "\nTry 'netprobe status --help'.\n";
    return kUsage;
  }
  if (vars.count("help")) {
    std::cout << flags
              << "\nExit codes: 0 agents reporting and nothing failing, 1 some target failing (with --findings: an"
                 " error finding), 2 usage error, 3 the controller answers but is blind (no agent reporting, stale"
                 " agents, nodes without an agent; with --node: no agent on that node), 4 the controller cannot be"
                 " reached or its answer is unusable.\n";
    return kHealthy;
  }
  UrlError url_error;
  const auto url = parse_http_url(vars["controller"].as<std::string>(), &url_error);
  if (!url) {
    std::cerr << "netprobe status: --controller: " << url_error.message << "\n";
    return kUsage;
  }
  const auto timeout = parse_duration(vars["timeout"].as<std::string>());
  if (!timeout) {
    std::cerr << "netprobe status: --timeout: expected a duration such as 5s\n";
    return kUsage;
  }
  if (vars.count("findings") && (vars.count("node") || vars.count("probe") || vars.count("failing"))) {
    std::cerr << "netprobe status: --findings lists NetworkPolicy findings; --node, --probe and --failing are for targets\n";
    return kUsage;
  }

  if (vars.count("findings")) {
    const auto answer = fetch(*url, "/api/v1/findings", *timeout);
    if (!answer) return kUnreachable;
    if (vars.count("json")) {
      std::cout << json_text(*answer, 2) << "\n";
    } else {
      print_findings(*answer);
    }
    for (const auto& finding : answer->value("findings", nlohmann::json::array())) {
      if (finding.is_object() && finding.value("severity", "") == "error") return kFailing;
    }
    return kHealthy;
  }
  boost::urls::url path("/api/v1/status");
  if (vars.count("node")) path.params().append({"node", vars["node"].as<std::string>()});
  bool unknown_node = false;
  const auto answer = fetch(*url, std::string(path.buffer()), *timeout, &unknown_node);
  if (!answer) return unknown_node ? kBlind : kUnreachable;
  FleetStatus status = read_fleet_status(*answer);
  const TableFilter filter{vars.count("probe") ? vars["probe"].as<std::string>() : "", vars.count("failing") > 0};
  if (vars.count("json")) {
    std::cout << json_text(*answer, 2) << "\n";
  } else {
    print_table(status, filter);
  }
  std::erase_if(status.targets, [&](const FleetTarget& target) { return !shown(target, filter); });
  switch (fleet_state(status)) {
    case FleetState::healthy: return kHealthy;
    case FleetState::failing: return kFailing;
    case FleetState::blind: return kBlind;
  }
  return kBlind;
}

}  // namespace netprobe::cli
