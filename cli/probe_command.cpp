// `netprobe probe TYPE [flags]`: the flags become a probe document that goes
// through the same validation as the agent's config, then the agent's prober runs.
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/json_text.hpp"
#include "agent/probers/run_checks.hpp"
#include "cli/commands.hpp"
#include "core/probe_config.hpp"
#include "io/dns_client.hpp"

namespace netprobe::cli {
namespace {

namespace po = boost::program_options;

// Flags whose value is copied into the probe document under the same name
// (dashes become underscores).
struct PassThrough {
  const char* flag;
  const char* key;
  bool list;
};
constexpr PassThrough kPassThrough[] = {
    {"server", "servers", true},   {"query", "query", false},        {"record", "record", false},
    {"transport", "transports", true}, {"expect-rcode", "expect_rcode", false}, {"target", "target", false},
    {"url", "url", false},         {"method", "method", false},      {"expect-status", "expect_status", true},
    {"address", "address", false}, {"flavor", "flavor", false},      {"timeout", "timeout", false},
    {"expect", "expect", false},   {"name", "name", false},
};

std::string flag_for_field(const std::string& field) {
  const std::string key = field.substr(0, field.find_first_of(".["));
  for (const PassThrough& entry : kPassThrough) {
    if (key == entry.key) return std::string("--") + entry.flag;
  }
  if (key == "headers") return "--header";
  return key;
}

void print_text(const ProbeResult& result) {
  std::ostringstream duration;
  duration << std::fixed << std::setprecision(1) << result.duration_seconds * 1000 << "ms";
  std::cout << (result.success ? "PASS" : "FAIL") << "  " << to_string(result.outcome) << "  " << result.target
            << " (" << result.transport << ", expect " << to_string(result.expect) << ")  " << duration.str()
            << "\n      " << result.detail << "\n";
  if (!result.success && result.outcome != Outcome::ok) {
    std::cout << "      likely cause: " << likely_cause(result.outcome) << "\n";
  }
}

}  // namespace

int probe_command(const std::vector<std::string>& args) {
  po::options_description flags(
      "usage: netprobe probe dns|tcp|http|metadata [options]\n\n"
      "  netprobe probe dns --server 127.0.0.1:5353 --query kubernetes.default.svc.cluster.local. --transport tcp\n"
      "  netprobe probe tcp --target 127.0.0.1:8080 --expect deny\n"
      "  netprobe probe http --url http://127.0.0.1:8080/metrics\n"
      "  netprobe probe metadata --address 127.0.0.1:8254 --flavor aws\n\nOptions");
  flags.add_options()
      ("help,h", "print this help")
      ("json", "print the result object(s) as JSON, one per line")
      ("timeout", po::value<std::string>()->default_value("2s"), "deadline for the whole probe, e.g. 500ms, 2s")
      ("expect", po::value<std::string>(), "allow (default) or deny: deny succeeds when no connection is made")
      ("name", po::value<std::string>(), "probe name in the result (default: the type)")
      ("server", po::value<std::vector<std::string>>(), "dns: server IP[:port] or auto, repeatable (default auto)")
      ("query", po::value<std::string>(), "dns: fully qualified name, with the trailing dot")
      ("record", po::value<std::string>(), "dns: record type (default A)")
      ("transport", po::value<std::vector<std::string>>(), "dns: udp or tcp, repeatable (default udp)")
      ("expect-rcode", po::value<std::string>(), "dns: expected rcode (default NOERROR)")
      ("target", po::value<std::string>(), "tcp: host:port")
      ("url", po::value<std::string>(), "http: http:// or https:// URL")
      ("method", po::value<std::string>(), "http: method (default GET)")
      ("expect-status", po::value<std::vector<std::string>>(), "http: status or range, repeatable (default 200-399)")
      ("header", po::value<std::vector<std::string>>(), "http: 'Name: value', repeatable")
      ("address", po::value<std::string>(), "metadata: host:port (default 169.254.169.254:80)")
      ("flavor", po::value<std::string>(), "metadata: tcp (default), aws, gcp or azure")
      ("resolver", po::value<std::vector<std::string>>(), "nameserver IP[:port] for resolving targets' host names, repeatable (default /etc/resolv.conf)")
      ("ca-file", po::value<std::string>(), "https: extra CA certificate file (PEM) to trust");
  po::options_description hidden;
  hidden.add_options()("type", po::value<std::string>());
  po::options_description all;
  all.add(flags).add(hidden);
  po::positional_options_description positional;
  positional.add("type", 1);

  po::variables_map vars;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << "netprobe probe: " << error.what() << "\nTry 'netprobe probe --help'.\n";
    return 2;
  }
  if (vars.count("help")) {
    std::cout << flags << "\nExit codes: 0 success, 1 probe failed, 2 usage error.\n";
    return 0;
  }
  if (!vars.count("type")) {
    std::cerr << "netprobe probe: which probe? " << kProbeTypes.names() << "\nTry 'netprobe probe --help'.\n";
    return 2;
  }

  YAML::Node document(YAML::NodeType::Map);
  document["type"] = vars["type"].as<std::string>();
  for (const PassThrough& entry : kPassThrough) {
    if (!vars.count(entry.flag)) continue;
    if (entry.list) {
      for (const std::string& value : vars[entry.flag].as<std::vector<std::string>>()) document[entry.key].push_back(value);
    } else {
      document[entry.key] = vars[entry.flag].as<std::string>();
    }
  }
  if (vars.count("header")) {
    for (const std::string& header : vars["header"].as<std::vector<std::string>>()) {
      const auto colon = header.find(':');
      if (colon == std::string::npos) {
        std::cerr << "netprobe probe: --header: expected 'Name: value', found \"" << header << "\"\n";
        return 2;
      }
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      document["headers"][header.substr(0, colon)] = value;
    }
  }

  std::shared_ptr<const ProbeSpec> spec;
  try {
    const std::string source = "command line";
    // One-shot: the interval only bounds the timeout, so let it be generous.
    spec = std::make_shared<const ProbeSpec>(
        read_probe(Field(document, "", source), ProbeDefaults{Millis{3'600'000}, Millis{2'000}}, false,
                   vars["type"].as<std::string>()));
  } catch (const ConfigError& error) {
    const std::string where = error.field().empty() ? "" : flag_for_field(error.field()) + ": ";
    std::cerr << "netprobe probe: " << where << error.message() << "\n";
    return 2;
  }

  ProbeEnv env;
  if (vars.count("resolver")) {
    for (const std::string& text : vars["resolver"].as<std::vector<std::string>>()) {
      auto server = parse_endpoint(text, 53);
      if (!server) {
        std::cerr << "netprobe probe: --resolver: invalid address \"" << text << "\" (expected IP[:port])\n";
        return 2;
      }
      env.resolver_servers.push_back(*server);
    }
  }
  if (vars.count("ca-file")) {
    try {
      env.add_ca_file(vars["ca-file"].as<std::string>());
    } catch (const std::exception& error) {
      std::cerr << "netprobe probe: --ca-file: " << error.what() << "\n";
      return 2;
    }
  }

  const std::vector<Check> checks = expand_checks(spec, system_nameservers());
  if (checks.empty()) {
    std::cerr << "netprobe probe: no DNS server to ask: /etc/resolv.conf lists none; pass --server\n";
    return 2;
  }
  const char* node = std::getenv("NODE_NAME");
  const char* ns = std::getenv("POD_NAMESPACE");
  const Identity identity{node != nullptr ? node : "", ns != nullptr ? ns : ""};
  const std::vector<ProbeResult> results = run_checks_blocking(checks, env, identity);

  bool all_succeeded = true;
  for (const ProbeResult& result : results) {
    all_succeeded = all_succeeded && result.success;
    if (vars.count("json")) {
      std::cout << json_text(to_json(result)) << "\n";
    } else {
      print_text(result);
    }
  }
  return all_succeeded ? 0 : 1;
}

}  // namespace netprobe::cli
