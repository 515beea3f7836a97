// What the Kubernetes API sends the controller: a watch stream, cut into
// chunks anywhere, through the line splitter, the reflector and the live
// store; and the same bytes as a list page. A hostile or broken API server
// must never crash the controller or make it throw: every malformed event and
// object is counted and skipped.
#include "core/json_input.hpp"
#include "fuzz_target.hpp"
#include "kube/line_splitter.hpp"
#include "kube/live_cluster.hpp"
#include "kube/reflector.hpp"

namespace {

using namespace netprobe::kube;

void feed_watch(Resource resource, std::string_view stream, std::size_t chunk, LiveCluster& live) {
  Reflector reflector(resource, ReflectorOptions{}, 1);
  const auto now = Clock::now();
  reflector.list_page(nlohmann::json::parse(R"({"metadata":{"resourceVersion":"1"},"items":[]})"),
                      live.sink(resource), now);
  reflector.watch_opened(now);
  LineSplitter lines(4096);
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    lines.feed(stream.substr(at, chunk), [&](std::string_view line) { reflector.watch_line(line, live.sink(resource), now); });
  }
  reflector.watch_closed(now);
  (void)reflector.take_notices();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view stream = netprobe::fuzz::as_text(data + 1, size - 1);
  LiveCluster live;
  feed_watch(Resource::networkpolicies, stream, chunk, live);
  feed_watch(Resource::pods, stream, chunk, live);
  (void)netprobe::netpol::flatten(*live.snapshot());

  Reflector lister(Resource::namespaces, ReflectorOptions{}, 2);
  nlohmann::json body;
  try {
    body = netprobe::parse_json_input(stream);
  } catch (const netprobe::JsonInputError& error) {
    netprobe::fuzz::require_message(error);
  }
  lister.list_page(body, live.sink(Resource::namespaces), Clock::now());
  return 0;
}
