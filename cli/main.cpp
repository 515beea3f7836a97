// netprobe: the command line. `netprobe probe …` runs one probe with the
// agent's probers; `netprobe status` asks a controller; `netprobe lint` runs
// the NetworkPolicy checks offline on manifests.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/version.hpp"

namespace {

constexpr const char* kUsage = R"(usage: netprobe <command> [options]

commands:
  probe dns|tcp|http|metadata TARGET …
                                  run one probe now and print the result (--json for the result object);
                                  --all-nodes or --nodes a,b: every (or those) node's agent runs it
  lint -f FILE|DIR … [--json]     offline NetworkPolicy analysis (--explain SRC DST:PORT[/PROTO])
  status [--controller URL]       the controller's picture: failing targets, nodes and why
                                  ($NETPROBE_CONTROLLER; --node, --probe, --failing, --findings)
  version                         print the version
  help                            print this help

Run 'netprobe probe TYPE --help' for a probe type's options, 'netprobe lint --help' for lint's.
Exit codes: 0 success, 1 probe failed, 2 usage or config error, 4 controller unreachable; status
adds 3 blind (no agent reporting, stale agents, nodes without an agent).
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "version" || command == "--version") {
    std::cout << "netprobe " << netprobe::kVersion << "\n";
    return 0;
  }
  if (command == "probe") return netprobe::cli::probe_command(args);
  if (command == "status") return netprobe::cli::status_command(args);
  if (command == "lint") return netprobe::cli::lint_command(args);
  std::cerr << "netprobe: unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}
