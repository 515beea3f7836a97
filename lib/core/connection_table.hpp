#pragma once
// Who holds the HTTP server's connections, and whom to let go when it is full.
// A flood of connections must not lock out kubelet's /healthz or Prometheus's
// scrape: each client address may hold only so many connections, and at the
// total cap the connection that has waited longest for a request header (a slow
// or idle client, never one being answered) is closed to make room. Pure: the
// server in lib/io does the closing; time is a parameter.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace netprobe {

class ConnectionTable {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = std::uint64_t;

  struct Limits {
    std::size_t max_connections = 256;
    std::size_t max_per_client = 32;
  };

  enum class Refusal { none, client_limit, full };

  struct Decision {
    Refusal refusal = Refusal::none;
    Id id = 0;                  // the new connection's, when admitted
    std::optional<Id> evicted;  // a connection to close to make room for it
  };

  explicit ConnectionTable(Limits limits) : limits_(limits) {}

  // A new connection from `client`; it starts out waiting for its first header.
  Decision open(const std::string& client, Clock::time_point now);
  // The connection waits for a request header again (idle keep-alive included).
  void waiting(Id id, Clock::time_point now);
  // Its request header is in: it is being served and cannot be evicted.
  void serving(Id id);
  // Gone (closed by either side, or evicted); unknown ids are ignored.
  void close(Id id);

  std::size_t size() const { return entries_.size(); }
  std::size_t of_client(const std::string& client) const;

 private:
  struct Entry {
    std::string client;
    bool waiting = true;
    Clock::time_point since;
  };
  std::optional<Id> longest_waiting() const;

  Limits limits_;
  Id next_id_ = 1;
  std::unordered_map<Id, Entry> entries_;
  std::map<std::string, std::size_t, std::less<>> per_client_;
};

}  // namespace netprobe
