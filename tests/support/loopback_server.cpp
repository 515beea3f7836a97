#include "support/loopback_server.hpp"

#include <sys/socket.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace netprobe::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

LoopbackServer::LoopbackServer(Handler handle)
    : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), handle_(std::move(handle)) {
  thread_ = std::thread([this] { run(); });
}

LoopbackServer::~LoopbackServer() {
  // shutdown() wakes a thread blocked in accept(); close() alone does not.
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  thread_.join();
}

void LoopbackServer::run() {
  for (;;) {
    Socket socket(io_);
    boost::system::error_code error;
    acceptor_.accept(socket, error);
    if (error) return;
    handle_(socket);
  }
}

bool read_http_request(LoopbackServer::Socket& socket, HttpRequestSeen* request) {
  boost::beast::flat_buffer buffer;
  HttpRequestSeen received;
  boost::system::error_code error;
  http::read(socket, buffer, received, error);
  if (error) return false;
  if (request != nullptr) *request = std::move(received);
  return true;
}

LoopbackServer::Handler answer_with(http::status status, std::function<void(const HttpRequestSeen&)> on_request) {
  return [status, on_request = std::move(on_request)](LoopbackServer::Socket& socket) {
    HttpRequestSeen request;
    if (!read_http_request(socket, &request)) return;
    if (on_request) on_request(request);
    http::response<http::string_body> response(status, 11);
    response.body() = "hello from the test server\n";
    response.keep_alive(false);
    response.prepare_payload();
    boost::system::error_code error;
    http::write(socket, response, error);
  };
}

}  // namespace netprobe::testing
