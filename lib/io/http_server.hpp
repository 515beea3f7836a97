#pragma once
// A small HTTP/1.1 server on Beast for /metrics, health and the JSON APIs.
// Routing is somebody else's pure function (HttpRequest -> HttpResponse); this
// class only reads, hands over, writes, and enforces limits: a body size limit,
// a deadline on every read and write (slow clients cannot hold a connection),
// and a cap on open connections.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/duration.hpp"
#include "core/http_message.hpp"

namespace netprobe {

class HttpServer {
 public:
  using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest)>;
  // Looks at a request's headers before its body is read (the HttpRequest has
  // no body yet); a response here is sent at once and the connection closed,
  // so an unauthenticated client cannot make the server buffer a large body.
  using Admission = std::function<std::optional<HttpResponse>(const HttpRequest& head, std::uint64_t content_length)>;

  struct Options {
    std::size_t body_limit = 1 << 20;
    std::size_t header_limit = 16 << 10;
    Millis read_timeout{10'000};  // a whole request, idle keep-alive included
    Millis write_timeout{10'000};
    std::size_t max_connections = 256;
    Admission admit;  // optional
  };

  HttpServer(boost::asio::any_io_executor executor, Handler handler, Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // ":9743" (all interfaces, IPv6 and IPv4), "127.0.0.1:0", "[::1]:9743".
  // Throws std::runtime_error naming the address on failure.
  void listen(const std::string& address);
  std::uint16_t port() const;

  void start();  // accepts until stop()
  void stop();   // closes the listener and every open connection

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace netprobe
