// Socket, TLS and Beast errors -> Outcome, without sockets.
#include <doctest/doctest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "io/error_outcome.hpp"

using namespace netprobe;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

TEST_CASE("error_outcome: deadlines are timeouts") {
  CHECK(classify_error(boost::beast::error::timeout) == Outcome::timeout);
  CHECK(classify_error(asio::error::operation_aborted) == Outcome::timeout);
  CHECK(classify_error(error_code(ETIMEDOUT, boost::system::system_category())) == Outcome::timeout);
}

TEST_CASE("error_outcome: socket errors go through classify_errno") {
  CHECK(classify_error(asio::error::connection_refused) == Outcome::refused);
  CHECK(classify_error(asio::error::host_unreachable) == Outcome::unreachable);
  CHECK(classify_error(asio::error::network_unreachable) == Outcome::unreachable);
  CHECK(classify_error(asio::error::connection_reset) == Outcome::reset);
  CHECK(classify_error(asio::error::broken_pipe) == Outcome::reset);
  CHECK(classify_error(error_code(ECONNREFUSED, boost::system::generic_category())) == Outcome::refused);
}

TEST_CASE("error_outcome: the peer hanging up where a reply was due is a reset") {
  CHECK(classify_error(asio::error::eof) == Outcome::reset);
  CHECK(classify_error(http::error::end_of_stream) == Outcome::reset);
  CHECK(classify_error(http::error::partial_message) == Outcome::reset);
}

TEST_CASE("error_outcome: TLS failures are tls_error") {
  CHECK(classify_error(asio::ssl::error::stream_truncated) == Outcome::tls_error);
  const auto verify_failed =
      static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED));
  CHECK(classify_error(error_code(verify_failed, asio::error::get_ssl_category())) == Outcome::tls_error);
  CHECK(classify_error(error_code(verify_failed, asio::error::get_ssl_category()), true) == Outcome::tls_error);
}

TEST_CASE("error_outcome: a TLS stream cut short after the handshake is the server hanging up") {
  CHECK(classify_error(asio::ssl::error::stream_truncated, true) == Outcome::reset);
  CHECK(classify_error(asio::ssl::error::stream_truncated, false) == Outcome::tls_error);  // during the handshake
}

TEST_CASE("error_outcome: malformed or oversized HTTP and anything unknown is an error") {
  CHECK(classify_error(http::error::bad_version) == Outcome::error);
  CHECK(classify_error(http::error::body_limit) == Outcome::error);
  CHECK(classify_error(asio::error::host_not_found) == Outcome::error);
}
