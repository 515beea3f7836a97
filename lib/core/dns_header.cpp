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

namespace {

// Past one encoded name at `offset` (labels, ending in a zero byte or a
// compression pointer); nullopt when it runs off the message.
std::optional<std::size_t> skip_name(std::span<const unsigned char> message, std::size_t offset) {
  while (offset < message.size()) {
    const unsigned char length = message[offset];
    if (length == 0) return offset + 1;
    if ((length & 0xC0) == 0xC0) return offset + 2 <= message.size() ? std::optional(offset + 2) : std::nullopt;
    if ((length & 0xC0) != 0) return std::nullopt;  // reserved label types
    offset += 1 + std::size_t{length};
  }
  return std::nullopt;
}

int read_u16(std::span<const unsigned char> message, std::size_t offset) {
  return (message[offset] << 8) | message[offset + 1];
}

}  // namespace

std::optional<int> count_answers_of_type(std::span<const unsigned char> message, int type) {
  const auto header = read_dns_header(message);
  if (!header) return std::nullopt;
  std::size_t offset = 12;
  for (int i = 0; i < header->question_count; ++i) {
    const auto end = skip_name(message, offset);
    if (!end || *end + 4 > message.size()) return std::nullopt;
    offset = *end + 4;  // QTYPE, QCLASS
  }
  int count = 0;
  for (int i = 0; i < header->answer_count; ++i) {
    const auto end = skip_name(message, offset);
    if (!end || *end + 10 > message.size()) return std::nullopt;  // TYPE, CLASS, TTL, RDLENGTH
    if (read_u16(message, *end) == type) ++count;
    offset = *end + 10 + static_cast<std::size_t>(read_u16(message, *end + 8));
    if (offset > message.size()) return std::nullopt;
  }
  return count;
}

std::optional<int> bare_reply_rcode(std::span<const unsigned char> message) {
  const auto header = read_dns_header(message);
  if (!header || !header->response || header->question_count != 0 || header->rcode == 0) return std::nullopt;
  return header->rcode;
}

}  // namespace netprobe
