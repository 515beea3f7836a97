#include "connection_table.hpp"

namespace netprobe {

ConnectionTable::Decision ConnectionTable::open(const std::string& client, Clock::time_point now) {
  Decision decision;
  if (of_client(client) >= limits_.max_per_client) {
    decision.refusal = Refusal::client_limit;
    return decision;
  }
  if (entries_.size() >= limits_.max_connections) {
    decision.evicted = longest_waiting();
    if (!decision.evicted) {
      decision.refusal = Refusal::full;
      return decision;
    }
    close(*decision.evicted);
  }
  decision.id = next_id_++;
  entries_.emplace(decision.id, Entry{client, true, now});
  ++per_client_[client];
  return decision;
}

void ConnectionTable::waiting(Id id, Clock::time_point now) {
  if (auto it = entries_.find(id); it != entries_.end()) {
    it->second.waiting = true;
    it->second.since = now;
  }
}

void ConnectionTable::serving(Id id) {
  if (auto it = entries_.find(id); it != entries_.end()) it->second.waiting = false;
}

void ConnectionTable::close(Id id) {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return;
  const auto count = per_client_.find(it->second.client);
  if (count != per_client_.end() && --count->second == 0) per_client_.erase(count);
  entries_.erase(it);
}

std::size_t ConnectionTable::of_client(const std::string& client) const {
  const auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

std::optional<ConnectionTable::Id> ConnectionTable::longest_waiting() const {
  std::optional<Id> oldest;
  Clock::time_point oldest_since = Clock::time_point::max();
  for (const auto& [id, entry] : entries_) {
    if (entry.waiting && entry.since < oldest_since) {
      oldest = id;
      oldest_since = entry.since;
    }
  }
  return oldest;
}

}  // namespace netprobe
