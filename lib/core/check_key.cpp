#include "check_key.hpp"

#include <functional>

namespace netprobe {

std::size_t CheckKeyHash::operator()(const CheckKey& key) const noexcept {
  const std::hash<std::string> hash;
  std::size_t seed = hash(key.probe);
  for (const std::string* part : {&key.target, &key.transport}) {
    seed ^= hash(*part) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);  // boost::hash_combine's mixing
  }
  return seed;
}

}  // namespace netprobe
