// netprobe-agent: probes on a schedule, /metrics, one-shot probes.
#include <unistd.h>

#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "agent/agent.hpp"
#include "io/daemon_flags.hpp"

namespace {

namespace po = boost::program_options;
using namespace netprobe;

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description flags("netprobe-agent: keeps probing DNS, scrape paths and the metadata endpoint\nOptions");
  flags.add_options()
      ("config", po::value<std::string>(), "agent config file (YAML); SIGHUP reloads it")
      ("listen", po::value<std::string>(), "address for /metrics, /healthz and /api/v1/probe (default :9743)")
      ("node", po::value<std::string>(), "node name stamped on results (default $NODE_NAME, else the host name)")
      ("namespace", po::value<std::string>(), "namespace stamped on results (default $POD_NAMESPACE, else default)")
      ("controller", po::value<std::vector<std::string>>(), "controller base URL, repeatable (none: standalone)")
      ("token-file", po::value<std::string>(), "file holding the agent token (reports, one-shot probes); without it one-shot probes are disabled")
      ("advertise", po::value<std::string>(), "host:port controllers use to reach this agent (default $POD_IP:port, else the listen address)");

  add_daemon_flags(flags);
  int exit_code = 0;
  const auto parsed = parse_daemon_flags(argc, argv, flags, "netprobe-agent", &exit_code);
  if (!parsed) return exit_code;
  const po::variables_map& vars = *parsed;

  AgentOptions options;
  if (vars.count("config")) options.config_path = vars["config"].as<std::string>();
  if (vars.count("listen")) options.listen = vars["listen"].as<std::string>();
  if (vars.count("controller")) options.controllers = vars["controller"].as<std::vector<std::string>>();
  if (vars.count("token-file")) options.token_file = vars["token-file"].as<std::string>();
  if (vars.count("advertise")) options.advertise = vars["advertise"].as<std::string>();
  options.identity.node = vars.count("node") ? vars["node"].as<std::string>() : env_or("NODE_NAME", host_name());
  options.identity.ns = vars.count("namespace") ? vars["namespace"].as<std::string>() : env_or("POD_NAMESPACE", "default");

  if (vars.count("check-config")) {
    return check_daemon_config("netprobe-agent", options.config_path, [&options] { return Agent::check_config(options); });
  }

  boost::asio::io_context io(1);
  Agent agent(io, options);
  return run_daemon(io, agent);
}
