#pragma once
// c-ares channels for single DNS queries, kept idle between queries so that a
// probe does not pay ares_init() each run: the resolv.conf, nsswitch.conf and
// host.conf reads, the random seed, the allocations (bench/README.md,
// "Performance (issue 15)", has what that was worth).
//
// What reuse must not do is hide the network: a cached socket would carry a
// query over a connection (TCP) or a conntrack entry (UDP) made before a
// NetworkPolicy changed. So a channel runs one query at a time, and goes back
// to the pool only once c-ares has closed every socket it opened (it does when
// its last request ends): each query still opens its own socket, connects and
// sends on the wire exactly as with a channel of its own.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "ares_channel.hpp"
#include "core/classify.hpp"
#include "core/duration.hpp"
#include "core/endpoint.hpp"

namespace netprobe {

class DnsChannelPool;

// A channel set up for one query to one server over one transport, with c-ares'
// own timeout set to the query's. Back to its pool (or destroyed) when the
// lease ends; requests still pending then are cancelled first, so their
// callbacks run while whatever they point at is alive.
class DnsChannelLease {
 public:
  DnsChannelLease(DnsChannelLease&&) noexcept = default;
  DnsChannelLease& operator=(DnsChannelLease&&) = delete;
  ~DnsChannelLease();

  // Empty when the channel is usable; else why not (c-ares setup, a server that is not an IP).
  const std::string& error() const { return error_; }
  int status() const { return status_; }
  AresChannel& channel() { return *channel_; }

 private:
  friend class DnsChannelPool;
  struct Key {
    std::string host;
    std::uint16_t port = 0;
    DnsTransport transport = DnsTransport::udp;
    Millis::rep timeout_ms = 0;
    auto operator<=>(const Key&) const = default;
  };
  struct Shelf;  // the pool's idle channels, shared with its leases

  DnsChannelLease(Key key, std::unique_ptr<AresChannel> channel, std::weak_ptr<Shelf> shelf)
      : key_(std::move(key)), channel_(std::move(channel)), shelf_(std::move(shelf)) {}

  Key key_;
  std::unique_ptr<AresChannel> channel_;
  std::weak_ptr<Shelf> shelf_;  // expired, or empty for a channel of its own: destroy on return
  std::string error_;
  int status_ = 0;  // ARES_SUCCESS
};

class DnsChannelPool {
 public:
  // Idle channels beyond `max_idle` (over all servers) are destroyed rather
  // than kept. A c-ares 1.18 channel is about 74 KiB (its tables of queries by
  // id and by timeout), and a pool holds as many per server as queries ran
  // at once (checks starting together, schedule.hpp): 16 bound it to about
  // 1.2 MiB, a fifth of the agent's memory goal.
  static constexpr std::size_t kDefaultMaxIdle = 16;

  // Every channel is driven on `executor`; the pool must be destroyed before
  // that executor's io_context.
  explicit DnsChannelPool(boost::asio::any_io_executor executor, std::size_t max_idle = kDefaultMaxIdle);
  ~DnsChannelPool();
  DnsChannelPool(const DnsChannelPool&) = delete;
  DnsChannelPool& operator=(const DnsChannelPool&) = delete;

  // An idle channel for (server, transport, timeout), or a new one. `pool` may
  // be null (the CLI: one query, nothing to keep), and a caller on another
  // executor than the pool's gets a channel of its own too.
  static DnsChannelLease acquire(DnsChannelPool* pool, const boost::asio::any_io_executor& executor,
                                 const Endpoint& server, DnsTransport transport, Millis timeout);

  std::size_t idle() const;
  // Channels this pool has made with ares_init (for tests: reuse shows as few).
  std::size_t created() const;

 private:
  boost::asio::any_io_executor executor_;
  std::shared_ptr<DnsChannelLease::Shelf> shelf_;
};

}  // namespace netprobe
