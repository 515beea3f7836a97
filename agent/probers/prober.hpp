#pragma once
// One signature for every prober (blackbox_exporter's idea), returning *why*
// a path failed rather than a bool. Probers run on the caller's executor as
// C++20 coroutines and bound every operation by the check's timeout.
#include <chrono>
#include <map>
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

class DnsChannelPool;

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

  // For an http probe with tls.ca_file: the system store, the files given to
  // add_ca_file and `ca_file`, in a context of its own so no other probe
  // trusts that CA. Made on first use and again when the file changes (a
  // rotated Secret); throws std::runtime_error saying why it cannot be loaded.
  boost::asio::ssl::context& tls_with_ca(const std::string& ca_file);

  // Nameservers for resolving targets' host names; empty = /etc/resolv.conf.
  std::vector<Endpoint> resolver_servers;

  // c-ares channels dns probes reuse (the agent's, on its io_context; it must
  // go before that io_context does). Null in the CLI: each query its own.
  std::unique_ptr<DnsChannelPool> dns_channels;

 private:
  struct CaContext;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::string> extra_ca_files_;  // add_ca_file's, for tls_with_ca's contexts too
  std::map<std::string, std::unique_ptr<CaContext>> ca_contexts_;
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
