#pragma once
// The connect-time half of the ad hoc allowlist (core/allowlist.hpp): after a
// name is resolved, only addresses inside the allowlist may be connected to,
// so a name under an allowed suffix cannot lead a one-shot probe anywhere else.
#include <string>

#include "core/allowlist.hpp"
#include "io/dns_client.hpp"

namespace netprobe {

// Drops the addresses of `host` outside `allowed`. "" when some remain, else
// why none may be connected to ("evil.cluster.local resolves to 127.0.0.9,
// outside the ad hoc allowlist").
std::string keep_allowed(HostAddresses& host, const std::string& name, const Allowlist& allowed);

// The address in the 128-bit form the allowlist compares (IPv4 as IPv4-mapped).
bool address_allowed(const boost::asio::ip::address& address, const Allowlist& allowed);

}  // namespace netprobe
