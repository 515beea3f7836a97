#pragma once
// A small HTTP/1.1 server on Beast for /metrics, health and the JSON APIs.
// Routing is somebody else's pure function (HttpRequest -> HttpResponse); this
// class only reads, hands over, writes, and holds the limits that let it
// survive hostile clients (docs/security.md):
// - each request is admitted on its headers before any body byte is read
//   (token, route, the route's body limit), and a body is cut off with 413 the
//   moment it passes that limit, chunked or not;
// - bodies in flight share one memory budget (503 when it is spent);
// - a deadline before every read: the header within header_timeout (idle
//   keep-alive included), the body within body_timeout;
// - per-client and total connection caps, where a newcomer at the total cap
//   displaces the connection waiting longest for a header (ConnectionTable),
//   so kubelet and Prometheus get through a flood of slow clients;
// - accept failures for want of descriptors back off instead of spinning;
// - a handler that waits on the network (Admission::waits_on_network) is
//   cancelled when its client hangs up.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/duration.hpp"
#include "core/http_message.hpp"

namespace netprobe {

class HttpServer {
 public:
  using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest)>;
  // Looks at a request's headers (the HttpRequest has no body yet).
  using Admit = std::function<Admission(const HttpRequest& head)>;
  // Told of every request the server itself refuses on its head (admission,
  // 413 while reading, 503 busy, 400 for a control byte), e.g. to count them.
  using RefusalSink = std::function<void(const HttpRequest& head, int status)>;

  struct Options {
    std::size_t header_limit = 16 << 10;
    Millis header_timeout{5'000};  // from connect, or the last response, to a complete header
    Millis body_timeout{10'000};
    Millis write_timeout{10'000};
    std::size_t max_connections = 256;
    std::size_t max_connections_per_client = 32;
    std::size_t body_memory = 1 << 20;  // bytes of request bodies in flight, all connections together
    Admit admit;                        // required
    RefusalSink on_refused;             // optional
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
  // Closes the listener and every connection waiting for a request; a request
  // being handled still gets its answer, then its connection closes.
  void stop();
  std::size_t open_connections() const;  // after stop(): those still answering

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace netprobe
