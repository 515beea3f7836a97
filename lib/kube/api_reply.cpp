#include "api_reply.hpp"

#include <algorithm>
#include <charconv>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace netprobe::kube {
namespace {

std::string encoded(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

// A string member, or "" when absent; ApiReplyError when present and not a string.
std::string string_member(const nlohmann::json& object, const char* key, std::string_view where) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return "";
  if (!found->is_string()) throw ApiReplyError(std::string(where) + "." + key + " is not a string");
  return found->get<std::string>();
}

const nlohmann::json& metadata_of(const nlohmann::json& object) {
  if (!object.is_object()) throw ApiReplyError("an object is not a JSON object");
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) throw ApiReplyError("an object has no metadata");
  return *metadata;
}

}  // namespace

std::string list_target(Resource resource, std::size_t limit, std::string_view continue_token) {
  std::string target = std::string(info(resource).path) + "?limit=" + std::to_string(limit);
  if (!continue_token.empty()) target += "&continue=" + encoded(continue_token);
  return target;
}

std::string watch_target(Resource resource, std::string_view resource_version, std::chrono::seconds timeout) {
  return std::string(info(resource).path) + "?watch=1&allowWatchBookmarks=true&resourceVersion=" +
         encoded(resource_version) + "&timeoutSeconds=" + std::to_string(timeout.count());
}

std::optional<ApiStatus> read_status(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  const auto kind = value.find("kind");
  if (kind == value.end() || *kind != "Status") return std::nullopt;
  ApiStatus status;
  if (const auto code = value.find("code"); code != value.end() && code->is_number_integer()) {
    status.code = std::clamp(code->get<int>(), 0, 999);
  }
  if (const auto reason = value.find("reason"); reason != value.end() && reason->is_string()) {
    status.reason = reason->get<std::string>();
  }
  if (const auto message = value.find("message"); message != value.end() && message->is_string()) {
    status.message = message->get<std::string>().substr(0, 500);
  }
  return status;
}

ObjectKey key_of(const nlohmann::json& object) {
  const nlohmann::json& metadata = metadata_of(object);
  ObjectKey key{string_member(metadata, "namespace", "metadata"), string_member(metadata, "name", "metadata")};
  if (key.name.empty()) throw ApiReplyError("an object has no metadata.name");
  return key;
}

std::string resource_version_of(const nlohmann::json& object) {
  return string_member(metadata_of(object), "resourceVersion", "metadata");
}

ListPage read_list_page(const nlohmann::json& body) {
  if (!body.is_object()) throw ApiReplyError("the list is not a JSON object");
  ListPage page;
  const auto metadata = body.find("metadata");
  if (metadata == body.end() || !metadata->is_object()) throw ApiReplyError("the list has no metadata");
  page.resource_version = string_member(*metadata, "resourceVersion", "metadata");
  page.continue_token = string_member(*metadata, "continue", "metadata");
  if (page.resource_version.empty()) throw ApiReplyError("the list has no metadata.resourceVersion");
  const auto items = body.find("items");
  if (items != body.end() && !items->is_null() && !items->is_array()) throw ApiReplyError("items is not a list");
  static const nlohmann::json kNoItems = nlohmann::json::array();
  page.items = items == body.end() || items->is_null() ? &kNoItems : &*items;
  return page;
}

WatchEvent read_watch_event(const nlohmann::json& line) {
  if (!line.is_object()) throw ApiReplyError("a watch event is not a JSON object");
  const std::string type = string_member(line, "type", "event");
  const auto parsed = kEventTypes.parse(type);
  if (!parsed) throw ApiReplyError("unknown watch event type \"" + type.substr(0, 40) + "\"");
  WatchEvent event;
  event.type = *parsed;
  const auto object = line.find("object");
  if (object == line.end() || !object->is_object()) throw ApiReplyError("a watch event has no object");
  event.object = &*object;
  return event;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  long long seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size()) return std::nullopt;
  return std::chrono::seconds{std::clamp<long long>(seconds, 1, 600)};
}

}  // namespace netprobe::kube
