#pragma once
// c-ares status codes -> how a DNS exchange ended. Pure (no c-ares calls), so
// the mapping is tested without sockets. The raw status name is kept next to
// the mapped value: NXDOMAIN, SERVFAIL and a timeout are different failures
// and must never be folded into one "not found".
#include <string_view>

#include "core/classify.hpp"

namespace netprobe {

// "ARES_ETIMEOUT" for ARES_ETIMEOUT (12); "ARES_UNKNOWN" for codes this build does not know.
std::string_view ares_status_name(int status);

// How the exchange ended. Statuses c-ares derives from a response's rcode
// (ARES_SUCCESS, ARES_ENOTFOUND, ARES_ESERVFAIL, ...) are `answered`: the caller
// then reads the rcode from the answer itself. ARES_ECANCELLED counts as a
// timeout because netprobe only cancels a query when its deadline passed.
DnsExchange dns_exchange_for(int status);

// The status ares_query() gives a well-formed answer with this rcode
// (NOERROR with `answer_count` 0 is ARES_ENODATA).
int ares_status_for_rcode(int rcode, int answer_count);

// Why a host name did not resolve, for people: "NXDOMAIN, the name does not exist".
std::string_view ares_status_reason(int status);

}  // namespace netprobe
