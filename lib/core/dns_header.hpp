#pragma once
// The fixed 12-byte header of a DNS message (RFC 1035 4.1.1): the one reader of
// it, for the answers c-ares hands back and the replies it drops unread.
#include <optional>
#include <span>

namespace netprobe {

struct DnsHeader {
  bool response = false;  // QR
  bool truncated = false;  // TC
  int rcode = 0;
  int question_count = 0;
  int answer_count = 0;
};

// nullopt when the message is shorter than a header.
std::optional<DnsHeader> read_dns_header(std::span<const unsigned char> message);

// How many records of `type` the answer section holds (a CNAME chain's CNAMEs
// are not of type A); nullopt when the message cannot be walked that far.
// NOERROR with none is NODATA: the name exists, without that record.
std::optional<int> count_answers_of_type(std::span<const unsigned char> message, int type);

// A response that carries no question (what some servers send for a query
// they cannot parse, or refuse): its nonzero rcode, else nullopt. c-ares
// cannot match such a reply to its query and drops it (lib/io/ares_sockets.hpp).
std::optional<int> bare_reply_rcode(std::span<const unsigned char> message);

}  // namespace netprobe
