#pragma once
// The sockets of a c-ares channel, opened and read through our own functions
// (ares_set_socket_functions) so that replies c-ares would silently drop are
// still seen.
//
// Why: c-ares 1.18 ignores a reply whose question section does not match the
// query, and some servers refuse with a bare 12-byte header (unbound's
// `access-control: ... refuse` does, over UDP and TCP). c-ares then waits for
// its timeout and reports ARES_ETIMEOUT: an ACL would look like a
// NetworkPolicy drop, the confusion netprobe exists to avoid.
#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include <ares.h>

namespace netprobe {

// Reassembles DNS-over-TCP messages (2-byte length prefix, RFC 1035 4.2.2)
// from the pieces c-ares reads off a stream.
class TcpMessageFramer {
 public:
  // Calls `on_message` for every message completed by `bytes`.
  void feed(std::span<const unsigned char> bytes,
            const std::function<void(std::span<const unsigned char>)>& on_message);

 private:
  std::array<unsigned char, 2> prefix_{};
  std::size_t prefix_have_ = 0;
  std::vector<unsigned char> message_;
  std::size_t message_size_ = 0;
};

// Plain non-blocking sockets for c-ares, watching what they read for bare
// replies, and reporting a failed TCP connect (see pending_connect_error).
class AresSocketTap {
 public:
  using BareReply = std::function<void(int rcode)>;

  // Routes `channel`'s socket calls through this tap (which must outlive it).
  void install(ares_channel channel);
  void on_bare_reply(BareReply callback) { on_bare_reply_ = std::move(callback); }
  // Sockets c-ares has opened and not yet closed.
  std::size_t open_sockets() const { return sockets_.size(); }
  bool is_stream(ares_socket_t fd) const {
    auto found = sockets_.find(fd);
    return found != sockets_.end() && found->second.framer.has_value();
  }

 private:
  static ares_socket_t open(int domain, int type, int protocol, void* tap);
  static int close(ares_socket_t fd, void* tap);
  static int connect(ares_socket_t fd, const sockaddr* address, ares_socklen_t length, void* tap);
  static ares_ssize_t receive(ares_socket_t fd, void* buffer, std::size_t length, int flags, sockaddr* from,
                              ares_socklen_t* from_length, void* tap);
  static ares_ssize_t send(ares_socket_t fd, const iovec* pieces, int count, void* tap);

  struct Socket {
    std::optional<TcpMessageFramer> framer;  // streams only: a datagram is one message
    bool connecting = false;                 // a stream whose connect() is still in progress
  };

  int pending_connect_error(ares_socket_t fd);
  void inspect(ares_socket_t fd, std::span<const unsigned char> bytes);
  void report(std::span<const unsigned char> message);

  std::map<ares_socket_t, Socket> sockets_;
  BareReply on_bare_reply_;
};

}  // namespace netprobe
