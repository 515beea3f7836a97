#pragma once
// The API server's replies as the reflector reads them, and the request
// targets it sends. Everything here comes from outside and is checked: a reply
// of the wrong shape is an ApiReplyError naming what is wrong.
//
// Shapes (as the real server returns them):
//   list:  {"kind": "PodList", "metadata": {"resourceVersion": "123", "continue": "…"}, "items": [{…}, …]}
//          items carry no kind or apiVersion
//   watch: one JSON object per line: {"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR", "object": {…}}
//          a BOOKMARK's object holds only metadata.resourceVersion; an ERROR's is a Status
//   Status: {"kind": "Status", "code": 410, "reason": "Expired", "message": "…"}
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/enum_table.hpp"
#include "resources.hpp"

namespace netprobe::kube {

class ApiReplyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "GET /api/v1/pods?limit=500&continue=…" without the method: the first page when
// `continue_token` is empty. The token is percent-encoded; it is the server's.
std::string list_target(Resource resource, std::size_t limit, std::string_view continue_token);

// A watch from `resource_version`, with bookmarks, ended by the server after `timeout`.
std::string watch_target(Resource resource, std::string_view resource_version, std::chrono::seconds timeout);

struct ApiStatus {
  int code = 0;
  std::string reason;  // "Expired", "Gone", "TooManyRequests", …
  std::string message;
};

// A Status object, or nullopt when the value is not one (any error body may be anything).
std::optional<ApiStatus> read_status(const nlohmann::json& value);

struct ObjectKey {
  std::string ns;  // empty for cluster-scoped objects
  std::string name;
  bool operator==(const ObjectKey&) const = default;
  auto operator<=>(const ObjectKey&) const = default;
};

// metadata.namespace and metadata.name of an object; throws ApiReplyError when the name is missing.
ObjectKey key_of(const nlohmann::json& object);
// metadata.resourceVersion, or "" when absent.
std::string resource_version_of(const nlohmann::json& object);

struct ListPage {
  std::string resource_version;
  std::string continue_token;       // empty on the last page
  const nlohmann::json* items = nullptr;  // an array, inside the parsed body
};

// Throws ApiReplyError when the body is not a list.
ListPage read_list_page(const nlohmann::json& body);

enum class EventType { added, modified, deleted, bookmark, error };
inline constexpr EnumTable kEventTypes{std::array{
    EnumEntry<EventType>{EventType::added, "ADDED", "an object appeared (or is listed again at a watch's start)"},
    EnumEntry<EventType>{EventType::modified, "MODIFIED", "an object changed"},
    EnumEntry<EventType>{EventType::deleted, "DELETED", "an object is gone; its last state comes with it"},
    EnumEntry<EventType>{EventType::bookmark, "BOOKMARK", "no change: the resourceVersion the watch has reached"},
    EnumEntry<EventType>{EventType::error, "ERROR", "a Status; 410 means the history is compacted: relist"},
}};
inline std::string_view to_string(EventType type) { return kEventTypes.name(type); }

struct WatchEvent {
  EventType type = EventType::added;
  const nlohmann::json* object = nullptr;  // inside the parsed line
};

// Throws ApiReplyError on an unknown type or a missing object.
WatchEvent read_watch_event(const nlohmann::json& line);

// Retry-After as the API server sends it (whole seconds), bounded to [1 s, 10 min].
// nullopt when absent or not a number (the HTTP-date form is not used by Kubernetes).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace netprobe::kube
