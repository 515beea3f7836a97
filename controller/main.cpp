// netprobe-controller: aggregates agents' reports, answers ad hoc probes,
// exposes /metrics and a status page, pushes alerts to Alertmanager.

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "controller/controller.hpp"
#include "io/daemon_flags.hpp"

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  using namespace netprobe;
  po::options_description flags("netprobe-controller: aggregates what every agent sees\nOptions");
  flags.add_options()
      ("config", po::value<std::string>(), "controller config file (YAML); SIGHUP reloads it")
      ("listen", po::value<std::string>(), "address for the API, /metrics and the status page (default :9742)")
      ("agent-token-file", po::value<std::string>(), "file holding the agent token (reports, calls to agents)")
      ("api-token-file", po::value<std::string>(), "file holding the API token (POST /api/v1/probes)")
      ("kubeconfig", po::value<std::string>(),
       "watch the Kubernetes API with this kubeconfig (default: $KUBECONFIG; in a pod, its service account; "
       "with neither, policies come from policy_analysis.paths)")
      ("context", po::value<std::string>(), "the kubeconfig context to use (default: its current-context)");
  add_daemon_flags(flags);
  int exit_code = 0;
  const auto parsed = parse_daemon_flags(argc, argv, flags, "netprobe-controller", &exit_code);
  if (!parsed) return exit_code;
  const po::variables_map& vars = *parsed;

  ControllerOptions options;
  if (vars.count("config")) options.config_path = vars["config"].as<std::string>();
  if (vars.count("listen")) options.listen = vars["listen"].as<std::string>();
  if (vars.count("agent-token-file")) options.agent_token_file = vars["agent-token-file"].as<std::string>();
  if (vars.count("api-token-file")) options.api_token_file = vars["api-token-file"].as<std::string>();
  if (vars.count("kubeconfig")) options.kubeconfig = vars["kubeconfig"].as<std::string>();
  if (vars.count("context")) options.kube_context = vars["context"].as<std::string>();

  if (vars.count("check-config")) {
    return check_daemon_config("netprobe-controller", options.config_path,
                               [&options] { return Controller::check_config(options); });
  }

  boost::asio::io_context io(1);
  Controller controller(io, options);
  return run_daemon(io, controller);
}
