// A kubeconfig, as --kubeconfig or $KUBECONFIG names one: only a ConfigError
// naming the field may come out of it.
#include "fuzz_target.hpp"
#include "kube/kubeconfig.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)netprobe::kube::read_kubeconfig(netprobe::fuzz::as_text(data, size), "/home/u/.kube/config");
  } catch (const netprobe::ConfigError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
