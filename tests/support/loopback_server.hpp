#pragma once
// A blocking TCP server on 127.0.0.1:<ephemeral> for integration tests: each
// connection is handed, one at a time, to `handle` on the server's own thread.
// Stopped and joined on destruction.
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

namespace netprobe::testing {

class LoopbackServer {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using Handler = std::function<void(Socket&)>;

  explicit LoopbackServer(Handler handle);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  std::string url(const std::string& path = "/") const { return "http://" + address() + path; }

 private:
  void run();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handle_;
  std::thread thread_;
};

using HttpRequestSeen = boost::beast::http::request<boost::beast::http::string_body>;

// Reads one HTTP request from the socket; false if the client went away first.
bool read_http_request(LoopbackServer::Socket& socket, HttpRequestSeen* request = nullptr);

// A handler that answers every request with `status` and closes.
// `on_request`, when set, sees each request first (on the server thread).
LoopbackServer::Handler answer_with(boost::beast::http::status status,
                                    std::function<void(const HttpRequestSeen&)> on_request = {});

}  // namespace netprobe::testing
