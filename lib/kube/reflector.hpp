#pragma once
// One resource's list-then-watch loop, as client-go's reflector runs it, with
// every decision here and no I/O: replies go in, store changes and the next
// request come out. lib/io/kube_client sends the requests and feeds the replies.
//
//   list   GET ?limit=N, then ?limit=N&continue=… until a page has no continue;
//          the objects are upserted page by page, and at the end every object
//          known before but not listed now is removed (the store is replaced).
//   watch  GET ?watch=1&allowWatchBookmarks=true&resourceVersion=<list's>&timeoutSeconds=<300-600 s, random>;
//          ADDED/MODIFIED upsert, DELETED removes, BOOKMARK only moves the
//          resourceVersion; every event moves it, so the next watch resumes there.
//   410    (an HTTP status, or an ERROR event carrying a 410 Status in a 200
//          stream): the history is compacted: list again and replace.
//          An expired continue token: the list starts over.
//   failed wait (1 s doubling to 30 s, jittered; a 429's Retry-After when longer),
//          then retry what failed: the same page, or the watch from the same place.
//   404    on an optional resource (a CRD not installed): known to be empty,
//          synced, and looked at again every `absent_recheck`.
// A malformed object or event is counted and skipped; the rest goes on.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_reply.hpp"
#include "backoff.hpp"
#include "resources.hpp"

namespace netprobe::kube {

using Clock = std::chrono::steady_clock;

// The store behind a reflector.
class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  // An object as the API sent it: nullopt once stored, or why it cannot be
  // read; then it is skipped (counted and logged), and what the store held
  // for that key stays.
  virtual std::optional<std::string> upsert(const ObjectKey& key, const nlohmann::json& object) = 0;
  virtual void remove(const ObjectKey& key) = 0;
};

struct ReflectorOptions {
  std::size_t page_size = 500;
  std::chrono::seconds min_watch_timeout{300};  // timeoutSeconds is drawn from [min, 2 min)
  std::chrono::seconds absent_recheck{60};
};

struct Request {
  enum class Kind { list, watch };
  Kind kind = Kind::list;
  std::string target;            // path and query, under the API server's URL
  Clock::time_point not_before;  // send no earlier (a backoff, a Retry-After, a recheck)
  std::chrono::seconds watch_timeout{0};  // a watch: the timeoutSeconds asked for
};

enum class RelistReason { expired, continue_expired, lost_event };
inline constexpr EnumTable kRelistReasons{std::array{
    EnumEntry<RelistReason>{RelistReason::expired, "expired", "410 on a watch: the history was compacted"},
    EnumEntry<RelistReason>{RelistReason::continue_expired, "continue_expired",
                            "410 on a list page: its continue token is too old"},
    EnumEntry<RelistReason>{RelistReason::lost_event, "lost_event",
                            "an event too large to read was dropped: what it carried is listed again"},
}};

struct ReflectorCounters {
  std::array<std::uint64_t, kEventTypes.size()> events{};     // by EventType
  std::array<std::uint64_t, kRelistReasons.size()> relists{};  // by RelistReason
  std::map<int, std::uint64_t> errors;  // by HTTP status, 0 when no reply came; at most one key per status
  std::uint64_t malformed = 0;          // objects and events skipped
};

// Something a person should see in the log, from the last reply.
struct Notice {
  bool warning = false;
  std::string message;
};

class Reflector {
 public:
  Reflector(Resource resource, ReflectorOptions options, std::uint64_t seed);

  Resource resource() const { return resource_; }
  const Request& next() const { return next_; }
  // A whole list has been applied (or an optional resource is known to be absent).
  bool synced() const { return synced_; }
  // False while an optional resource answers 404.
  bool served() const { return served_; }
  const std::string& resource_version() const { return resource_version_; }
  const ReflectorCounters& counters() const { return counters_; }
  std::size_t known_objects() const { return known_.size(); }
  // The notices since the last call, oldest first. Each request (a list page, a
  // watch) gives at most kMaxNotices; the rest are counted and said in one more
  // notice once it ends, so a stream of garbage is ten warnings, not thousands.
  static constexpr std::size_t kMaxNotices = 10;
  std::vector<Notice> take_notices();
  std::size_t page_size() const { return options_.page_size; }

  // A 200 list page.
  void list_page(const nlohmann::json& body, ObjectSink& sink, Clock::time_point now);
  // A watch answered 200; its lines follow.
  void watch_opened(Clock::time_point now);
  // One line of the watch body. False: close the stream (an ERROR event); next() says what follows.
  bool watch_line(std::string_view line, ObjectSink& sink, Clock::time_point now);
  // The watch ended: the server's timeoutSeconds (or our deadline past it).
  void watch_closed(Clock::time_point now);
  // The watch broke mid-stream (the connection went, bad chunking): counted as a
  // failed request and retried after a backoff, from the last resourceVersion.
  void watch_broke(const std::string& why, Clock::time_point now);
  // An event longer than the line limit was dropped unread: its object is unknown,
  // so the store is listed again.
  void event_too_large(Clock::time_point now);
  // A 200 list reply that could not be parsed (too deep, cut off, not JSON).
  void list_unreadable(const std::string& why, Clock::time_point now);
  // A list reply over the body limit: later pages are asked for half as large.
  void list_too_large(Clock::time_point now);
  // A request without a 200: its status (0: no reply), the Status in its body, its Retry-After.
  void failed(int status, const std::optional<ApiStatus>& api_status, std::optional<std::chrono::seconds> retry_after,
              ObjectSink& sink, Clock::time_point now);

 private:
  void start_list(Clock::time_point not_before);
  void start_watch(Clock::time_point not_before);
  void relist(RelistReason reason, std::string_view why, Clock::time_point now);
  void retry_later(Clock::time_point now, std::optional<std::chrono::seconds> at_least);
  void apply_event(EventType type, const nlohmann::json& object, ObjectSink& sink);
  void unreadable(const std::string& reason);
  void mark_absent(ObjectSink& sink, Clock::time_point now);
  void notice(bool warning, std::string message);
  void end_request_notices();

  Resource resource_;
  ReflectorOptions options_;
  std::mt19937_64 random_;
  Backoff backoff_;
  Request next_;
  bool synced_ = false;
  bool served_ = true;
  std::string resource_version_;
  std::string continue_token_;     // the next page of a list in progress
  std::set<ObjectKey> known_;      // what the store holds, for the replace at a list's end
  std::set<ObjectKey> listed_;     // what the list in progress has returned so far
  Clock::time_point watch_opened_at_;
  bool watch_saw_event_ = false;
  ReflectorCounters counters_;
  std::vector<Notice> notices_;
  std::size_t request_notices_ = 0;   // given by the request in progress
  std::size_t notices_left_out_ = 0;  // beyond kMaxNotices, said when it ends
};

}  // namespace netprobe::kube
