#pragma once
// DNS through c-ares, driven by Asio: the socket-state callback adds and
// removes a watcher per descriptor, and one timer is re-armed from
// ares_timeout() after every ares_process_fd() (Envoy's design).
// The raw ARES status and the response's rcode are kept, never folded.
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "core/classify.hpp"
#include "core/duration.hpp"
#include "core/endpoint.hpp"
#include "core/probe_spec.hpp"

namespace netprobe {

class DnsChannelPool;

struct DnsAnswer {
  DnsExchange exchange = DnsExchange::failed;
  int rcode = -1;            // when answered
  int answer_count = 0;      // records in the answer section
  bool truncated = false;    // TC bit set (UDP answer too large)
  bool no_data = false;      // NOERROR, whole, and no record of the asked type (NODATA)
  std::string ares_status;   // the raw status, e.g. "ARES_ETIMEOUT", "ARES_SUCCESS"
  std::string detail;        // for people: what came back, e.g. "NXDOMAIN (ARES_ENOTFOUND)",
                             // "NOERROR, no AAAA record (NODATA, ARES_ENODATA)";
                             // the prober adds what was asked, and of whom
};

// One query to one server over one transport. `udp` never falls back to TCP
// (ARES_FLAG_IGNTC); `tcp` forces TCP (ARES_FLAG_USEVC). One try, bounded by `timeout`.
// Every rcode comes back as `answered` (ARES_FLAG_NOCHECKRESP), including a
// bare REFUSED header without the question (unbound's ACL refusal), which
// c-ares alone would ignore and time out on. The channel comes from `channels`
// when given (the agent's, see dns_channels.hpp), else it is made for this
// query. The arguments are references: they must outlive the returned
// awaitable, not just the call.
boost::asio::awaitable<DnsAnswer> dns_query(const Endpoint& server, DnsTransport transport,
                                            const std::string& name, int record_type, Millis timeout,
                                            DnsChannelPool* channels = nullptr);

struct HostAddresses {
  std::vector<boost::asio::ip::address> addresses;
  std::string error;  // empty on success, else why the name did not resolve
};

// A target's host name through the system resolver configuration
// (/etc/resolv.conf, /etc/hosts), or through `servers` when given (tests and
// the CLI's --resolver point it at a loopback server). IP literals come back
// without a lookup.
boost::asio::awaitable<HostAddresses> resolve_host(const std::string& host, Millis timeout,
                                                   std::span<const Endpoint> servers = {});

// The nameservers of /etc/resolv.conf, as c-ares reads them (for `servers: [auto]`).
std::vector<Endpoint> system_nameservers();

}  // namespace netprobe
