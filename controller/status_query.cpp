#include "controller/status_query.hpp"

#include <algorithm>
#include <charconv>

namespace netprobe {
namespace {

constexpr const char* kPageParameters = "node, probe, target, transport, q, failing, page, tpage, refresh";

// Every value: bounded, and free of control bytes, which no node, probe or
// target name holds and which a page echoing the value must not carry (a NUL,
// a terminal escape) to a browser or into a log.
std::optional<QueryError> bounded(const std::string& key, const std::string& value) {
  if (value.size() > kMaxQueryValueBytes) {
    return QueryError{key + ": at most " + std::to_string(kMaxQueryValueBytes) + " bytes"};
  }
  const auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
  if (std::any_of(value.begin(), value.end(), control)) return QueryError{key + ": no control characters"};
  return std::nullopt;
}

}  // namespace

std::variant<StatusPageQuery, QueryError> parse_status_page_query(const Query& query) {
  StatusPageQuery out;
  std::optional<std::string> probe, target, transport;
  for (const auto& [key, value] : query) {
    if (auto error = bounded(key, value)) return *error;
    if (key == "node") {
      out.node = value;
    } else if (key == "probe") {
      probe = value;
    } else if (key == "target") {
      target = value;
    } else if (key == "transport") {
      transport = value;
    } else if (key == "q") {
      out.node_contains = value;
    } else if (key == "failing") {
      if (value != "0" && value != "1") return QueryError{"failing: 1 or 0"};
      out.failing_only = value == "1";
    } else if (key == "page" || key == "tpage") {
      std::size_t page = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), page);
      if (error != std::errc{} || end != value.data() + value.size() || page < 1 || page > kMaxStatusPage) {
        return QueryError{key + ": a whole number from 1 to " + std::to_string(kMaxStatusPage)};
      }
      (key == "page" ? out.page : out.targets_page) = page;
    } else if (key == "refresh") {
      int seconds = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (error != std::errc{} || end != value.data() + value.size() || seconds < kMinRefreshSeconds ||
          seconds > kMaxRefreshSeconds) {
        return QueryError{"refresh: seconds, from " + std::to_string(kMinRefreshSeconds) + " to " +
                          std::to_string(kMaxRefreshSeconds)};
      }
      out.refresh_seconds = seconds;
    } else {
      return QueryError{"unknown query parameter \"" + key + "\" (known: " + kPageParameters + ")"};
    }
  }
  if (probe || target || transport) {
    if (!probe || !target || !transport) return QueryError{"probe, target, transport: a target's page needs all three"};
    if (!out.node.empty()) return QueryError{"node: a node's page or a target's, not both"};
    out.target = CheckKey{*probe, *target, *transport};
  }
  return out;
}

std::variant<std::string, QueryError> parse_status_api_query(const Query& query) {
  std::string node;
  for (const auto& [key, value] : query) {
    if (key != "node") return QueryError{"unknown query parameter \"" + key + "\" (known: node)"};
    if (auto error = bounded(key, value)) return *error;
    if (value.empty()) return QueryError{"node: a node name"};
    node = value;
  }
  return node;
}

}  // namespace netprobe
