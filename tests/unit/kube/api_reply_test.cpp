#include "kube/api_reply.hpp"

#include <doctest/doctest.h>

using namespace netprobe::kube;
using nlohmann::json;

TEST_CASE("list and watch targets: paged, encoded, with bookmarks and a timeout") {
  CHECK(list_target(Resource::networkpolicies, 500, "") == "/apis/networking.k8s.io/v1/networkpolicies?limit=500");
  CHECK(list_target(Resource::pods, 2, "eyJ2Ijoi&x=1") == "/api/v1/pods?limit=2&continue=eyJ2Ijoi%26x%3D1");
  CHECK(watch_target(Resource::nodes, "123", std::chrono::seconds{345}) ==
        "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=123&timeoutSeconds=345");
}

TEST_CASE("a Status is read when it is one, and only then") {
  const auto status = read_status(json::parse(
      R"json({"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410})json"));
  REQUIRE(status);
  CHECK(status->code == 410);
  CHECK(status->reason == "Expired");
  CHECK(status->message == "too old resource version: 1 (5)");
  CHECK_FALSE(read_status(json::parse(R"({"kind":"Pod"})")));
  CHECK_FALSE(read_status(json("Status")));
  CHECK(read_status(json::parse(R"({"kind":"Status","code":"410"})"))->code == 0);  // a code that is no number
}

TEST_CASE("list pages: resourceVersion, continue, and items without kind") {
  const json body = json::parse(
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"77","continue":"next"},"items":[{"metadata":{"name":"a","namespace":"x"}}]})");
  const ListPage page = read_list_page(body);
  CHECK(page.resource_version == "77");
  CHECK(page.continue_token == "next");
  REQUIRE(page.items->size() == 1);
  CHECK(key_of(page.items->at(0)) == ObjectKey{"x", "a"});

  CHECK(read_list_page(json::parse(R"({"metadata":{"resourceVersion":"1"},"items":null})")).items->empty());
  CHECK_THROWS_WITH_AS(read_list_page(json::parse(R"({"metadata":{}})")), "the list has no metadata.resourceVersion",
                       ApiReplyError);
  CHECK_THROWS_WITH_AS(read_list_page(json::parse(R"({"metadata":{"resourceVersion":"1"},"items":{}})")),
                       "items is not a list", ApiReplyError);
  CHECK_THROWS_WITH_AS(read_list_page(json::parse(R"({"metadata":{"resourceVersion":5}})")),
                       "metadata.resourceVersion is not a string", ApiReplyError);
  CHECK_THROWS_AS(read_list_page(json::array()), ApiReplyError);
}

TEST_CASE("object keys: cluster-scoped objects have no namespace; a name is required") {
  CHECK(key_of(json::parse(R"({"metadata":{"name":"node-1"}})")) == ObjectKey{"", "node-1"});
  CHECK_THROWS_WITH_AS(key_of(json::parse(R"({"metadata":{"namespace":"x"}})")), "an object has no metadata.name",
                       ApiReplyError);
  CHECK_THROWS_AS(key_of(json::parse(R"({"metadata":{"name":["a"]}})")), ApiReplyError);
  CHECK_THROWS_AS(key_of(json::parse(R"({"spec":{}})")), ApiReplyError);
  CHECK(resource_version_of(json::parse(R"({"metadata":{"name":"a"}})")).empty());
}

TEST_CASE("watch events: the five types, each with an object") {
  const json line = json::parse(R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"9"}}})");
  const WatchEvent event = read_watch_event(line);
  CHECK(event.type == EventType::bookmark);
  CHECK(resource_version_of(*event.object) == "9");
  for (const auto& entry : kEventTypes) {
    const json each{{"type", entry.name}, {"object", json::object()}};
    CHECK(read_watch_event(each).type == entry.value);
  }
  CHECK_THROWS_WITH_AS(read_watch_event(json::parse(R"({"type":"added","object":{}})")),
                       "unknown watch event type \"added\"", ApiReplyError);
  CHECK_THROWS_WITH_AS(read_watch_event(json::parse(R"({"type":"ADDED"})")), "a watch event has no object", ApiReplyError);
}

TEST_CASE("Retry-After in seconds, bounded") {
  CHECK(parse_retry_after("7") == std::chrono::seconds{7});
  CHECK(parse_retry_after(" 3 ") == std::chrono::seconds{3});
  CHECK(parse_retry_after("0") == std::chrono::seconds{1});
  CHECK(parse_retry_after("99999") == std::chrono::seconds{600});
  CHECK_FALSE(parse_retry_after(""));
  CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  CHECK_FALSE(parse_retry_after("5s"));
}
