#pragma once
// One signature for every prober (blackbox_exporter's idea), returning *why*
// a path failed rather than a bool. Probers run on the caller's executor as
// C++20 coroutines and bound every operation by the check's timeout.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/check.hpp"
#include "core/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace netprobe {

// Shared, long-lived state probers may use. Owned by the agent or the CLI.
class ProbeEnv {
 public:
  ProbeEnv();
  ~ProbeEnv();
  ProbeEnv(const ProbeEnv&) = delete;
  ProbeEnv& operator=(const ProbeEnv&) = delete;

  // Verifies peers against the system CA store. Created on first use, so an
  // agent with no https probes never loads the CA bundle.
  boost::asio::ssl::context& tls();

  // Also trusts the CA certificates in this PEM file (a private CA, a test's
  // self-signed certificate). Throws boost::system::system_error if unreadable.
  void add_ca_file(const std::string& path);

  // Nameservers for resolving targets' host names; empty = /etc/resolv.conf.
  std::vector<Endpoint> resolver_servers;

 private:
  std::unique_ptr<boost::asio::ssl::context> tls_;
};

using Prober = boost::asio::awaitable<Observation> (*)(const Check& check, ProbeEnv& env);

boost::asio::awaitable<Observation> probe_dns(const Check& check, ProbeEnv& env);
boost::asio::awaitable<Observation> probe_tcp(const Check& check, ProbeEnv& env);
boost::asio::awaitable<Observation> probe_http(const Check& check, ProbeEnv& env);
boost::asio::awaitable<Observation> probe_metadata(const Check& check, ProbeEnv& env);

// The one table from probe type to prober.
Prober prober_for(ProbeType type);

// Who ran the check, stamped on every result.
struct Identity {
  std::string node;
  std::string ns;
};

// Runs the check's prober, measures it and applies the verdict.
boost::asio::awaitable<ProbeResult> run_check(const Check& check, ProbeEnv& env, const Identity& identity);

}  // namespace netprobe
