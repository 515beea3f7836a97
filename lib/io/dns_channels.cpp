#include "dns_channels.hpp"

#include <span>
#include <utility>

#include <ares.h>

namespace netprobe {

struct DnsChannelLease::Shelf {
  std::size_t max_idle = 0;
  std::size_t created = 0;
  std::size_t idle_count = 0;
  std::map<Key, std::vector<std::unique_ptr<AresChannel>>> idle;
};

namespace {

// The ares_init_options() arguments of a channel for one query.
struct QueryOptions {
  ares_options options{};
  int mask = 0;
};

QueryOptions query_options(DnsTransport transport, Millis timeout) {
  QueryOptions result;
  // NOCHECKRESP: SERVFAIL/REFUSED come back with their answer instead of being
  // retried; IGNTC: a truncated UDP answer is reported, not retried over TCP.
  result.options.flags = ARES_FLAG_NOCHECKRESP |
                         (transport == DnsTransport::udp ? ARES_FLAG_IGNTC : ARES_FLAG_USEVC);
  result.options.tries = 1;
  result.options.timeout = static_cast<int>(timeout.count());  // milliseconds with ARES_OPT_TIMEOUTMS
  result.mask = ARES_OPT_FLAGS | ARES_OPT_TRIES | ARES_OPT_TIMEOUTMS;
  return result;
}

}  // namespace

DnsChannelLease::~DnsChannelLease() {
  if (!channel_) return;  // moved from
  channel_->on_bare_reply(nullptr);
  if (channel_->status() != ARES_SUCCESS || !error_.empty()) return;
  channel_->cancel();  // a bare reply may have ended the wait with c-ares' request still pending
  auto shelf = shelf_.lock();
  // Never shelve a channel that still holds a socket: the next query would use it.
  if (!shelf || channel_->open_sockets() != 0 || shelf->idle_count >= shelf->max_idle) return;
  shelf->idle[key_].push_back(std::move(channel_));
  ++shelf->idle_count;
}

DnsChannelPool::DnsChannelPool(boost::asio::any_io_executor executor, std::size_t max_idle)
    : executor_(std::move(executor)), shelf_(std::make_shared<DnsChannelLease::Shelf>()) {
  shelf_->max_idle = max_idle;
}

// The idle channels go with the shelf: none holds a socket, and the
// io_context they were made on is still there (see the constructor).
DnsChannelPool::~DnsChannelPool() = default;

DnsChannelLease DnsChannelPool::acquire(DnsChannelPool* pool, const boost::asio::any_io_executor& executor,
                                        const Endpoint& server, DnsTransport transport, Millis timeout) {
  DnsChannelLease::Key key{server.host, server.port, transport, timeout.count()};
  const bool pooled = pool != nullptr && pool->executor_ == executor;
  if (pooled) {
    auto& shelf = *pool->shelf_;
    if (auto found = shelf.idle.find(key); found != shelf.idle.end()) {
      std::unique_ptr<AresChannel> channel = std::move(found->second.back());
      found->second.pop_back();
      if (found->second.empty()) shelf.idle.erase(found);
      --shelf.idle_count;
      return DnsChannelLease(std::move(key), std::move(channel), pool->shelf_);
    }
  }
  const QueryOptions options = query_options(transport, timeout);
  auto channel = std::make_unique<AresChannel>(executor, options.options, options.mask);
  DnsChannelLease lease(std::move(key), std::move(channel), pooled ? pool->shelf_ : nullptr);
  if (pooled) ++pool->shelf_->created;
  lease.status_ = lease.channel_->status();
  if (lease.status_ != ARES_SUCCESS) {
    lease.error_ = std::string("c-ares setup: ") + ares_strerror(lease.status_);
    return lease;
  }
  // Before any query: a channel must never ask the resolv.conf servers.
  lease.error_ = lease.channel_->set_servers(std::span(&server, 1));
  if (!lease.error_.empty()) lease.status_ = ARES_EBADSTR;  // what ares_set_servers_csv says
  return lease;
}

std::size_t DnsChannelPool::idle() const { return shelf_->idle_count; }

std::size_t DnsChannelPool::created() const { return shelf_->created; }

}  // namespace netprobe
