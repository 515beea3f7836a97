#include "probe_config.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

#include "classify.hpp"
#include "http_message.hpp"
#include "url.hpp"

namespace netprobe {
namespace {

// A probe is a handful of each; a body or a config naming thousands is a mistake or an attack.
constexpr std::size_t kMaxDnsServers = 16;
constexpr std::size_t kMaxStatusRanges = 16;
constexpr std::size_t kMaxHeaders = 32;
constexpr std::size_t kMaxHeaderValue = 4096;
// A CA bundle is a few KiB (Debian's whole system bundle is about 200 KiB).
constexpr std::size_t kMaxCaFile = 1 << 20;

bool is_ip_literal(const std::string& host) {
  std::array<unsigned char, 16> buffer{};
  return inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

bool valid_name(const std::string& name) {
  return !name.empty() && name.size() <= 128 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
         });
}

Endpoint read_endpoint(const Field& field, std::optional<std::uint16_t> default_port = std::nullopt) {
  const std::string text = field.as_string();
  auto endpoint = parse_endpoint(text, default_port);
  if (!endpoint) field.fail("invalid address \"" + text + "\" (expected host:port)");
  return *endpoint;
}

DnsSpec read_dns(MapReader& map) {
  DnsSpec dns;
  if (auto servers = map.optional("servers")) {
    dns.servers.clear();
    for (const Field& item : servers->as_list(kMaxDnsServers)) {
      std::string server = item.as_string();
      if (server != kAutoServers) {
        auto endpoint = parse_endpoint(server, 53);
        if (!endpoint || !is_ip_literal(endpoint->host)) {
          item.fail("invalid DNS server \"" + server + "\" (expected auto or IP[:port])");
        }
      }
      dns.servers.push_back(std::move(server));
    }
    if (dns.servers.empty()) servers->fail("needs at least one server");
  }
  const Field query = map.required("query");
  dns.query = query.as_string();
  if (dns.query.empty() || dns.query.back() != '.') {
    query.fail("\"" + dns.query + "\" is not fully qualified (expected a trailing dot)");
  }
  if (!plausible_host_name(dns.query)) {
    query.fail("\"" + dns.query + "\" is not a domain name (letters, digits, '-' and '_' in dot-separated labels)");
  }
  if (auto record = map.optional("record")) {
    dns.record = record->as_string();
    if (!parse_record_type(dns.record)) {
      record->fail("unknown record type \"" + dns.record + "\" (expected A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT, CAA)");
    }
  }
  if (auto transports = map.optional("transports")) {
    dns.transports.clear();
    for (const Field& item : transports->as_list()) {
      const std::string name = item.as_string();
      const auto parsed = kDnsTransports.parse(name);
      if (!parsed) item.fail("unknown transport \"" + name + "\" (expected " + kDnsTransports.names() + ")");
      const DnsTransport transport = *parsed;
      if (std::find(dns.transports.begin(), dns.transports.end(), transport) != dns.transports.end()) {
        item.fail("transport \"" + name + "\" is listed twice");
      }
      dns.transports.push_back(transport);
    }
    if (dns.transports.empty()) transports->fail("needs at least one transport");
  }
  if (auto rcode = map.optional("expect_rcode")) {
    const std::string name = rcode->as_string();
    auto value = parse_rcode(name);
    if (!value) rcode->fail("unknown rcode \"" + name + "\" (expected e.g. NOERROR, NXDOMAIN)");
    dns.expect_rcode = *value;
  }
  if (auto answers = map.optional("expect_answers")) dns.expect_answers = answers->as_bool();
  return dns;
}

StatusRange read_status_range(const Field& field) {
  const std::string text = field.as_string();
  StatusRange range;
  const auto dash = text.find('-');
  auto number = [&](std::string_view part) {
    int value = 0;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (error != std::errc{} || end != part.data() + part.size() || value < 100 || value > 599) {
      field.fail("invalid status \"" + text + "\" (expected e.g. 200 or 200-299)");
    }
    return value;
  };
  if (dash == std::string::npos) {
    range.low = range.high = number(text);
  } else {
    range.low = number(std::string_view(text).substr(0, dash));
    range.high = number(std::string_view(text).substr(dash + 1));
    if (range.low > range.high) field.fail("invalid status range \"" + text + "\" (low above high)");
  }
  return range;
}

HttpTls read_tls(const Field& field, CaFiles ca_files) {
  HttpTls tls;
  MapReader map(field);
  if (auto ca_file = map.optional("ca_file")) {
    if (ca_files == CaFiles::refused) {
      ca_file->fail("not allowed in an ad hoc probe (the agent would open a file the caller names); "
                    "put the probe in the agent's config");
    }
    tls.ca_file = ca_file->as_string();
    if (tls.ca_file.empty()) ca_file->fail("needs a file name");
    if (ca_files == CaFiles::read) {
      if (const std::string problem = ca_file_problem(tls.ca_file); !problem.empty()) ca_file->fail(problem);
    }
  }
  if (auto server_name = map.optional("server_name")) {
    tls.server_name = server_name->as_string();
    // What goes in SNI and is matched against the certificate: a host name
    // without the trailing dot (RFC 6066), or an IP literal matched against IP SANs.
    if (!is_ip_literal(tls.server_name) && (tls.server_name.ends_with('.') || !plausible_host_name(tls.server_name))) {
      server_name->fail("\"" + tls.server_name + "\" is not a host name (e.g. web.internal, without a trailing dot)");
    }
  }
  if (auto insecure = map.optional("insecure_skip_verify")) tls.insecure_skip_verify = insecure->as_bool();
  map.finish();
  return tls;
}

HttpSpec read_http(MapReader& map, CaFiles ca_files) {
  HttpSpec http;
  const Field url = map.required("url");
  http.url = url.as_string();
  UrlError error;
  const std::optional<HttpUrl> parsed = parse_http_url(http.url, &error);
  if (!parsed) url.fail("invalid URL \"" + http.url + "\": " + error.message);
  if (auto tls = map.optional("tls")) {
    if (!parsed->tls) tls->fail("only for https:// URLs (the URL is \"" + http.url + "\")");
    http.tls = read_tls(*tls, ca_files);
  }
  if (auto method = map.optional("method")) {
    http.method = method->as_string();
    static constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "OPTIONS", "DELETE", "PATCH"};
    if (std::find(std::begin(kMethods), std::end(kMethods), http.method) == std::end(kMethods)) {
      method->fail("unsupported method \"" + http.method + "\" (expected GET, HEAD, POST, PUT, OPTIONS, DELETE, PATCH)");
    }
  }
  if (auto statuses = map.optional("expect_status")) {
    http.expect_status.clear();
    if (statuses->node().IsScalar()) {
      http.expect_status.push_back(read_status_range(*statuses));
    } else {
      for (const Field& item : statuses->as_list(kMaxStatusRanges)) http.expect_status.push_back(read_status_range(item));
      if (http.expect_status.empty()) statuses->fail("needs at least one status");
    }
  }
  if (auto headers = map.optional("headers")) {
    if (!headers->node().IsMap()) headers->fail("expected a mapping of header names to values");
    headers->require_at_most(kMaxHeaders);
    for (const auto& entry : headers->node()) {
      const Field value(entry.second, headers->path() + "." + entry.first.Scalar(), headers->source());
      const std::string name = entry.first.Scalar();
      if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos) {
        value.fail("invalid header name");
      }
      std::string text = value.as_string();
      if (!header_value_is_clean(text)) value.fail("header value has a control character");
      if (text.size() > kMaxHeaderValue) value.fail("header value longer than " + std::to_string(kMaxHeaderValue) + " characters");
      http.headers.emplace_back(name, std::move(text));
    }
  }
  return http;
}

MetadataSpec read_metadata(MapReader& map) {
  MetadataSpec metadata;
  if (auto address = map.optional("address")) metadata.address = read_endpoint(*address, 80);
  if (auto flavor = map.optional("flavor")) {
    const std::string name = flavor->as_string();
    const auto parsed = kMetadataFlavors.parse(name);
    if (!parsed) flavor->fail("unknown flavor \"" + name + "\" (expected " + kMetadataFlavors.names() + ")");
    metadata.flavor = *parsed;
  }
  return metadata;
}

}  // namespace

std::string ca_file_problem(const std::string& path) {
  // Non-blocking, so a FIFO named here cannot hang a config load; the fstat
  // below refuses it (and devices) before anything is read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return "cannot read " + path + ": " + std::strerror(errno);
  struct stat info{};
  std::string problem;
  std::string text;
  if (::fstat(fd, &info) != 0) {
    problem = "cannot read " + path + ": " + std::strerror(errno);
  } else if (!S_ISREG(info.st_mode)) {
    problem = path + " is not a regular file";
  } else if (static_cast<std::size_t>(info.st_size) > kMaxCaFile) {
    problem = path + " is larger than " + std::to_string(kMaxCaFile) + " bytes";
  } else {
    text.resize(static_cast<std::size_t>(info.st_size));
    std::size_t filled = 0;
    while (filled < text.size()) {
      const ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        problem = "cannot read " + path + ": " + std::strerror(errno);
        break;
      }
      if (got == 0) break;
      filled += static_cast<std::size_t>(got);
    }
    text.resize(filled);
  }
  ::close(fd);
  if (!problem.empty()) return problem;
  const auto begin = text.find("-----BEGIN CERTIFICATE-----");
  if (begin == std::string::npos || text.find("-----END CERTIFICATE-----", begin) == std::string::npos) {
    return path + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)";
  }
  return "";
}

ProbeSpec read_probe(const Field& field, const ProbeDefaults& defaults, bool name_required,
                     std::string_view default_name, CaFiles ca_files) {
  MapReader map(field);
  ProbeSpec spec;
  spec.interval = defaults.interval;
  spec.timeout = defaults.timeout;

  auto name = name_required ? std::optional<Field>(map.required("name")) : map.optional("name");
  spec.name = name ? name->as_string() : std::string(default_name);
  if (name && !valid_name(spec.name)) {
    name->fail("invalid name \"" + spec.name + "\" (expected letters, digits, '-', '_', '.')");
  }

  const Field type = map.required("type");
  const std::string type_name = type.as_string();
  if (auto expect = map.optional("expect")) {
    const std::string text = expect->as_string();
    auto value = parse_expect(text);
    if (!value) expect->fail("unknown expect \"" + text + "\" (expected " + kExpects.names() + ")");
    spec.expect = *value;
  }
  if (auto interval = map.optional("interval")) {
    spec.interval = interval->as_duration();
    if (spec.interval < Millis{100}) interval->fail("interval must be at least 100ms");
  }
  std::optional<Field> timeout = map.optional("timeout");
  if (timeout) {
    spec.timeout = timeout->as_duration();
    if (spec.timeout < Millis{1}) timeout->fail("timeout must be positive");
  }

  const auto probe_type = kProbeTypes.parse(type_name);
  if (!probe_type) type.fail("unknown probe type \"" + type_name + "\" (expected " + kProbeTypes.names() + ")");
  switch (*probe_type) {
    case ProbeType::dns: spec.params = read_dns(map); break;
    case ProbeType::tcp: spec.params = TcpSpec{read_endpoint(map.required("target"))}; break;
    case ProbeType::http: spec.params = read_http(map, ca_files); break;
    case ProbeType::metadata: spec.params = read_metadata(map); break;
  }
  map.finish();

  // A timeout longer than the interval would make every run overrun the next.
  if (spec.timeout > spec.interval) {
    const Field& culprit = timeout ? *timeout : field;
    culprit.fail("timeout " + format_duration(spec.timeout) + " exceeds interval " +
                 format_duration(spec.interval));
  }
  return spec;
}

std::vector<std::shared_ptr<const ProbeSpec>> read_probe_list(const Field& field, const ProbeDefaults& defaults,
                                                              CaFiles ca_files) {
  std::vector<std::shared_ptr<const ProbeSpec>> probes;
  std::set<std::string> names;
  for (const Field& item : field.as_list()) {
    ProbeSpec spec = read_probe(item, defaults, true, "adhoc", ca_files);
    if (!names.insert(spec.name).second) {
      MapReader(item).required("name").fail("duplicate probe name \"" + spec.name + "\"");
    }
    probes.push_back(std::make_shared<const ProbeSpec>(std::move(spec)));
  }
  return probes;
}

std::string read_listen_address(const Field& field) {
  std::string listen = field.as_string();
  if (!parse_listen_address(listen)) field.fail("invalid listen address \"" + listen + "\" (expected [host]:port)");
  return listen;
}

ProbeSpec parse_probe_document(std::string_view text, const std::string& source,
                               const ProbeDefaults& defaults) {
  return read_probe(Field(load_yaml(text, source), "", source), defaults, false);
}

ProbeSpec parse_probe_json(const nlohmann::json& probe, const std::string& path, const ProbeDefaults& defaults) {
  static const std::string source = "request";  // Field keeps a reference to it
  return read_probe(Field(yaml_from_json(probe), path, source), defaults, false, "adhoc", CaFiles::refused);
}

}  // namespace netprobe
