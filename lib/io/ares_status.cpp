#include "ares_status.hpp"

#include <ares.h>

namespace netprobe {
namespace {

struct StatusName {
  int status;
  std::string_view name;
  std::string_view reason;
};

// ares_strerror() gives prose ("Timeout while contacting DNS servers"); logs
// and tests want the constant, which is what people search for.
constexpr StatusName kStatuses[] = {
    {ARES_SUCCESS, "ARES_SUCCESS", "success"},
    {ARES_ENODATA, "ARES_ENODATA", "the name exists but has no records of that type"},
    {ARES_EFORMERR, "ARES_EFORMERR", "FORMERR, the server could not read the query"},
    {ARES_ESERVFAIL, "ARES_ESERVFAIL", "SERVFAIL, the server or its upstream failed"},
    {ARES_ENOTFOUND, "ARES_ENOTFOUND", "NXDOMAIN, the name does not exist"},
    {ARES_ENOTIMP, "ARES_ENOTIMP", "NOTIMP, the server does not implement the query"},
    {ARES_EREFUSED, "ARES_EREFUSED", "REFUSED, the server refused to answer (ACL or wrong server)"},
    {ARES_EBADQUERY, "ARES_EBADQUERY", "the query could not be built"},
    {ARES_EBADNAME, "ARES_EBADNAME", "the name is not a valid DNS name"},
    {ARES_EBADFAMILY, "ARES_EBADFAMILY", "unsupported address family"},
    {ARES_EBADRESP, "ARES_EBADRESP", "the answer was malformed"},
    {ARES_ECONNREFUSED, "ARES_ECONNREFUSED", "the nameserver refused the connection (nothing listening)"},
    {ARES_ETIMEOUT, "ARES_ETIMEOUT", "no answer from the nameserver"},
    {ARES_EOF, "ARES_EOF", "the nameserver closed the connection"},
    {ARES_EFILE, "ARES_EFILE", "a resolver file could not be read"},
    {ARES_ENOMEM, "ARES_ENOMEM", "out of memory"},
    {ARES_EDESTRUCTION, "ARES_EDESTRUCTION", "the resolver was shut down"},
    {ARES_EBADSTR, "ARES_EBADSTR", "malformed string"},
    {ARES_EBADFLAGS, "ARES_EBADFLAGS", "bad flags"},
    {ARES_ENONAME, "ARES_ENONAME", "the name is not known"},
    {ARES_EBADHINTS, "ARES_EBADHINTS", "bad lookup hints"},
    {ARES_ENOTINITIALIZED, "ARES_ENOTINITIALIZED", "c-ares is not initialised"},
    {ARES_ELOADIPHLPAPI, "ARES_ELOADIPHLPAPI", "iphlpapi could not be loaded"},
    {ARES_EADDRGETNETWORKPARAMS, "ARES_EADDRGETNETWORKPARAMS", "network parameters could not be read"},
    {ARES_ECANCELLED, "ARES_ECANCELLED", "no answer before the deadline"},
    {ARES_ESERVICE, "ARES_ESERVICE", "unknown service"},
};

const StatusName* find(int status) {
  for (const StatusName& entry : kStatuses) {
    if (entry.status == status) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string_view ares_status_name(int status) {
  const StatusName* entry = find(status);
  return entry ? entry->name : "ARES_UNKNOWN";
}

std::string_view ares_status_reason(int status) {
  const StatusName* entry = find(status);
  return entry ? entry->reason : "unknown c-ares error";
}

DnsExchange dns_exchange_for(int status) {
  switch (status) {
    // ares_query() turns the response's rcode into these; the answer came back.
    case ARES_SUCCESS:
    case ARES_ENODATA:  // NOERROR with no records
    case ARES_EFORMERR:
    case ARES_ESERVFAIL:
    case ARES_ENOTFOUND:
    case ARES_ENOTIMP:
    case ARES_EREFUSED:
      return DnsExchange::answered;
    case ARES_ETIMEOUT:
    case ARES_ECANCELLED:
      return DnsExchange::timeout;
    // c-ares reports ICMP port-unreachable (UDP) and RST (TCP) this way.
    case ARES_ECONNREFUSED:
      return DnsExchange::refused;
    default:
      return DnsExchange::failed;
  }
}

int ares_status_for_rcode(int rcode, int answer_count) {
  switch (rcode) {
    case 0: return answer_count > 0 ? ARES_SUCCESS : ARES_ENODATA;
    case 1: return ARES_EFORMERR;
    case 2: return ARES_ESERVFAIL;
    case 3: return ARES_ENOTFOUND;
    case 4: return ARES_ENOTIMP;
    case 5: return ARES_EREFUSED;
    default: return ARES_EBADRESP;
  }
}

}  // namespace netprobe
