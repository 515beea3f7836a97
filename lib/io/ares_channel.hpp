#pragma once
// One c-ares channel driven by Asio on the caller's executor, as Envoy's
// dns_impl.cc does it: c-ares' socket-state callback adds or removes a watcher
// per descriptor, and after every ares_process_fd() one timer is re-armed from
// ares_timeout(). Nothing here blocks and no thread is started.
#include <chrono>
#include <memory>
#include <span>
#include <string>

#include <ares.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ares_sockets.hpp"
#include "core/endpoint.hpp"

namespace netprobe {

// ares_library_init(), once per process; ARES_SUCCESS or why it failed.
int ensure_ares_library();

class AresChannel {
 public:
  // `options`/`optmask` as for ares_init_options(); the socket-state callback
  // is added here. Check status() before use.
  AresChannel(const boost::asio::any_io_executor& executor, ares_options options, int optmask);
  // ares_destroy(): callbacks still pending run now with ARES_EDESTRUCTION.
  ~AresChannel();
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;

  int status() const { return status_; }
  ares_channel get() const;

  // Replaces the resolv.conf servers with `servers` (IP literals, UDP and TCP on
  // the same port). Returns "" or why a server was not usable.
  std::string set_servers(std::span<const Endpoint> servers);

  // Call after starting a request: c-ares may have opened sockets and needs
  // its timer.
  void start_timer();

  // Ends every request now: their callbacks run with ARES_ECANCELLED.
  void cancel();

  // Called with the rcode of a reply that carries no question, which c-ares
  // itself ignores (see ares_sockets.hpp).
  void on_bare_reply(AresSocketTap::BareReply callback);

  // Sockets the channel holds open now. c-ares closes them all when its last
  // request ends (unless ARES_FLAG_STAYOPEN, which netprobe never sets).
  std::size_t open_sockets() const;

 private:
  struct Driver;
  std::shared_ptr<Driver> driver_;  // shared with weak handles in pending handlers
  int status_ = ARES_ENOTINITIALIZED;
};

// A one-shot signal from a c-ares completion callback to the coroutine that
// waits for it. A c-ares callback may run before the wait starts (a literal
// address, a hosts-file hit, a bad name), so the flag is checked first.
class AresCompletion {
 public:
  explicit AresCompletion(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  void notify();
  bool done() const { return done_; }

  // Waits for notify() or the deadline (or cancellation of the coroutine);
  // true if notified.
  boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);

 private:
  boost::asio::steady_timer timer_;
  bool done_ = false;
};

// Starts nothing: waits for `completion` until `deadline`, then cancels what
// c-ares still holds, so its callback has run (and no pointer into the
// caller's frame stays with c-ares) whichever way the wait ended.
boost::asio::awaitable<void> await_ares(AresChannel& channel, AresCompletion& completion,
                                        std::chrono::steady_clock::time_point deadline);

}  // namespace netprobe
