#include "ares_sockets.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/dns_header.hpp"

namespace netprobe {

void TcpMessageFramer::feed(std::span<const unsigned char> bytes,
                            const std::function<void(std::span<const unsigned char>)>& on_message) {
  while (!bytes.empty()) {
    if (prefix_have_ < prefix_.size()) {
      prefix_[prefix_have_++] = bytes.front();
      bytes = bytes.subspan(1);
      if (prefix_have_ == prefix_.size()) {
        message_size_ = static_cast<std::size_t>((prefix_[0] << 8) | prefix_[1]);
        message_.clear();
      }
    } else {
      const std::size_t take = std::min(bytes.size(), message_size_ - message_.size());
      message_.insert(message_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
      bytes = bytes.subspan(take);
    }
    if (prefix_have_ == prefix_.size() && message_.size() == message_size_) {
      on_message(message_);
      prefix_have_ = 0;
    }
  }
}

void AresSocketTap::install(ares_channel channel) {
  static const ares_socket_functions kFunctions{&open, &close, &connect, &receive, &send};
  ares_set_socket_functions(channel, &kFunctions, this);
}

ares_socket_t AresSocketTap::open(int domain, int type, int protocol, void* tap) {
  // c-ares sets no socket options on sockets it did not open itself, so they
  // are made non-blocking here.
  const int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return ARES_SOCKET_BAD;
  Socket socket;
  if (type == SOCK_STREAM) socket.framer.emplace();
  static_cast<AresSocketTap*>(tap)->sockets_.insert_or_assign(fd, std::move(socket));
  return fd;
}

int AresSocketTap::close(ares_socket_t fd, void* tap) {
  static_cast<AresSocketTap*>(tap)->sockets_.erase(fd);
  return ::close(fd);
}

int AresSocketTap::connect(ares_socket_t fd, const sockaddr* address, ares_socklen_t length, void* tap) {
  const int result = ::connect(fd, address, length);
  if (result != 0 && errno == EINPROGRESS) {
    auto& sockets = static_cast<AresSocketTap*>(tap)->sockets_;
    if (auto found = sockets.find(fd); found != sockets.end() && found->second.framer) {
      found->second.connecting = true;
    }
  }
  return result;
}

// c-ares 1.18 never asks SO_ERROR whether a non-blocking connect() failed. When
// an ICMP port-unreachable (a REJECT rule) answers the SYN while the kernel
// holds the socket, Linux records only a soft error and keeps the socket in
// SYN_SENT: poll says EPOLLERR, send and recv say EAGAIN, and c-ares would spin
// until its timeout. Asio's own connect reads SO_ERROR and calls it refused;
// so do we, by failing c-ares' next send or recv with that error.
int AresSocketTap::pending_connect_error(ares_socket_t fd) {
  auto found = sockets_.find(fd);
  if (found == sockets_.end() || !found->second.connecting) return 0;
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  if (error != 0) return error;
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) == 0) found->second.connecting = false;
  return 0;
}

ares_ssize_t AresSocketTap::receive(ares_socket_t fd, void* buffer, std::size_t length, int flags, sockaddr* from,
                                    ares_socklen_t* from_length, void* tap) {
  auto& self = *static_cast<AresSocketTap*>(tap);
  if (const int error = self.pending_connect_error(fd); error != 0) {
    errno = error;
    return -1;
  }
  const ssize_t count = ::recvfrom(fd, buffer, length, flags, from, from_length);
  if (count > 0) self.inspect(fd, std::span(static_cast<const unsigned char*>(buffer), static_cast<std::size_t>(count)));
  return count;
}

ares_ssize_t AresSocketTap::send(ares_socket_t fd, const iovec* pieces, int count, void* tap) {
  if (const int error = static_cast<AresSocketTap*>(tap)->pending_connect_error(fd); error != 0) {
    errno = error;
    return -1;
  }
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(pieces);  // sendmsg does not write through it
  message.msg_iovlen = static_cast<std::size_t>(count);
  // MSG_NOSIGNAL: a peer that reset the TCP connection must not SIGPIPE the agent.
  return ::sendmsg(fd, &message, MSG_NOSIGNAL);
}

void AresSocketTap::inspect(ares_socket_t fd, std::span<const unsigned char> bytes) {
  auto found = sockets_.find(fd);
  if (found == sockets_.end()) return;
  std::optional<TcpMessageFramer>& framer = found->second.framer;
  if (!framer) {
    report(bytes);  // a datagram is one whole message
    return;
  }
  framer->feed(bytes, [this](std::span<const unsigned char> message) { report(message); });
}

void AresSocketTap::report(std::span<const unsigned char> message) {
  // The socket is connected to the one server of this channel, which has one
  // query outstanding: a bare reply on it answers that query.
  if (auto rcode = bare_reply_rcode(message); rcode && on_bare_reply_) on_bare_reply_(*rcode);
}

}  // namespace netprobe
