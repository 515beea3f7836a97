#include "reflector.hpp"

#include <algorithm>
#include <exception>

#include "core/json_input.hpp"

namespace netprobe::kube {
namespace {

// A watch that ends this soon having delivered nothing is retried after a
// backoff, so a server that closes every stream at once is not hammered.
constexpr std::chrono::seconds kShortestUsefulWatch{1};
constexpr std::chrono::seconds kHealthyWatch{10};

// "HTTP 403: …", or for no HTTP status (the connection failed) the reason alone.
std::string describe(int status, const std::optional<ApiStatus>& api_status) {
  const bool has_message = api_status && !api_status->message.empty();
  if (status == 0) return has_message ? api_status->message : "no reply";
  std::string text = "HTTP " + std::to_string(status);
  if (has_message) text += ": " + api_status->message;
  return text;
}

constexpr std::size_t kSmallestPage = 10;

}  // namespace

Reflector::Reflector(Resource resource, ReflectorOptions options, std::uint64_t seed)
    : resource_(resource), options_(options), random_(seed) {
  options_.page_size = std::max<std::size_t>(options_.page_size, 1);
  options_.min_watch_timeout = std::max(options_.min_watch_timeout, std::chrono::seconds{1});
  start_list(Clock::time_point{});
}

std::vector<Notice> Reflector::take_notices() { return std::exchange(notices_, {}); }

void Reflector::notice(bool warning, std::string message) {
  if (request_notices_ >= kMaxNotices) {
    ++notices_left_out_;
    return;
  }
  ++request_notices_;
  notices_.push_back(Notice{warning, std::string(info(resource_).name) + ": " + std::move(message)});
}

// A new request starts: what the last one left out is said once, and the cap starts over.
void Reflector::end_request_notices() {
  if (notices_left_out_ > 0) {
    notices_.push_back(Notice{true, std::string(info(resource_).name) + ": " + std::to_string(notices_left_out_) +
                                        " more like these left out"});
  }
  notices_left_out_ = 0;
  request_notices_ = 0;
}

void Reflector::start_list(Clock::time_point not_before) {
  end_request_notices();
  next_ = Request{Request::Kind::list, list_target(resource_, options_.page_size, continue_token_), not_before, {}};
}

void Reflector::start_watch(Clock::time_point not_before) {
  end_request_notices();
  const auto min = options_.min_watch_timeout.count();
  std::uniform_int_distribution<long long> timeout(min, 2 * min - 1);
  const std::chrono::seconds asked{timeout(random_)};
  next_ = Request{Request::Kind::watch, watch_target(resource_, resource_version_, asked), not_before, asked};
}

void Reflector::relist(RelistReason reason, std::string_view why, Clock::time_point now) {
  ++counters_.relists[static_cast<std::size_t>(reason)];
  notice(false, "listing again (" + std::string(kRelistReasons.name(reason)) + "): " + std::string(why));
  continue_token_.clear();
  listed_.clear();
  start_list(now);
  retry_later(now, std::nullopt);  // reset by a list that completes
}

void Reflector::retry_later(Clock::time_point now, std::optional<std::chrono::seconds> at_least) {
  auto wait = std::chrono::duration_cast<Clock::duration>(backoff_.next(random_));
  if (at_least) wait = std::max<Clock::duration>(wait, *at_least);
  next_.not_before = now + wait;  // the same request again, later
}

void Reflector::list_page(const nlohmann::json& body, ObjectSink& sink, Clock::time_point now) {
  ListPage page;
  try {
    page = read_list_page(body);
  } catch (const ApiReplyError& error) {
    ++counters_.malformed;
    notice(true, std::string("a malformed list reply: ") + error.what());
    retry_later(now, std::nullopt);
    return;
  }
  if (!served_) {
    served_ = true;
    notice(false, "now served (its CRD is installed)");
  }
  for (const nlohmann::json& item : *page.items) {
    try {
      ObjectKey key = key_of(item);
      // Known even when refused: the store may hold an earlier version of it
      // (or one of two stores took it), which must go when it is deleted.
      if (const auto refused = sink.upsert(key, item)) unreadable(*refused);
      known_.insert(key);
      listed_.insert(std::move(key));  // listed, so not removed at the end even when unreadable
    } catch (const ApiReplyError& error) {
      ++counters_.malformed;
      notice(true, std::string("a list item skipped: ") + error.what());
    }
  }
  if (!page.continue_token.empty()) {
    continue_token_ = page.continue_token;
    start_list(now);
    return;
  }
  // The last page: what was known and is not listed any more was deleted meanwhile.
  for (auto it = known_.begin(); it != known_.end();) {
    if (listed_.count(*it) == 0) {
      sink.remove(*it);
      it = known_.erase(it);
    } else {
      ++it;
    }
  }
  listed_.clear();
  continue_token_.clear();
  resource_version_ = page.resource_version;
  synced_ = true;
  backoff_.reset();
  start_watch(now);
}

void Reflector::watch_opened(Clock::time_point now) {
  watch_opened_at_ = now;
  watch_saw_event_ = false;
}

void Reflector::apply_event(EventType type, const nlohmann::json& object, ObjectSink& sink) {
  ObjectKey key = key_of(object);
  if (type == EventType::deleted) {
    sink.remove(key);
    known_.erase(key);
  } else {
    if (const auto refused = sink.upsert(key, object)) unreadable(*refused);
    known_.insert(std::move(key));  // as in list_page: the store may hold an earlier version
  }
}

void Reflector::unreadable(const std::string& reason) {
  ++counters_.malformed;
  notice(true, "an object skipped: " + reason);
}

bool Reflector::watch_line(std::string_view line, ObjectSink& sink, Clock::time_point now) {
  WatchEvent event;
  nlohmann::json parsed;
  try {
    parsed = parse_json_input(line);
    event = read_watch_event(parsed);
  } catch (const std::exception& error) {  // JsonInputError, ApiReplyError
    ++counters_.malformed;
    notice(true, std::string("a malformed watch event skipped: ") + error.what());
    return true;
  }
  ++counters_.events[static_cast<std::size_t>(event.type)];
  watch_saw_event_ = true;
  // A watch that has run a while is a recovery: a later failure starts the backoff over.
  if (now - watch_opened_at_ >= kHealthyWatch) backoff_.reset();
  if (event.type == EventType::error) {
    const std::optional<ApiStatus> status = read_status(*event.object);
    const int code = status ? status->code : 0;
    ++counters_.errors[code];
    if (code == 410) {
      relist(RelistReason::expired, status->message, now);
    } else {
      notice(true, "the watch sent an error: " +
                       (status ? describe(code, status) : std::string("an ERROR event without a readable Status")));
      start_watch(now);
      retry_later(now, std::nullopt);
    }
    return false;
  }
  try {
    // Taken before applying: a DELETED or unreadable object still moves the
    // watch past itself, or it would be replayed forever.
    const std::string version = resource_version_of(*event.object);
    if (event.type != EventType::bookmark) apply_event(event.type, *event.object, sink);
    if (!version.empty()) resource_version_ = version;
  } catch (const ApiReplyError& error) {
    ++counters_.malformed;
    notice(true, std::string("a malformed ") + std::string(to_string(event.type)) + " event skipped: " + error.what());
  }
  return true;
}

void Reflector::watch_closed(Clock::time_point now) {
  start_watch(now);
  if (!watch_saw_event_ && now - watch_opened_at_ < kShortestUsefulWatch) {
    retry_later(now, std::nullopt);
  } else {
    backoff_.reset();
  }
}

void Reflector::watch_broke(const std::string& why, Clock::time_point now) {
  ++counters_.errors[0];
  notice(true, "the watch broke: " + why);
  start_watch(now);
  retry_later(now, std::nullopt);
}

void Reflector::event_too_large(Clock::time_point now) {
  ++counters_.malformed;
  relist(RelistReason::lost_event, "an event over the size limit was dropped", now);
}

void Reflector::list_unreadable(const std::string& why, Clock::time_point now) {
  ++counters_.malformed;
  notice(true, "a list reply that cannot be read: " + why);
  retry_later(now, std::nullopt);
}

void Reflector::list_too_large(Clock::time_point now) {
  ++counters_.malformed;
  options_.page_size = std::max(options_.page_size / 2, kSmallestPage);
  notice(true, "a list page over the size limit; asking for " + std::to_string(options_.page_size) +
                   " objects a page from now on");
  start_list(now);  // the same page (same continue token), smaller
  retry_later(now, std::nullopt);
}

void Reflector::mark_absent(ObjectSink& sink, Clock::time_point now) {
  if (served_) notice(false, "not served (its CRD is not installed); looking again every " +
                                 std::to_string(options_.absent_recheck.count()) + "s");
  served_ = false;
  synced_ = true;
  for (const ObjectKey& key : known_) sink.remove(key);
  known_.clear();
  listed_.clear();
  continue_token_.clear();
  start_list(now + options_.absent_recheck);
}

void Reflector::failed(int status, const std::optional<ApiStatus>& api_status,
                       std::optional<std::chrono::seconds> retry_after, ObjectSink& sink, Clock::time_point now) {
  ++counters_.errors[std::clamp(status, 0, 999)];
  if (status == 404 && info(resource_).optional) {
    mark_absent(sink, now);
    return;
  }
  if (status == 410) {
    if (next_.kind == Request::Kind::list && !continue_token_.empty()) {
      relist(RelistReason::continue_expired, api_status ? api_status->message : "continue token expired", now);
    } else {
      relist(RelistReason::expired, api_status ? api_status->message : "resourceVersion too old", now);
    }
    return;
  }
  if (status == 401 || status == 403) {
    notice(true, (status == 401 ? "not authenticated: " : "not allowed (check the RBAC rules): ") +
                     describe(status, api_status));
  } else if (status != 429) {
    notice(true, std::string(next_.kind == Request::Kind::list ? "list" : "watch") + " failed: " +
                     describe(status, api_status));
  }
  retry_later(now, status == 429 ? retry_after : std::nullopt);
}

}  // namespace netprobe::kube
