#include "error_outcome.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "core/classify.hpp"

namespace netprobe {

Outcome classify_error(const boost::system::error_code& error, bool after_handshake) {
  namespace asio = boost::asio;
  if (error == boost::beast::error::timeout || error == asio::error::operation_aborted) {
    return Outcome::timeout;
  }
  if (after_handshake && error == asio::ssl::error::stream_truncated) return Outcome::reset;
  if (error.category() == asio::error::get_ssl_category() || error == asio::ssl::error::stream_truncated) {
    return Outcome::tls_error;
  }
  // The peer hung up where a reply was due: before any of it (end_of_stream)
  // or in the middle of it (partial_message).
  if (error == asio::error::eof || error == boost::beast::http::error::end_of_stream ||
      error == boost::beast::http::error::partial_message) {
    return Outcome::reset;
  }
  if (error.category() == boost::system::system_category() ||
      error.category() == boost::system::generic_category()) {
    return classify_errno(error.value());
  }
  return Outcome::error;
}

}  // namespace netprobe
