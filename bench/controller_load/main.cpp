// controller-load: synthetic agents against a running netprobe-controller, on loopback only.
//
// One process, one io_context, C++20 coroutines. It
//   - posts full reports (POST /api/v1/reports, agent token) for --agents synthetic agents, each
//     every --interval, spread evenly over the interval, and records each report's latency;
//   - answers POST /api/v1/probe like an agent on --listening-agents distinct loopback addresses
//     127.0.X.Y:P (all of 127.0.0.0/8 is loopback on Linux), which those agents advertise;
//   - scrapes /metrics now and then as Prometheus would, then times a few GETs of it;
//   - runs ad hoc probes (POST /api/v1/probes, API token) fanned out to the listening agents;
//   - reads the controller's CPU and memory from /proc/PID, prints a table, the goals, and one
//     JSON line (the last line of stdout).
// It stops by itself after --duration (plus the requests in flight, each bounded by a deadline).
// Every address it connects to or listens on is in 127.0.0.0/8; anything else is refused.
//
// Reports go, by default, on a fresh connection each (Connection: close) through our own
// http_exchange: that is exactly what netprobe-agent's reporter does, so the controller pays
// for an accept and a close per report as it will in a cluster. --keepalive N sends them instead
// over a pool of at most N keep-alive connections (Beast directly) shared by all the synthetic
// agents, the cheaper pattern a future agent (or a proxy in front of the controller) would give.
// See bench/README.md.
#include <algorithm>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "common.hpp"
#include "io/log.hpp"
#include "io/secrets.hpp"
#include "load_run.hpp"

using namespace netprobe;
using namespace netprobe::bench;

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  Options options;
  std::string interval = "10s", duration = "60s", adhoc_timeout = "2s", agent_delay = "20ms", scrape_interval = "15s";
  std::string agent_token_file, api_token_file;
  po::options_description flags(
      "controller-load: synthetic agents on loopback against a running netprobe-controller\n"
      "(normally run through bench/controller_load.sh)\nOptions");
  flags.add_options()
      ("help,h", "print this help and exit")
      ("controller", po::value(&options.controller)->required(), "the controller's address, 127.x.y.z:port")
      ("controller-pid", po::value(&options.controller_pid)->required(), "the controller's process id (read from /proc)")
      ("agent-token-file", po::value(&agent_token_file)->required(), "the agent token (reports; the controller's calls to agents)")
      ("api-token-file", po::value(&api_token_file)->required(), "the API token (ad hoc probes)")
      ("agents", po::value(&options.agents)->default_value(options.agents), "synthetic agents (1-20000)")
      ("results", po::value(&options.results)->default_value(options.results), "results per report (1-1000)")
      ("interval", po::value(&interval)->default_value(interval), "report interval of every agent (>= 1s)")
      ("duration", po::value(&duration)->default_value(duration), "how long the reports go on (<= 10m)")
      ("listening-agents", po::value(&options.listening)->default_value(options.listening),
       "agents that answer ad hoc probes, on 127.0.X.Y (0-5000)")
      ("agent-port", po::value(&options.agent_port)->default_value(0), "their port (default: a free one)")
      ("adhoc-timeout", po::value(&adhoc_timeout)->default_value(adhoc_timeout), "timeout of the ad hoc probe")
      ("agent-delay", po::value(&agent_delay)->default_value(agent_delay), "how long an agent takes to answer one")
      ("no-fanout-all", "skip the \"all\": true fan-out (every agent, most of them refusing)")
      ("keepalive", po::value(&options.keepalive)->default_value(0),
       "send reports over a pool of at most N keep-alive connections (default 0: a fresh one each, as agents do)")
      ("scrape-interval", po::value(&scrape_interval)->default_value(scrape_interval),
       "a Prometheus-like /metrics scrape this often in the steady window (0s: none)")
      ("metrics-gets", po::value(&options.metrics_gets)->default_value(options.metrics_gets), "timed /metrics GETs")
      ("scrape-targets", po::value(&options.scrape_targets)->default_value(options.scrape_targets),
       "pool of scrape-path targets the agents' scrape checks are drawn from");
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).run(), vars);
    if (vars.count("help")) {
      std::cout << flags << "\nExit codes: 0 measured, 1 some reports failed, 2 usage error, 3 did not finish.\n";
      return 0;
    }
    po::notify(vars);
    options.fanout_all = vars.count("no-fanout-all") == 0;
    const auto parse = [](const std::string& text, const char* flag) {
      const auto value = parse_duration(text);
      if (!value) throw std::runtime_error(std::string("--") + flag + ": bad duration \"" + text + "\"");
      return *value;
    };
    options.interval = parse(interval, "interval");
    options.duration = parse(duration, "duration");
    options.adhoc_timeout = parse(adhoc_timeout, "adhoc-timeout");
    options.agent_delay = parse(agent_delay, "agent-delay");
    options.scrape_interval = parse(scrape_interval, "scrape-interval");
    if (options.agents < 1 || options.agents > 20000) throw std::runtime_error("--agents: expected 1 to 20000");
    if (options.results < 1 || options.results > 1000) throw std::runtime_error("--results: expected 1 to 1000");
    if (options.listening > std::min<std::size_t>(options.agents, 5000)) {
      throw std::runtime_error("--listening-agents: at most --agents and at most 5000");
    }
    if (options.interval < Millis{1000}) throw std::runtime_error("--interval: at least 1s");
    if (options.duration > Millis{600'000}) throw std::runtime_error("--duration: at most 10m");
    if (options.duration < options.interval + Millis{15'000}) {
      throw std::runtime_error("--duration: at least --interval + 15s (a first round, a steady window, 10 s of tests)");
    }
    if (options.adhoc_timeout < Millis{100} || options.adhoc_timeout > Millis{3'000}) {
      throw std::runtime_error("--adhoc-timeout: 100ms to 3s (the tests after the steady window take 10 s)");
    }
    if (options.agent_delay >= options.adhoc_timeout) throw std::runtime_error("--agent-delay: below --adhoc-timeout");
    if (options.scrape_targets < 1 || options.scrape_targets > 1'000'000) {
      throw std::runtime_error("--scrape-targets: expected 1 to 1000000");
    }
    if (options.metrics_gets < 1 || options.metrics_gets > 20) throw std::runtime_error("--metrics-gets: 1 to 20");
    options.agent_token = read_token_file(agent_token_file);
    options.api_token = read_token_file(api_token_file);
  } catch (const std::exception& error) {
    std::cerr << "controller-load: " << error.what() << "\nTry 'controller-load --help'.\n";
    return 2;
  }
  log::set_level(LogLevel::error);
  return run_load(options);
}
