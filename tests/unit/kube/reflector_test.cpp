// The reflector's decisions, replies in and store changes and requests out,
// with time passed in: no server and no clock.
#include "kube/reflector.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace netprobe::kube;
using nlohmann::json;
using std::chrono::seconds;

namespace {

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours{1};

// A store that refuses objects labelled unreadable, as a real one refuses what it cannot read.
struct Store : ObjectSink {
  std::map<ObjectKey, json> objects;
  std::optional<std::string> upsert(const ObjectKey& key, const json& object) override {
    if (object["metadata"].contains("labels") && object["metadata"]["labels"].contains("unreadable")) {
      return key.name + ": labelled unreadable";
    }
    objects[key] = object;
    return std::nullopt;
  }
  void remove(const ObjectKey& key) override { objects.erase(key); }
  bool has(const std::string& ns, const std::string& name) const { return objects.count(ObjectKey{ns, name}) > 0; }
};

json pod(const std::string& ns, const std::string& name, const std::string& version, json labels = json::object()) {
  return json{{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", version}, {"labels", labels}}}};
}

json page(const std::string& version, std::vector<json> items, const std::string& continue_token = "") {
  json metadata{{"resourceVersion", version}};
  if (!continue_token.empty()) metadata["continue"] = continue_token;
  return json{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", metadata}, {"items", items}};
}

std::string event(const std::string& type, const json& object) { return json{{"type", type}, {"object", object}}.dump(); }

json status_body(int code, const std::string& reason, const std::string& message) {
  return json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"code", code}, {"reason", reason}, {"message", message}};
}

std::optional<ApiStatus> status(int code, const std::string& reason, const std::string& message) {
  return read_status(status_body(code, reason, message));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A reflector for pods, listed (two pods, resourceVersion 10) and watching.
struct Watching {
  Store store;
  Reflector reflector{Resource::pods, ReflectorOptions{}, 42};
  Watching() {
    reflector.list_page(page("10", {pod("a", "one", "5"), pod("a", "two", "6")}), store, t0);
    reflector.watch_opened(t0);
  }
};

}  // namespace

TEST_CASE("list in pages, then watch from the list's resourceVersion with bookmarks") {
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 1);
  CHECK(reflector.next().kind == Request::Kind::list);
  CHECK(reflector.next().target == "/api/v1/pods?limit=500");
  CHECK_FALSE(reflector.synced());

  reflector.list_page(page("100", {pod("a", "one", "90")}, "token/with+chars="), store, t0);
  CHECK(reflector.next().target == "/api/v1/pods?limit=500&continue=token%2Fwith%2Bchars%3D");
  CHECK_FALSE(reflector.synced());
  CHECK(store.has("a", "one"));  // applied page by page

  reflector.list_page(page("100", {pod("b", "two", "95")}), store, t0);
  CHECK(reflector.synced());
  CHECK(reflector.resource_version() == "100");
  const Request& watch = reflector.next();
  CHECK(watch.kind == Request::Kind::watch);
  CHECK(watch.target.starts_with("/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=100&timeoutSeconds="));
  CHECK(watch.watch_timeout >= seconds{300});
  CHECK(watch.watch_timeout < seconds{600});
  CHECK(watch.not_before <= t0);
  CHECK(store.objects.size() == 2);
}

TEST_CASE("watch timeouts are drawn at random, so watches do not all end together") {
  std::set<long long> timeouts;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    Store store;
    Reflector reflector(Resource::pods, ReflectorOptions{}, seed);
    reflector.list_page(page("1", {}), store, t0);
    timeouts.insert(reflector.next().watch_timeout.count());
  }
  CHECK(timeouts.size() >= 6);
}

TEST_CASE("events change the store, and every event moves the resourceVersion, bookmarks too") {
  Watching w;
  CHECK(w.reflector.watch_line(event("ADDED", pod("a", "three", "11")), w.store, t0));
  CHECK(w.store.has("a", "three"));
  CHECK(w.reflector.watch_line(event("MODIFIED", pod("a", "one", "12", {{"app", "web"}})), w.store, t0));
  CHECK(w.store.objects[ObjectKey{"a", "one"}]["metadata"]["labels"]["app"] == "web");
  CHECK(w.reflector.watch_line(event("DELETED", pod("a", "two", "13")), w.store, t0));
  CHECK_FALSE(w.store.has("a", "two"));
  CHECK(w.reflector.watch_line(event("BOOKMARK", json{{"kind", "Pod"}, {"metadata", {{"resourceVersion", "20"}}}}), w.store, t0));
  CHECK(w.reflector.resource_version() == "20");
  CHECK(w.store.objects.size() == 2);
  CHECK(w.reflector.counters().events == std::array<std::uint64_t, 5>{1, 1, 1, 1, 0});

  // The server ends the stream at timeoutSeconds: watch again from where it got, at once.
  w.reflector.watch_closed(t0 + seconds{400});
  CHECK(w.reflector.next().kind == Request::Kind::watch);
  CHECK(contains(w.reflector.next().target, "resourceVersion=20&"));
  CHECK(w.reflector.next().not_before <= t0 + seconds{400});
}

TEST_CASE("an ERROR event with a 410 in a 200 stream: close it, list again, replace the store") {
  Watching w;
  CHECK_FALSE(w.reflector.watch_line(event("ERROR", status_body(410, "Expired", "too old resource version: 10 (50)")), w.store, t0));
  CHECK(w.reflector.next().kind == Request::Kind::list);
  CHECK(w.reflector.next().target == "/api/v1/pods?limit=500");
  CHECK(w.reflector.counters().relists[static_cast<std::size_t>(RelistReason::expired)] == 1);
  const auto notices = w.reflector.take_notices();
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].message == "pods: listing again (expired): too old resource version: 10 (50)");

  // "two" was deleted while no watch saw it; the new list no longer has it.
  w.reflector.list_page(page("60", {pod("a", "one", "5"), pod("a", "four", "55")}), w.store, t0);
  CHECK(w.store.has("a", "one"));
  CHECK(w.store.has("a", "four"));
  CHECK_FALSE(w.store.has("a", "two"));
  CHECK(w.reflector.known_objects() == 2);
  CHECK(contains(w.reflector.next().target, "resourceVersion=60&"));
}

TEST_CASE("a 410 status: on a watch, relist; on a list page, the list starts over without the stale continue") {
  Watching w;
  w.reflector.failed(410, status(410, "Gone", "too old"), std::nullopt, w.store, t0);
  CHECK(w.reflector.next().kind == Request::Kind::list);

  Store store;
  Reflector listing(Resource::pods, ReflectorOptions{}, 3);
  listing.list_page(page("100", {pod("a", "one", "90")}, "c1"), store, t0);
  listing.failed(410, status(410, "Expired", "The provided continue parameter is too old"), std::nullopt, store, t0);
  CHECK(listing.next().target == "/api/v1/pods?limit=500");
  CHECK(listing.counters().relists[static_cast<std::size_t>(RelistReason::continue_expired)] == 1);
  CHECK_FALSE(listing.synced());
}

TEST_CASE("failures back off and retry the same request; a 429 waits at least its Retry-After") {
  Watching w;
  const std::string watch_target = w.reflector.next().target;
  w.reflector.failed(0, std::nullopt, std::nullopt, w.store, t0);
  CHECK(w.reflector.next().target == watch_target);
  CHECK(w.reflector.next().not_before >= t0 + seconds{1});
  CHECK(w.reflector.next().not_before <= t0 + std::chrono::milliseconds{1500});
  w.reflector.failed(500, std::nullopt, std::nullopt, w.store, t0);
  CHECK(w.reflector.next().not_before >= t0 + seconds{2});  // doubled

  w.reflector.failed(429, status(429, "TooManyRequests", "slow down"), seconds{20}, w.store, t0);
  CHECK(w.reflector.next().not_before >= t0 + seconds{20});
  CHECK(w.reflector.counters().errors.at(429) == 1);
  CHECK(w.reflector.counters().errors.at(0) == 1);
  CHECK(w.store.objects.size() == 2);  // a failure changes nothing held

  w.reflector.failed(401, status(401, "Unauthorized", "Unauthorized"), std::nullopt, w.store, t0);
  const auto notices = w.reflector.take_notices();
  REQUIRE_FALSE(notices.empty());
  CHECK(notices.back().warning);
  CHECK(notices.back().message == "pods: not authenticated: HTTP 401: Unauthorized");
}

TEST_CASE("a list page that fails is asked for again, continue and all") {
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 4);
  reflector.list_page(page("100", {pod("a", "one", "90")}, "c1"), store, t0);
  reflector.failed(503, std::nullopt, std::nullopt, store, t0);
  CHECK(reflector.next().target == "/api/v1/pods?limit=500&continue=c1");
  CHECK(reflector.next().not_before > t0);
}

TEST_CASE("a watch the server closes at once, with nothing in it, is retried after a backoff") {
  Watching w;
  w.reflector.watch_closed(t0 + std::chrono::milliseconds{10});
  CHECK(w.reflector.next().not_before >= t0 + seconds{1});
}

TEST_CASE("an optional resource answering 404 is synced and empty, and looked at again later") {
  Store store;
  Reflector reflector(Resource::servicemonitors, ReflectorOptions{}, 5);
  reflector.failed(404, status(404, "NotFound", "the server could not find the requested resource"), std::nullopt,
                   store, t0);
  CHECK(reflector.synced());
  CHECK_FALSE(reflector.served());
  CHECK(reflector.next().kind == Request::Kind::list);
  CHECK(reflector.next().not_before == t0 + seconds{60});
  CHECK(reflector.take_notices().size() == 1);

  // The CRD is installed: the next look lists it.
  reflector.list_page(page("7", {pod("monitoring", "app", "6")}), store, t0 + seconds{60});
  CHECK(reflector.served());
  CHECK(store.has("monitoring", "app"));
  CHECK(reflector.take_notices().at(0).message == "servicemonitors: now served (its CRD is installed)");

  // Uninstalled again: its objects go with it.
  reflector.failed(404, std::nullopt, std::nullopt, store, t0 + seconds{90});
  CHECK(store.objects.empty());
}

TEST_CASE("a required resource answering 404 is an error, not absent") {
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 6);
  reflector.failed(404, std::nullopt, std::nullopt, store, t0);
  CHECK_FALSE(reflector.synced());
  CHECK(reflector.served());
}

TEST_CASE("malformed events and objects are counted and skipped; the rest goes on") {
  Watching w;
  CHECK(w.reflector.watch_line("{not json", w.store, t0));
  CHECK(w.reflector.watch_line(R"({"type":"EXPLODED","object":{}})", w.store, t0));
  CHECK(w.reflector.watch_line(R"({"type":"ADDED"})", w.store, t0));
  CHECK(w.reflector.watch_line(event("ADDED", json{{"metadata", {{"namespace", "a"}, {"resourceVersion", "14"}}}}), w.store, t0));
  // An object the store cannot read: skipped, and what it held for that key stays.
  CHECK(w.reflector.watch_line(event("MODIFIED", pod("a", "one", "15", {{"unreadable", "yes"}})), w.store, t0));
  CHECK(w.store.objects[ObjectKey{"a", "one"}]["metadata"]["resourceVersion"] == "5");
  CHECK(w.reflector.resource_version() == "15");  // moved past it, or the watch would replay it forever
  CHECK(w.reflector.watch_line(event("ADDED", pod("a", "five", "16")), w.store, t0));
  CHECK(w.store.has("a", "five"));
  CHECK(w.reflector.counters().malformed == 5);
  const auto notices = w.reflector.take_notices();
  CHECK(std::any_of(notices.begin(), notices.end(),
                    [](const Notice& notice) { return notice.message == "pods: an object skipped: one: labelled unreadable"; }));

  // A list item without a name is skipped too; the others are applied.
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 8);
  reflector.list_page(page("3", {json{{"metadata", json::object()}}, pod("a", "ok", "2"), json("text")}), store, t0);
  CHECK(store.has("a", "ok"));
  CHECK(reflector.counters().malformed == 2);
  CHECK(reflector.synced());

  // A reply that is no list at all: retried later, never fatal.
  Reflector broken(Resource::pods, ReflectorOptions{}, 9);
  broken.list_page(json{{"kind", "PodList"}}, store, t0);
  CHECK_FALSE(broken.synced());
  CHECK(broken.next().not_before > t0);
}

TEST_CASE("an object listed but unreadable is not removed at the end of the list; one not listed is") {
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 10);
  reflector.list_page(page("1", {pod("a", "kept", "1"), pod("a", "gone", "1")}), store, t0);
  reflector.failed(410, std::nullopt, std::nullopt, store, t0);  // on the watch: relist
  reflector.list_page(page("9", {pod("a", "kept", "8", {{"unreadable", "yes"}})}), store, t0);
  CHECK(store.has("a", "kept"));
  CHECK_FALSE(store.has("a", "gone"));
}

TEST_CASE("relists back off: a server answering 410 to everything is not hammered") {
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 11);
  reflector.list_page(page("1", {}, "c"), store, t0);
  reflector.failed(410, std::nullopt, std::nullopt, store, t0);
  const auto first = reflector.next().not_before;
  CHECK(first >= t0 + seconds{1});
  reflector.failed(410, std::nullopt, std::nullopt, store, t0);
  CHECK(reflector.next().not_before >= t0 + seconds{2});  // doubled
  reflector.list_page(page("5", {}), store, t0);          // a list completes: the backoff starts over
  reflector.failed(410, std::nullopt, std::nullopt, store, t0);  // on the watch now
  CHECK(reflector.next().not_before <= t0 + std::chrono::milliseconds{1500});
}

TEST_CASE("an event too large to read: counted, and the store listed again") {
  Watching w;
  w.reflector.event_too_large(t0);
  CHECK(w.reflector.next().kind == Request::Kind::list);
  CHECK(w.reflector.counters().malformed == 1);
  CHECK(w.reflector.counters().relists[static_cast<std::size_t>(RelistReason::lost_event)] == 1);
}

TEST_CASE("a list page over the size limit is asked for again, half as large; an unreadable one later") {
  Store store;
  Reflector reflector(Resource::pods, ReflectorOptions{}, 12);
  reflector.list_page(page("1", {pod("a", "one", "1")}, "c1"), store, t0);
  reflector.list_too_large(t0);
  CHECK(reflector.next().target == "/api/v1/pods?limit=250&continue=c1");
  CHECK(reflector.next().not_before > t0);
  for (int i = 0; i < 10; ++i) reflector.list_too_large(t0);
  CHECK(reflector.page_size() == 10);  // never below
  (void)reflector.take_notices();

  reflector.list_unreadable("nested deeper than 32 levels", t0);
  CHECK(reflector.counters().malformed == 12);
  const auto notices = reflector.take_notices();
  CHECK(std::any_of(notices.begin(), notices.end(), [](const Notice& notice) {
    return notice.message == "pods: a list reply that cannot be read: nested deeper than 32 levels";
  }));
}

TEST_CASE("a watch that breaks mid-stream is a failed request: counted, backed off, resumed from where it was") {
  Watching w;
  w.reflector.watch_line(event("ADDED", pod("a", "three", "11")), w.store, t0);
  w.reflector.watch_broke("connection closed in the middle of the response", t0);
  CHECK(w.reflector.counters().errors.at(0) == 1);
  CHECK(w.reflector.next().kind == Request::Kind::watch);
  CHECK(contains(w.reflector.next().target, "resourceVersion=11&"));
  CHECK(w.reflector.next().not_before >= t0 + seconds{1});
  const auto notices = w.reflector.take_notices();
  CHECK(notices.back().message == "pods: the watch broke: connection closed in the middle of the response");
}

TEST_CASE("a flood of bad events is a few warnings and a count, not one line each") {
  Watching w;
  (void)w.reflector.take_notices();
  // Taken after every few lines, as the client does after each piece it reads.
  std::size_t warnings = 0;
  for (int i = 0; i < 200; ++i) {
    w.reflector.watch_line("garbage " + std::to_string(i), w.store, t0);
    if (i % 3 == 0) warnings += w.reflector.take_notices().size();
  }
  warnings += w.reflector.take_notices().size();
  CHECK(warnings == Reflector::kMaxNotices);
  CHECK(w.reflector.counters().malformed == 200);
  w.reflector.watch_closed(t0 + seconds{5});  // the watch ends: the rest is said once
  const auto summary = w.reflector.take_notices();
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].message == "pods: 190 more like these left out");
  CHECK(w.reflector.take_notices().empty());
}

TEST_CASE("a watch that has run a while resets the backoff: one cut after a bad spell is retried soon") {
  Watching w;
  for (int i = 0; i < 3; ++i) w.reflector.watch_broke("cut", t0);  // the backoff grows to 8 s
  w.reflector.watch_opened(t0);
  w.reflector.watch_line(event("BOOKMARK", json{{"kind", "Pod"}, {"metadata", {{"resourceVersion", "30"}}}}), w.store,
                         t0 + seconds{20});
  w.reflector.watch_broke("cut", t0 + seconds{21});
  CHECK(w.reflector.next().not_before <= t0 + seconds{21} + std::chrono::milliseconds{1500});
}
