// io/daemon_flags: the flags both daemons share, and how a bad command line ends.
#include "io/daemon_flags.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <iostream>
#include <stdexcept>
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
  CHECK(help.out.find("--check-config") != std::string::npos);
  CHECK(help.out.find("Exit codes: 0 stopped cleanly (or --check-config: valid), 2 usage or config error.") !=
        std::string::npos);

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

namespace {

struct Checked {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Checked check_config(const std::string& path, const std::function<std::size_t()>& check) {
  std::ostringstream out, err;
  std::streambuf* const saved_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* const saved_err = std::cerr.rdbuf(err.rdbuf());
  Checked checked;
  checked.exit_code = check_daemon_config("test-daemon", path, check);
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  checked.out = out.str();
  checked.err = err.str();
  return checked;
}

}  // namespace

TEST_CASE("--check-config: one line on stdout and 0, or the error as a start says it on stderr and 2") {
  const Checked ok = check_config("agent.yaml", [] { return std::size_t{12}; });
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "agent.yaml: ok (12 probes)\n");
  CHECK(ok.err.empty());
  CHECK(check_config("agent.yaml", [] { return std::size_t{1}; }).out == "agent.yaml: ok (1 probe)\n");

  const Checked bad = check_config("agent.yaml", []() -> std::size_t {
    throw ConfigError("agent.yaml", 12, "probes[1].type", "unknown probe type \"dnss\"");
  });
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err == "agent.yaml:12: probes[1].type: unknown probe type \"dnss\"\n");

  const Checked none = check_config("", [] { return std::size_t{0}; });
  CHECK(none.exit_code == 2);
  CHECK(none.err == "test-daemon: --check-config needs --config FILE\n");
}

TEST_CASE("a listen address is what the server can bind: an IP literal and a port") {
  CHECK_NOTHROW(check_listen_address("--listen", ":9743"));
  CHECK_NOTHROW(check_listen_address("--listen", "127.0.0.1:0"));
  CHECK_NOTHROW(check_listen_address("--listen", "[::1]:9743"));
  CHECK_THROWS_WITH_AS(check_listen_address("--listen", "localhost:9743"),
                       "--listen: invalid listen address \"localhost:9743\" (expected [IP]:port or :port)",
                       std::runtime_error);
  CHECK_THROWS_AS(check_listen_address("agent.yaml: listen", "9743"), std::runtime_error);
}
