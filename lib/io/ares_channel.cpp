#include "ares_channel.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netprobe {
namespace asio = boost::asio;

int ensure_ares_library() {
  // C++ guarantees this runs once even with concurrent callers.
  static const int status = ares_library_init(ARES_LIB_INIT_ALL);
  return status;
}

struct AresChannel::Driver : std::enable_shared_from_this<Driver> {
  // A socket c-ares opened. The descriptor only watches it: the fd belongs to
  // c-ares, so it is released, never closed.
  struct Watcher {
    std::uint64_t id;  // tells a reused fd number from the socket it replaced
    asio::posix::stream_descriptor descriptor;
    bool want_read = false;
    bool want_write = false;
    bool read_armed = false;
    bool write_armed = false;
  };

  explicit Driver(const asio::any_io_executor& io) : executor(io), timer(io) {}

  asio::any_io_executor executor;
  ares_channel channel = nullptr;
  asio::steady_timer timer;
  AresSocketTap sockets;
  std::map<ares_socket_t, Watcher> watchers;
  std::uint64_t next_id = 1;

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Driver*>(data)->update(fd, readable != 0, writable != 0);
  }

  void update(ares_socket_t fd, bool readable, bool writable) {
    auto found = watchers.find(fd);
    if (!readable && !writable) {
      // c-ares is about to close the fd: stop watching while it is still open.
      if (found != watchers.end()) {
        found->second.descriptor.release();
        watchers.erase(found);
      }
      return;
    }
    if (found == watchers.end()) {
      // Never throw through c-ares' C frames: a socket that cannot be watched
      // is left to c-ares' own timeout, which the timer still drives.
      asio::posix::stream_descriptor descriptor(executor);
      boost::system::error_code error;
      descriptor.assign(fd, error);
      if (error) return;
      found = watchers.emplace(fd, Watcher{next_id++, std::move(descriptor)}).first;
    }
    found->second.want_read = readable;
    found->second.want_write = writable;
    arm(fd);
  }

  // One outstanding wait per direction c-ares asked for.
  void arm(ares_socket_t fd) {
    auto found = watchers.find(fd);
    if (found == watchers.end()) return;
    Watcher& watcher = found->second;
    if (watcher.want_read && !watcher.read_armed) {
      watcher.read_armed = true;
      wait(watcher, fd, asio::posix::stream_descriptor::wait_read);
    }
    if (watcher.want_write && !watcher.write_armed) {
      watcher.write_armed = true;
      wait(watcher, fd, asio::posix::stream_descriptor::wait_write);
    }
  }

  void wait(Watcher& watcher, ares_socket_t fd, asio::posix::stream_descriptor::wait_type type) {
    watcher.descriptor.async_wait(
        type, [self = weak_from_this(), fd, id = watcher.id, type](const boost::system::error_code& error) {
          if (error == asio::error::operation_aborted) return;  // released: the socket is gone
          if (auto driver = self.lock()) driver->on_ready(fd, id, type);
        });
  }

  void on_ready(ares_socket_t fd, std::uint64_t id, asio::posix::stream_descriptor::wait_type type) {
    auto found = watchers.find(fd);
    if (found == watchers.end() || found->second.id != id) return;  // a stale wake-up for a closed socket
    const bool read = type == asio::posix::stream_descriptor::wait_read;
    Watcher& watcher = found->second;
    (read ? watcher.read_armed : watcher.write_armed) = false;
    // A socket error (ICMP port-unreachable, RST) also wakes the wait: c-ares
    // reads it from the socket and ends the query with ARES_ECONNREFUSED.
    if (read ? watcher.want_read : watcher.want_write) {
      ares_process_fd(channel, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
      // c-ares reads a TCP reply's 2-byte length in one call and the message
      // in the next. Both nearly always come in one segment, so the second
      // read is tried at once instead of after another round through epoll
      // (nothing there: c-ares takes EAGAIN as "not yet").
      if (read && sockets.is_stream(fd) && wants_read(fd, id)) ares_process_fd(channel, fd, ARES_SOCKET_BAD);
    }
    arm(fd);  // may be gone now: ares_process_fd can close it
    start_timer();
  }

  // Still the socket `id` names, and c-ares still reads from it.
  bool wants_read(ares_socket_t fd, std::uint64_t id) const {
    auto found = watchers.find(fd);
    return found != watchers.end() && found->second.id == id && found->second.want_read;
  }

  void start_timer() {
    timeval next{};
    if (ares_timeout(channel, nullptr, &next) == nullptr) {
      timer.cancel();  // nothing pending
      return;
    }
    timer.expires_after(std::chrono::seconds(next.tv_sec) + std::chrono::microseconds(next.tv_usec));
    timer.async_wait([self = weak_from_this()](const boost::system::error_code& error) {
      if (error) return;
      if (auto driver = self.lock()) {
        ares_process_fd(driver->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // handles timeouts
        driver->start_timer();
      }
    });
  }

  void stop_watching() {
    for (auto& [fd, watcher] : watchers) watcher.descriptor.release();
    watchers.clear();
    timer.cancel();
  }
};

AresChannel::AresChannel(const asio::any_io_executor& executor, ares_options options, int optmask)
    : driver_(std::make_shared<Driver>(executor)) {
  status_ = ensure_ares_library();
  if (status_ != ARES_SUCCESS) return;
  options.sock_state_cb = &Driver::on_socket_state;
  options.sock_state_cb_data = driver_.get();
  status_ = ares_init_options(&driver_->channel, &options, optmask | ARES_OPT_SOCK_STATE_CB);
  if (status_ != ARES_SUCCESS) {
    driver_->channel = nullptr;
    return;
  }
  driver_->sockets.install(driver_->channel);  // before any socket is opened
}

AresChannel::~AresChannel() {
  // Release the descriptors while c-ares' fds are still open; the socket-state
  // calls ares_destroy makes next then find nothing to do.
  driver_->sockets.on_bare_reply(nullptr);
  driver_->stop_watching();
  if (driver_->channel != nullptr) ares_destroy(driver_->channel);
}

ares_channel AresChannel::get() const { return driver_->channel; }

std::string AresChannel::set_servers(std::span<const Endpoint> servers) {
  std::vector<ares_addr_port_node> nodes(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(servers[i].host, error);
    if (error) return "nameserver " + servers[i].to_string() + " is not an IP address";
    ares_addr_port_node& node = nodes[i];
    if (address.is_v4()) {
      node.family = AF_INET;
      const auto bytes = address.to_v4().to_bytes();
      std::memcpy(&node.addr.addr4, bytes.data(), bytes.size());
    } else {
      node.family = AF_INET6;
      const auto bytes = address.to_v6().to_bytes();
      std::memcpy(&node.addr.addr6, bytes.data(), bytes.size());
    }
    node.udp_port = servers[i].port;
    node.tcp_port = servers[i].port;
    node.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
  }
  const int status = ares_set_servers_ports(driver_->channel, nodes.empty() ? nullptr : nodes.data());
  if (status != ARES_SUCCESS) return std::string("setting nameservers: ") + ares_strerror(status);
  return "";
}

void AresChannel::start_timer() { driver_->start_timer(); }

void AresChannel::cancel() {
  ares_cancel(driver_->channel);
  driver_->start_timer();  // nothing pending any more: stops the timer
}

void AresChannel::on_bare_reply(AresSocketTap::BareReply callback) {
  driver_->sockets.on_bare_reply(std::move(callback));
}

std::size_t AresChannel::open_sockets() const { return driver_->sockets.open_sockets(); }

void AresCompletion::notify() {
  done_ = true;
  timer_.cancel();
}

asio::awaitable<bool> AresCompletion::wait_until(std::chrono::steady_clock::time_point deadline) {
  if (done_) co_return true;
  timer_.expires_at(deadline);
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return done_;
}

asio::awaitable<void> await_ares(AresChannel& channel, AresCompletion& completion,
                                 std::chrono::steady_clock::time_point deadline) {
  channel.start_timer();
  const bool answered = co_await completion.wait_until(deadline);
  if (!answered) channel.cancel();
  co_return;
}

}  // namespace netprobe
