// `netprobe probe TYPE [TARGET] [flags]`: the flags become a probe document
// (core/probe_flags) that goes through the same validation as the agent's
// config; then the agent's prober runs it here, or, with --all-nodes or
// --nodes, the controller has every agent (or the named ones) run it.
#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/classification.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "agent/probers/run_checks.hpp"
#include "cli/commands.hpp"
#include "cli/controller_call.hpp"
#include "core/fleet_probe.hpp"
#include "core/json_text.hpp"
#include "core/probe_config.hpp"
#include "core/probe_flags.hpp"
#include "core/probe_json.hpp"
#include "core/report.hpp"
#include "io/dns_client.hpp"
#include "io/secrets.hpp"

namespace netprobe::cli {
namespace {

namespace po = boost::program_options;

// Exit statuses (README, "Command line"); 4 as for `netprobe status`.
constexpr int kPassed = 0, kFailed = 1, kUsage = 2, kUnreachable = 4;

std::string default_controller() {
  const char* from_environment = std::getenv("NETPROBE_CONTROLLER");
  return from_environment != nullptr && *from_environment != '\0' ? from_environment : "http://127.0.0.1:9742";
}

std::string default_token_file() {
  const char* from_environment = std::getenv("NETPROBE_API_TOKEN_FILE");
  return from_environment != nullptr ? from_environment : "";
}

// How each type's TARGET is written, in ProbeType order.
constexpr const char* kPositionalShape[] = {"NAME", "HOST:PORT", "URL", "HOST:PORT"};

constexpr const char* kExamples =
    "  netprobe probe dns kubernetes.default.svc.cluster.local --server 127.0.0.1:5353 --transport tcp\n"
    "  netprobe probe tcp 127.0.0.1:8080 --expect deny\n"
    "  netprobe probe http http://127.0.0.1:8080/metrics\n"
    "  netprobe probe metadata 127.0.0.1:8254 --flavor aws\n"
    "  netprobe probe tcp payment.payments.svc.cluster.local:9090 --all-nodes --controller http://127.0.0.1:9742\n";

// Flags of every type that are not probe keys: output and where the probe runs.
po::options_description run_options() {
  po::options_description options("Where it runs and what it prints");
  options.add_options()
      ("help,h", "print this help")
      ("json", "print each result object as JSON, one per line")
      ("all-nodes", "have every reporting agent run it, through the controller")
      ("nodes", po::value<std::string>(), "NODE,NODE…: have these nodes' agents run it, through the controller")
      ("controller", po::value<std::string>(), "controller base URL (default: $NETPROBE_CONTROLLER, else http://127.0.0.1:9742)")
      ("token-file", po::value<std::string>(),
       "file holding the controller's API token (default: $NETPROBE_API_TOKEN_FILE)");
  return options;
}

void add_flags(po::options_description& options, std::span<const ProbeFlag> flags) {
  for (const ProbeFlag& flag : flags) {
    const std::string name(flag.name);
    const std::string help(flag.help);
    if (flag.kind == ProbeFlag::Kind::value) {
      options.add_options()(name.c_str(), po::value<std::string>(), help.c_str());
    } else if (flag.kind == ProbeFlag::Kind::toggle) {
      options.add_options()(name.c_str(), help.c_str());
    } else {
      options.add_options()(name.c_str(), po::value<std::vector<std::string>>(), help.c_str());
    }
  }
}

po::options_description type_options(ProbeType type) {
  po::options_description options(std::string(to_string(type)) + " probe");
  add_flags(options, probe_flags(type));
  add_flags(options, common_probe_flags());
  return options;
}

int print_help() {
  std::cout << "usage: netprobe probe TYPE [TARGET] [options]\n\n";
  for (const auto& entry : kProbeTypes) {
    std::cout << "  " << std::left << std::setw(9) << entry.name << std::setw(9)
              << std::string(positional_flag(entry.value).name) << entry.help << "\n";
  }
  std::cout << "\nTARGET is the first flag of the type: dns --query, tcp --target, http --url, metadata --address.\n"
            << "Each type's flags: netprobe probe TYPE --help\n\n"
            << kExamples << "\n"
            << run_options() << "\nExit codes: 0 every result passed, 1 some failed, 2 usage error, 4 the"
            << " controller could not be reached or its answer is unusable.\n";
  return kPassed;
}

// The (flag, value) pairs in command-line order, the positional TARGET as its flag.
// Throws ProbeFlagError for a flag no type has or one of another type.
std::vector<std::pair<std::string, std::string>> probe_values(ProbeType type, const po::parsed_options& parsed) {
  std::vector<std::pair<std::string, std::string>> values;
  std::size_t positionals = 0;
  for (const po::option& option : parsed.options) {  // a foreign flag first: its value reads as a second TARGET
    if (!option.unregistered) continue;
    std::string name = option.string_key;
    name.erase(0, name.find_first_not_of('-'));
    require_flag_of(type, name);
  }
  for (const po::option& option : parsed.options) {
    if (option.position_key >= 0) {
      if (++positionals > 1) {
        throw ProbeFlagError("one TARGET only, found \"" + option.value.front() + "\" after it");
      }
      values.emplace_back(std::string(positional_flag(type).name), option.value.front());
      continue;
    }
    for (const std::span<const ProbeFlag> flags : {probe_flags(type), common_probe_flags()}) {
      for (const ProbeFlag& flag : flags) {
        if (option.string_key != flag.name) continue;
        if (flag.kind == ProbeFlag::Kind::toggle) values.emplace_back(option.string_key, "true");
        for (const std::string& value : option.value) values.emplace_back(option.string_key, value);
      }
    }
  }
  return values;
}

void print_text(const ProbeResult& result, bool with_node) {
  std::ostringstream duration;
  duration << std::fixed << std::setprecision(1) << result.duration_seconds * 1000 << "ms";
  if (with_node) std::cout << std::left << std::setw(20) << (result.node.empty() ? "?" : result.node) << "  ";
  std::cout << (result.success ? "PASS" : "FAIL") << "  " << to_string(result.outcome) << "  " << result.target << " ("
            << result.transport << ", expect " << to_string(result.expect) << ")  " << duration.str() << "\n      "
            << result.detail << "\n";
  if (!result.success && result.outcome != Outcome::ok) {
    std::cout << "      likely cause: " << likely_cause(result.outcome) << "\n";
  }
}

void print_result(const ProbeResult& result, bool json, bool with_node) {
  if (json) {
    std::cout << json_text(to_json(result)) << "\n";
  } else {
    print_text(result, with_node);
  }
}

// Which nodes run it, when the controller is asked.
struct FleetRequest {
  bool all = false;
  std::vector<std::string> nodes;
};

int run_on_fleet(const ProbeSpec& spec, const FleetRequest& fleet, const po::variables_map& vars) {
  UrlError url_error;
  const std::string controller = vars.count("controller") ? vars["controller"].as<std::string>() : default_controller();
  const auto url = parse_http_url(controller, &url_error);
  if (!url) {
    std::cerr << "netprobe probe: --controller: " << url_error.message << "\n";
    return kUsage;
  }
  const std::string token_file = vars.count("token-file") ? vars["token-file"].as<std::string>() : default_token_file();
  if (token_file.empty()) {
    std::cerr << "netprobe probe: the controller wants its API token: pass --token-file FILE or set "
                 "$NETPROBE_API_TOKEN_FILE\n";
    return kUsage;
  }
  std::string token;
  try {
    token = read_token_file(token_file);
  } catch (const std::exception& error) {
    std::cerr << "netprobe probe: --token-file: " << error.what() << "\n";
    return kUsage;
  }
  nlohmann::ordered_json probe = to_json(spec);
  probe.erase("interval");  // it runs once
  nlohmann::ordered_json body{{"probe", probe}};
  if (fleet.all) {
    body["all"] = true;
  } else {
    body["nodes"] = fleet.nodes;
  }
  // The controller answers within the probe's timeout + 1 s (docs/api.md).
  const Millis timeout = spec.timeout + Millis{3'000};
  const auto answer = call_controller(*url, ControllerCall{"netprobe probe", "POST", "/api/v1/probes", json_text(body),
                                                           token, timeout});
  if (!answer) return kUnreachable;
  if (answer->status != 200) return answer->status / 100 == 4 ? kUsage : kUnreachable;
  std::vector<FleetProbeLine> lines;
  try {
    lines = read_fleet_probe_answer(answer->body);
  } catch (const FieldError& error) {
    std::cerr << "netprobe probe: the controller's answer is unusable: " << error.what() << "\n";
    return kUnreachable;
  }
  const bool json = vars.count("json") > 0;
  for (const FleetProbeLine& line : lines) {
    if (line.result) {
      print_result(*line.result, json, true);
    } else if (json) {
      std::cout << json_text(nlohmann::ordered_json{{"node", line.node}, {"outcome", "agent_unreachable"},
                                                    {"success", false}, {"detail", line.unreachable}})
                << "\n";
    } else {
      std::cout << std::left << std::setw(20) << line.node << "  FAIL  agent_unreachable\n      " << line.unreachable
                << "\n";
    }
  }
  if (!json) std::cout << fleet_probe_summary(lines) << "\n";
  const bool all_passed = std::all_of(lines.begin(), lines.end(), [](const FleetProbeLine& line) { return line.passed(); });
  return all_passed ? kPassed : kFailed;
}

int run_here(const ProbeSpec& spec, const po::variables_map& vars) {
  ProbeEnv env;
  if (vars.count("resolver")) {
    for (const std::string& text : vars["resolver"].as<std::vector<std::string>>()) {
      auto server = parse_endpoint(text, 53);
      if (!server) {
        std::cerr << "netprobe probe: --resolver: invalid address \"" << text << "\" (expected IP[:port])\n";
        return kUsage;
      }
      env.resolver_servers.push_back(*server);
    }
  }
  if (vars.count("ca-file")) {
    for (const std::string& file : vars["ca-file"].as<std::vector<std::string>>()) {
      try {
        env.add_ca_file(file);
      } catch (const std::exception& error) {
        std::cerr << "netprobe probe: --ca-file: " << error.what() << "\n";
        return kUsage;
      }
    }
  }
  const std::vector<Check> checks = expand_checks(std::make_shared<const ProbeSpec>(spec), system_nameservers());
  if (checks.empty()) {
    std::cerr << "netprobe probe: no DNS server to ask: /etc/resolv.conf lists none; pass --server\n";
    return kUsage;
  }
  const char* node = std::getenv("NODE_NAME");
  const char* ns = std::getenv("POD_NAMESPACE");
  const Identity identity{node != nullptr ? node : "", ns != nullptr ? ns : ""};
  bool all_passed = true;
  for (const ProbeResult& result : run_checks_blocking(checks, env, identity)) {
    print_result(result, vars.count("json") > 0, false);
    all_passed = all_passed && result.success;
  }
  return all_passed ? kPassed : kFailed;
}

}  // namespace

int probe_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "netprobe probe: which probe? " << kProbeTypes.names() << "\nTry 'netprobe probe --help'.\n";
    return kUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") return print_help();
  const auto type = kProbeTypes.parse(args[0]);
  if (!type) {
    std::cerr << "netprobe probe: unknown probe type \"" << args[0] << "\" (expected " << kProbeTypes.names()
              << ")\nTry 'netprobe probe --help'.\n";
    return kUsage;
  }
  const std::string command = "netprobe probe " + args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());

  po::options_description visible = type_options(*type);
  visible.add(run_options());
  po::options_description all = visible;
  all.add_options()("positional", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("positional", -1);

  po::variables_map vars;
  std::vector<std::pair<std::string, std::string>> values;
  try {
    const po::parsed_options parsed =
        po::command_line_parser(rest).options(all).positional(positional).allow_unregistered().run();
    values = probe_values(*type, parsed);
    po::store(parsed, vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << command << ": " << error.what() << "\nTry '" << command << " --help'.\n";
    return kUsage;
  } catch (const ProbeFlagError& error) {
    std::cerr << command << ": " << error.what() << "\nTry '" << command << " --help'.\n";
    return kUsage;
  }
  if (vars.count("help")) {
    std::cout << "usage: " << command << " " << kPositionalShape[static_cast<std::size_t>(*type)] << " [options]\n  "
              << kProbeTypes.help(*type) << "\n\n"
              << visible;
    return kPassed;
  }

  FleetRequest fleet;
  fleet.all = vars.count("all-nodes") > 0;
  if (vars.count("nodes")) {
    boost::split(fleet.nodes, vars["nodes"].as<std::string>(), boost::is_any_of(","));
    std::erase(fleet.nodes, "");
    if (fleet.nodes.empty()) {
      std::cerr << command << ": --nodes: name at least one node (--nodes node-a,node-b)\n";
      return kUsage;
    }
  }
  if (fleet.all && !fleet.nodes.empty()) {
    std::cerr << command << ": --all-nodes or --nodes, not both\n";
    return kUsage;
  }
  const bool on_fleet = fleet.all || !fleet.nodes.empty();
  for (const char* local : {"resolver", "ca-file"}) {
    if (on_fleet && vars.count(local)) {
      std::cerr << command << ": --" << local << " is for a probe run here; the agents use their own\n";
      return kUsage;
    }
  }
  if (!on_fleet && (vars.count("controller") || vars.count("token-file"))) {
    std::cerr << command << ": --controller and --token-file are for --all-nodes or --nodes NODE,NODE…\n";
    return kUsage;
  }

  std::optional<ProbeSpec> spec;
  try {
    YAML::Node document = probe_document(*type, values);
    // One-shot: the interval only bounds the timeout, so let it be generous.
    spec = read_probe(Field(document, "", "command line"), ProbeDefaults{Millis{3'600'000}, Millis{2'000}}, false,
                      to_string(*type));
  } catch (const ProbeFlagError& error) {
    std::cerr << command << ": " << error.what() << "\nTry '" << command << " --help'.\n";
    return kUsage;
  } catch (const ConfigError& error) {
    if (error.field() == positional_flag(*type).key && error.message() == "is required") {
      std::cerr << command << ": which " << positional_flag(*type).name << "? (" << command << " "
                << kPositionalShape[static_cast<std::size_t>(*type)] << ")\nTry '" << command << " --help'.\n";
      return kUsage;
    }
    const std::string where = error.field().empty() ? "" : flag_for_field(*type, error.field()) + ": ";
    std::cerr << command << ": " << where << error.message() << "\n";
    return kUsage;
  }
  return on_fleet ? run_on_fleet(*spec, fleet, vars) : run_here(*spec, vars);
}

}  // namespace netprobe::cli
