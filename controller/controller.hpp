#pragma once
// The controller process: store, API server, ad hoc fan-out to agents, alert
// push to Alertmanager and signals, on one io_context.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace netprobe {

struct ControllerOptions {
  std::string config_path;            // empty: defaults
  std::optional<std::string> listen;  // overrides the file
  std::string agent_token_file;       // without it reports are refused
  std::string api_token_file;         // without it ad hoc probes are refused
  std::string kubeconfig;             // --kubeconfig, else $KUBECONFIG, else in-cluster, else no Kubernetes
  std::string kube_context;           // --context: another than the kubeconfig's current-context
};

class Controller {
 public:
  Controller(boost::asio::io_context& io, ControllerOptions options);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  void load();   // throws ConfigError / std::runtime_error (exit 2)
  // --check-config: the file and the flags it meets, as load() checks them,
  // without reading token files or a kubeconfig; returns the probes it assigns.
  static std::size_t check_config(const ControllerOptions& options);
  void start();  // binds, serves, evaluates alerts, handles signals

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace netprobe
