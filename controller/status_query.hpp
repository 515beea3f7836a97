#pragma once
// The status page's query string (GET /?…) and /api/v1/status's, read as
// hostile input: known parameters only, bounded lengths, a clear error naming
// the parameter. Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/check_key.hpp"

namespace netprobe {

// Longer than any node name (a DNS subdomain, 253) or check part the store keeps.
inline constexpr std::size_t kMaxQueryValueBytes = 512;
inline constexpr std::size_t kMaxStatusPage = 100'000;

struct StatusPageQuery {
  std::string node;                 // ?node=: that node's page
  std::optional<CheckKey> target;   // ?probe=&target=&transport=: that target's page
  std::string node_contains;        // ?q=: matrix and failing lists, nodes whose name contains it
  bool failing_only = false;        // ?failing=1: matrix rows with a failing cell only
  std::size_t page = 1;             // ?page=: of the matrix, or of a target's failing nodes
  std::size_t targets_page = 1;     // ?tpage=: of the overview's targets (50 a page, failing first)
  int refresh_seconds = 10;         // ?refresh=: how often the page's script refreshes it (a wall display: 60)
};
inline constexpr int kMinRefreshSeconds = 1, kMaxRefreshSeconds = 3600;

struct QueryError {
  std::string message;  // names the parameter
};

using Query = std::vector<std::pair<std::string, std::string>>;

std::variant<StatusPageQuery, QueryError> parse_status_page_query(const Query& query);

// /api/v1/status: ?node= only ("" when absent).
std::variant<std::string, QueryError> parse_status_api_query(const Query& query);

}  // namespace netprobe
