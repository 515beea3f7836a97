#include "core/dns_header.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace netprobe;

namespace {

// A 12-byte header: id 0x1234, the given flag bytes, QDCOUNT, ANCOUNT, and no other records.
std::vector<unsigned char> header(unsigned char flags_high, unsigned char flags_low, unsigned char questions,
                                  unsigned char answers = 0) {
  return {0x12, 0x34, flags_high, flags_low, 0, questions, 0, answers, 0, 0, 0, 0};
}

}  // namespace

TEST_CASE("the header's flags, rcode and counts") {
  const auto parsed = read_dns_header(header(0x83, 0x83, 1, 2));  // QR, TC, RD; RA, NXDOMAIN
  REQUIRE(parsed);
  CHECK(parsed->response);
  CHECK(parsed->truncated);
  CHECK(parsed->rcode == 3);
  CHECK(parsed->question_count == 1);
  CHECK(parsed->answer_count == 2);
  const std::vector<unsigned char> counts{0, 0, 0x80, 0, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0};
  CHECK(read_dns_header(counts)->question_count == 0x0102);  // big-endian
  CHECK(read_dns_header(counts)->answer_count == 0x0304);
  CHECK_FALSE(read_dns_header(counts)->truncated);
}

TEST_CASE("a message shorter than a header has none") {
  CHECK_FALSE(read_dns_header(std::vector<unsigned char>{0x12, 0x34, 0x81}));
  CHECK_FALSE(read_dns_header({}));
  CHECK(read_dns_header(header(0x81, 0, 0)));  // exactly 12 bytes
}

TEST_CASE("a response without a question and with an error rcode is a bare reply") {
  CHECK(bare_reply_rcode(header(0x81, 0x05, 0)) == 5);  // unbound's ACL refusal: REFUSED
  CHECK(bare_reply_rcode(header(0x81, 0x01, 0)) == 1);  // FORMERR
  CHECK_FALSE(bare_reply_rcode(header(0x81, 0x05, 1)));  // has its question: c-ares handles it
  CHECK_FALSE(bare_reply_rcode(header(0x01, 0x05, 0)));  // not a response
  CHECK_FALSE(bare_reply_rcode(header(0x81, 0x00, 0)));  // NOERROR
  CHECK_FALSE(bare_reply_rcode(std::vector<unsigned char>{0x12, 0x34, 0x81}));  // shorter than a header
}

TEST_CASE("answers of the asked type are counted past the question and other records") {
  // "a." AAAA: NOERROR, a CNAME answer only (compressed name pointing at the question).
  std::vector<unsigned char> message = header(0x81, 0x80, 1, 1);
  const std::vector<unsigned char> question{1, 'a', 0, 0, 28, 0, 1};
  message.insert(message.end(), question.begin(), question.end());
  const std::vector<unsigned char> cname{0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'b', 0xC0, 12};
  message.insert(message.end(), cname.begin(), cname.end());
  CHECK(count_answers_of_type(message, 28) == 0);
  CHECK(count_answers_of_type(message, 5) == 1);

  std::vector<unsigned char> with_aaaa = message;
  with_aaaa[7] = 2;
  const std::vector<unsigned char> aaaa{0xC0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0,
                                        0,    0,  0, 0,  0, 0, 0, 0, 0, 1};
  with_aaaa.insert(with_aaaa.end(), aaaa.begin(), aaaa.end());
  CHECK(count_answers_of_type(with_aaaa, 28) == 1);

  // No answers at all: NODATA's usual shape.
  std::vector<unsigned char> empty = header(0x81, 0x80, 1, 0);
  empty.insert(empty.end(), question.begin(), question.end());
  CHECK(count_answers_of_type(empty, 28) == 0);

  // Cut short, or a count the message does not hold: cannot tell.
  CHECK_FALSE(count_answers_of_type(std::vector<unsigned char>(with_aaaa.begin(), with_aaaa.end() - 3), 28));
  CHECK_FALSE(count_answers_of_type(header(0x81, 0x80, 1, 0), 28));
  CHECK_FALSE(count_answers_of_type({}, 28));
}
