#include "probe_json.hpp"

#include <nlohmann/json.hpp>

#include "classify.hpp"

namespace netprobe {
namespace {

using nlohmann::ordered_json;

std::string status_text(const StatusRange& range) {
  return range.low == range.high ? std::to_string(range.low)
                                 : std::to_string(range.low) + "-" + std::to_string(range.high);
}

struct ParamsWriter {
  ordered_json& out;

  void operator()(const DnsSpec& dns) const {
    out["servers"] = dns.servers;
    out["query"] = dns.query;
    out["record"] = dns.record;
    ordered_json transports = ordered_json::array();
    for (DnsTransport transport : dns.transports) transports.push_back(to_string(transport));
    out["transports"] = transports;
    out["expect_rcode"] = rcode_name(dns.expect_rcode);
    // Only when set, so an agent of a release without the key still reads the probe.
    if (dns.expect_answers) out["expect_answers"] = true;
  }
  void operator()(const TcpSpec& tcp) const { out["target"] = tcp.target.to_string(); }
  void operator()(const HttpSpec& http) const {
    out["url"] = http.url;
    out["method"] = http.method;
    ordered_json statuses = ordered_json::array();
    for (const StatusRange& range : http.expect_status) statuses.push_back(status_text(range));
    out["expect_status"] = statuses;
    if (!http.headers.empty()) {
      ordered_json headers = ordered_json::object();
      for (const auto& [name, value] : http.headers) headers[name] = value;
      out["headers"] = headers;
    }
    // Only when set: a probe without `tls:` reads back the same, also where tls is refused on http:// URLs.
    if (http.tls != HttpTls{}) {
      ordered_json tls = ordered_json::object();
      if (!http.tls.ca_file.empty()) tls["ca_file"] = http.tls.ca_file;
      if (!http.tls.server_name.empty()) tls["server_name"] = http.tls.server_name;
      if (http.tls.insecure_skip_verify) tls["insecure_skip_verify"] = true;
      out["tls"] = tls;
    }
  }
  void operator()(const MetadataSpec& metadata) const {
    out["address"] = metadata.address.to_string();
    out["flavor"] = to_string(metadata.flavor);
  }
};

}  // namespace

ordered_json to_json(const ProbeSpec& spec) {
  ordered_json out;
  out["name"] = spec.name;
  out["type"] = to_string(spec.type());
  out["expect"] = to_string(spec.expect);
  out["interval"] = format_duration(spec.interval);
  out["timeout"] = format_duration(spec.timeout);
  std::visit(ParamsWriter{out}, spec.params);
  return out;
}

}  // namespace netprobe
