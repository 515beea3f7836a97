#pragma once
// Subcommands of the `netprobe` CLI. Each returns the process exit code:
// 0 success, 1 probe failed (or findings), 2 usage or config error.
#include <string>
#include <vector>

namespace netprobe::cli {

int probe_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
int lint_command(const std::vector<std::string>& args);

}  // namespace netprobe::cli
