#pragma once
// What a probe is asked to do, as read from the config (or an ad hoc request).
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "duration.hpp"
#include "endpoint.hpp"
#include "enum_table.hpp"
#include "verdict.hpp"

namespace netprobe {

// The variant ProbeParams below holds the alternatives in this order.
enum class ProbeType { dns, tcp, http, metadata };
inline constexpr EnumTable kProbeTypes{std::array{
    EnumEntry<ProbeType>{ProbeType::dns, "dns", "a DNS query to each server, over each transport"},
    EnumEntry<ProbeType>{ProbeType::tcp, "tcp", "a TCP connect to host:port"},
    EnumEntry<ProbeType>{ProbeType::http, "http", "an HTTP or HTTPS request, its status checked"},
    EnumEntry<ProbeType>{ProbeType::metadata, "metadata", "the cloud metadata endpoint (IMDSv2 token included for aws)"},
}};
inline std::string_view to_string(ProbeType type) { return kProbeTypes.name(type); }

enum class DnsTransport { udp, tcp };
inline constexpr EnumTable kDnsTransports{std::array{
    EnumEntry<DnsTransport>{DnsTransport::udp, "udp", "a query in one UDP datagram"},
    EnumEntry<DnsTransport>{DnsTransport::tcp, "tcp", "a query over a TCP connection, as after a truncated answer"},
}};
inline std::string_view to_string(DnsTransport transport) { return kDnsTransports.name(transport); }

enum class MetadataFlavor { tcp, aws, gcp, azure };
inline constexpr EnumTable kMetadataFlavors{std::array{
    EnumEntry<MetadataFlavor>{MetadataFlavor::tcp, "tcp", "a TCP connect only"},
    EnumEntry<MetadataFlavor>{MetadataFlavor::aws, "aws", "an IMDSv2 token PUT, then a GET with the token"},
    EnumEntry<MetadataFlavor>{MetadataFlavor::gcp, "gcp", "a GET with Metadata-Flavor: Google"},
    EnumEntry<MetadataFlavor>{MetadataFlavor::azure, "azure", "a GET with Metadata: true"},
}};
inline std::string_view to_string(MetadataFlavor flavor) { return kMetadataFlavors.name(flavor); }

// The nameserver list entry `auto` stands for the nameservers of /etc/resolv.conf.
inline constexpr std::string_view kAutoServers = "auto";

struct DnsSpec {
  std::vector<std::string> servers{std::string(kAutoServers)};  // "auto" or "IP[:port]"
  std::string query;                                             // FQDN with a trailing dot
  std::string record = "A";
  std::vector<DnsTransport> transports{DnsTransport::udp};
  int expect_rcode = 0;  // NOERROR
  bool expect_answers = false;  // NOERROR without a record of the asked type (NODATA) fails as dns_error
};

struct TcpSpec {
  Endpoint target;
};

struct StatusRange {
  int low = 200;
  int high = 399;
  bool contains(int status) const { return status >= low && status <= high; }
  bool operator==(const StatusRange&) const = default;
};

// An https probe's `tls:`, for in-cluster services behind a private CA.
struct HttpTls {
  std::string ca_file;      // PEM certificates trusted for this probe only, beside the system store
  std::string server_name;  // sent as SNI and verified in the certificate; empty: the URL's host
  bool insecure_skip_verify = false;  // the handshake still happens; the certificate is not checked
  bool operator==(const HttpTls&) const = default;
};

struct HttpSpec {
  std::string url;
  std::string method = "GET";
  std::vector<StatusRange> expect_status{StatusRange{}};
  std::vector<std::pair<std::string, std::string>> headers;
  HttpTls tls;  // all defaults unless the probe has a `tls:` (only on https:// URLs)
};

struct MetadataSpec {
  Endpoint address{"169.254.169.254", 80};
  MetadataFlavor flavor = MetadataFlavor::tcp;
};

using ProbeParams = std::variant<DnsSpec, TcpSpec, HttpSpec, MetadataSpec>;

struct ProbeSpec {
  std::string name;
  Expect expect = Expect::allow;
  Millis interval{10'000};
  Millis timeout{2'000};
  ProbeParams params;

  ProbeType type() const { return static_cast<ProbeType>(params.index()); }
};

}  // namespace netprobe
