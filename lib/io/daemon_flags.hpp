#pragma once
// What netprobe-agent and netprobe-controller share on their command lines:
// --help, --version and --log-level, parsed with Boost.Program_options.
#include <optional>
#include <string>

#include <boost/program_options.hpp>

namespace netprobe {

// Adds --help, --version and --log-level to `flags`.
void add_daemon_flags(boost::program_options::options_description& flags);

// Parses argv. Returns the variables to run with, or the exit code when the
// program should stop now (--help and --version: 0; a usage error: 2, said on stderr).
// On success the log level is already set.
std::optional<boost::program_options::variables_map> parse_daemon_flags(
    int argc, char** argv, const boost::program_options::options_description& flags, const std::string& program,
    int* exit_code);

}  // namespace netprobe
