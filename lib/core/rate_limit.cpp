#include "rate_limit.hpp"

#include <algorithm>

namespace netprobe {

RateLimiter::RateLimiter(int per_minute, std::size_t max_clients)
    : per_second_(per_minute / 60.0), burst_(std::max(1, per_minute)), max_clients_(max_clients) {}

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    // Full buckets carry no information: drop them before adding a client, so
    // memory stays bounded however many addresses call.
    if (buckets_.size() >= max_clients_) {
      std::erase_if(buckets_, [&](const auto& item) {
        const double refill = std::chrono::duration<double>(now - item.second.updated).count() * per_second_;
        return item.second.tokens + refill >= burst_;
      });
      if (buckets_.size() >= max_clients_) return false;
    }
    it = buckets_.emplace(client, Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
  bucket.updated = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace netprobe
