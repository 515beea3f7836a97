// netprobe-controller: aggregates agents' reports, answers ad hoc probes,
// exposes /metrics and a status page, pushes alerts to Alertmanager.
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "controller/controller.hpp"
#include "core/version.hpp"
#include "core/yaml_reader.hpp"
#include "io/log.hpp"

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  using namespace netprobe;
  po::options_description flags("netprobe-controller: aggregates what every agent sees\nOptions");
  flags.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("config", po::value<std::string>(), "controller config file (YAML); SIGHUP reloads it")
      ("listen", po::value<std::string>(), "address for the API, /metrics and the status page (default :9742)")
      ("agent-token-file", po::value<std::string>(), "file holding the agent token (reports, calls to agents)")
      ("api-token-file", po::value<std::string>(), "file holding the API token (POST /api/v1/probes)")
      ("log-level", po::value<std::string>()->default_value("info"), "debug, info, warn or error");
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).run(), vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << "netprobe-controller: " << error.what() << "\nTry 'netprobe-controller --help'.\n";
    return 2;
  }
  if (vars.count("help")) {
    std::cout << flags << "\nExit codes: 0 stopped cleanly, 2 usage or config error.\n";
    return 0;
  }
  if (vars.count("version")) {
    std::cout << "netprobe-controller " << kVersion << "\n";
    return 0;
  }
  const auto level = parse_log_level(vars["log-level"].as<std::string>());
  if (!level) {
    std::cerr << "netprobe-controller: --log-level: expected debug, info, warn or error\n";
    return 2;
  }
  log::set_level(*level);

  ControllerOptions options;
  if (vars.count("config")) options.config_path = vars["config"].as<std::string>();
  if (vars.count("listen")) options.listen = vars["listen"].as<std::string>();
  if (vars.count("agent-token-file")) options.agent_token_file = vars["agent-token-file"].as<std::string>();
  if (vars.count("api-token-file")) options.api_token_file = vars["api-token-file"].as<std::string>();

  boost::asio::io_context io(1);
  Controller controller(io, options);
  try {
    controller.load();
    controller.start();
  } catch (const ConfigError& error) {
    log::error("invalid config", {{"error", error.what()}});
    return 2;
  } catch (const std::exception& error) {
    log::error("cannot start", {{"error", error.what()}});
    return 2;
  }
  io.run();
  return 0;
}
