#include "support/run_probe.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "io/dns_client.hpp"

namespace netprobe::testing {

std::vector<ProbeResult> run_probe(const std::string& spec_yaml) {
  auto spec = std::make_shared<const ProbeSpec>(parse_probe_document(spec_yaml, "test", ProbeDefaults{}));
  const std::vector<Endpoint> system = system_nameservers();
  const std::vector<Check> checks = expand_checks(spec, system);
  boost::asio::io_context io;
  ProbeEnv env;
  const Identity identity{"test-node", "test-ns"};
  std::vector<ProbeResult> results(checks.size());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    boost::asio::co_spawn(
        io, [&, i]() -> boost::asio::awaitable<void> { results[i] = co_await run_check(checks[i], env, identity); },
        boost::asio::detached);
  }
  io.run();
  return results;
}

ProbeResult run_single(const std::string& spec_yaml) {
  auto results = run_probe(spec_yaml);
  if (results.size() != 1) throw std::runtime_error("expected one check, got " + std::to_string(results.size()));
  return results.front();
}

}  // namespace netprobe::testing
