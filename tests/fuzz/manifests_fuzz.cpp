// Kubernetes manifests (YAML or `kubectl get -o json`), as `netprobe lint` and
// the controller's policy analysis read them, then the checks and their JSON:
// whatever the reader accepts, the checks and the writer must cope with.
#include "netpol/finding_json.hpp"
#include "core/json_text.hpp"
#include "netpol/checks.hpp"
#include "netpol/read.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const netprobe::netpol::Cluster cluster = netprobe::netpol::read_manifests(netprobe::fuzz::as_text(data, size), "manifests.yaml");
    (void)netprobe::json_text(netprobe::netpol::to_json(netprobe::netpol::run_checks(cluster)));
  } catch (const netprobe::ConfigError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
