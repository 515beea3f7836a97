#include "daemon_flags.hpp"

#include <malloc.h>

#include <iostream>

#include "core/endpoint.hpp"
#include "core/ip_address.hpp"
#include "core/version.hpp"
#include "io/log.hpp"

namespace netprobe {

namespace po = boost::program_options;

void add_daemon_flags(po::options_description& flags) {
  flags.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("log-level", po::value<std::string>()->default_value("info"), "debug, info, warn or error")
      ("check-config", "validate --config (and the flags it meets) and exit: 0 valid, 2 not; "
                       "nothing is listened on, connected to, resolved, nor token files read");
}

void check_listen_address(const std::string& what, const std::string& listen) {
  const auto endpoint = parse_listen_address(listen);
  if (!endpoint || !parse_ip(endpoint->host)) {
    throw std::runtime_error(what + ": invalid listen address \"" + listen + "\" (expected [IP]:port or :port)");
  }
}

int check_daemon_config(const std::string& program, const std::string& config_path,
                        const std::function<std::size_t()>& check) {
  if (config_path.empty()) {
    std::cerr << program << ": --check-config needs --config FILE\n";
    return 2;
  }
  try {
    const std::size_t probes = check();
    std::cout << config_path << ": ok (" << probes << (probes == 1 ? " probe" : " probes") << ")\n";
    return 0;
  } catch (const std::exception& error) {
    // ConfigError's text is already "file:line: field: message", as a start logs it.
    std::cerr << error.what() << "\n";
    return 2;
  }
}

std::optional<po::variables_map> parse_daemon_flags(int argc, char** argv, const po::options_description& flags,
                                                    const std::string& program, int* exit_code) {
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).run(), vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << program << ": " << error.what() << "\nTry '" << program << " --help'.\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vars.count("help")) {
    std::cout << flags << "\nExit codes: 0 stopped cleanly (or --check-config: valid), 2 usage or config error.\n";
    *exit_code = 0;
    return std::nullopt;
  }
  if (vars.count("version")) {
    std::cout << program << " " << kVersion << "\n";
    *exit_code = 0;
    return std::nullopt;
  }
  const auto level = parse_log_level(vars["log-level"].as<std::string>());
  if (!level) {
    std::cerr << program << ": --log-level: expected debug, info, warn or error\n";
    *exit_code = 2;
    return std::nullopt;
  }
  log::set_level(*level);
  return vars;
}

void return_large_buffers_promptly() {
  // A fixed threshold also turns off glibc's dynamic adjustment of it.
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
}

}  // namespace netprobe
