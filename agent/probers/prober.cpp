#include "prober.hpp"

#include <exception>

#include <boost/asio/ssl/context.hpp>

namespace netprobe {

ProbeEnv::ProbeEnv() = default;
ProbeEnv::~ProbeEnv() = default;

boost::asio::ssl::context& ProbeEnv::tls() {
  if (!tls_) {
    tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    tls_->set_default_verify_paths();
    tls_->set_verify_mode(boost::asio::ssl::verify_peer);
  }
  return *tls_;
}

void ProbeEnv::add_ca_file(const std::string& path) { tls().load_verify_file(path); }

Prober prober_for(ProbeType type) {
  switch (type) {
    case ProbeType::dns: return &probe_dns;
    case ProbeType::tcp: return &probe_tcp;
    case ProbeType::http: return &probe_http;
    case ProbeType::metadata: return &probe_metadata;
  }
  return &probe_tcp;
}

boost::asio::awaitable<ProbeResult> run_check(const Check& check, ProbeEnv& env, const Identity& identity) {
  const ProbeSpec& spec = *check.probe;
  ProbeResult result;
  result.probe = spec.name;
  result.type = spec.type();
  result.target = check.target;
  result.transport = check.transport;
  result.expect = spec.expect;
  result.node = identity.node;
  result.ns = identity.ns;
  result.time = std::chrono::system_clock::now();

  const auto start = std::chrono::steady_clock::now();
  Observation observation;
  try {
    observation = co_await prober_for(spec.type())(check, env);
  } catch (const std::exception& error) {
    // A prober should classify its own failures; this is the safety net.
    observation = Observation{Outcome::error, std::string("internal error: ") + error.what()};
  }
  result.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.outcome = observation.outcome;
  result.detail = std::move(observation.detail);
  result.success = verdict(spec.expect, result.outcome);
  co_return result;
}

}  // namespace netprobe
