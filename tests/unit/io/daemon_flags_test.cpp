// io/daemon_flags: the flags both daemons share, and how a bad command line ends.
#include "io/daemon_flags.hpp"

#include <doctest/doctest.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/version.hpp"

using namespace netprobe;
namespace po = boost::program_options;

namespace {

struct Parsed {
  std::optional<po::variables_map> vars;
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs parse_daemon_flags on `args` (after the program name), capturing what it prints.
Parsed parse(std::vector<std::string> args) {
  po::options_description flags("test-daemon");
  add_daemon_flags(flags);
  flags.add_options()("config", po::value<std::string>(), "config file");
  args.insert(args.begin(), "test-daemon");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());

  std::ostringstream out, err;
  std::streambuf* const saved_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* const saved_err = std::cerr.rdbuf(err.rdbuf());
  Parsed parsed;
  parsed.vars = parse_daemon_flags(static_cast<int>(argv.size()), argv.data(), flags, "test-daemon", &parsed.exit_code);
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  parsed.out = out.str();
  parsed.err = err.str();
  return parsed;
}

}  // namespace

TEST_CASE("daemon flags: a good command line gives its values and leaves the exit code alone") {
  const Parsed parsed = parse({"--config", "/etc/netprobe/agent.yaml", "--log-level", "debug"});
  REQUIRE(parsed.vars);
  CHECK(parsed.exit_code == -1);
  CHECK((*parsed.vars)["config"].as<std::string>() == "/etc/netprobe/agent.yaml");
  CHECK(parsed.err.empty());
}

TEST_CASE("daemon flags: --help and --version print and exit 0") {
  const Parsed help = parse({"--help"});
  CHECK_FALSE(help.vars);
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--log-level") != std::string::npos);
  CHECK(help.out.find("Exit codes: 0 stopped cleanly, 2 usage or config error.") != std::string::npos);

  const Parsed version = parse({"--version"});
  CHECK_FALSE(version.vars);
  CHECK(version.exit_code == 0);
  CHECK(version.out == "test-daemon " + std::string(kVersion) + "\n");
}

TEST_CASE("daemon flags: a usage error names the problem and where help is, exit 2") {
  const Parsed unknown = parse({"--no-such-flag"});
  CHECK_FALSE(unknown.vars);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("no-such-flag") != std::string::npos);
  CHECK(unknown.err.find("Try 'test-daemon --help'.") != std::string::npos);

  const Parsed missing_value = parse({"--config"});
  CHECK(missing_value.exit_code == 2);

  const Parsed bad_level = parse({"--log-level", "loud"});
  CHECK_FALSE(bad_level.vars);
  CHECK(bad_level.exit_code == 2);
  CHECK(bad_level.err == "test-daemon: --log-level: expected debug, info, warn or error\n");
}
