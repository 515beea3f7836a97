#include "dns_header.hpp"

namespace netprobe {

std::optional<DnsHeader> read_dns_header(std::span<const unsigned char> message) {
  constexpr std::size_t kHeaderSize = 12;
  if (message.size() < kHeaderSize) return std::nullopt;
  DnsHeader header;
  header.response = (message[2] & 0x80) != 0;
  header.truncated = (message[2] & 0x02) != 0;
  header.rcode = message[3] & 0x0F;
  header.question_count = (message[4] << 8) | message[5];
  header.answer_count = (message[6] << 8) | message[7];
  return header;
}

std::optional<int> bare_reply_rcode(std::span<const unsigned char> message) {
  const auto header = read_dns_header(message);
  if (!header || !header->response || header->question_count != 0 || header->rcode == 0) return std::nullopt;
  return header->rcode;
}

}  // namespace netprobe
