// The status page (GET /?…) and /api/v1/status?node=: a query string from anyone
// who can reach the controller, over names agents reported (any holder of the
// agent token). The input's first line is the query; each further line is a
// node name that reports a failing and a passing check, so names and query meet
// in the natural sort, the matrix grouping, the node and target pages and the
// escaping. Any page is fine; a crash, a hang, or a report's markup (a node
// "<node-evil>" and a detail "<detail>" beside the fuzzer's) unescaped in the
// page is a finding.
#include <string>
#include <string_view>

#include "controller/status_page.hpp"
#include "controller/status_view.hpp"
#include "core/http_message.hpp"
#include "fuzz_target.hpp"

namespace {

netprobe::ProbeResult result(std::string probe, std::string target, netprobe::Outcome outcome) {
  netprobe::ProbeResult r;
  r.probe = std::move(probe);
  r.type = netprobe::ProbeType::tcp;
  r.target = std::move(target);
  r.transport = "tcp";
  r.outcome = outcome;
  r.success = outcome == netprobe::Outcome::ok;
  r.detail = "<detail>";
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = netprobe::fuzz::as_text(data, size);
  const std::size_t newline = text.find('\n');
  netprobe::HttpRequest request;
  request.method = "GET";
  request.target = "/?" + std::string(text.substr(0, newline));

  netprobe::Store store;
  const netprobe::TimePoint now{std::chrono::seconds{1'800'000'000}};
  std::string_view names = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  for (int count = 0; !names.empty() && count < 64; ++count) {
    const std::size_t end = names.find('\n');
    netprobe::AgentReport report;
    report.node = std::string(names.substr(0, end));
    report.ns = count % 3 == 0 ? "shop" : "monitoring";
    report.interval = netprobe::Millis{10'000};
    report.full = true;
    report.results = {result("scrape", report.node, count % 2 ? netprobe::Outcome::refused : netprobe::Outcome::timeout),
                      result("dns", "127.0.0.1:53", netprobe::Outcome::ok)};
    store.apply(report, now);
    names = end == std::string_view::npos ? std::string_view{} : names.substr(end + 1);
  }
  {  // a name no page may show as markup, beside the fuzzer's
    netprobe::AgentReport evil;
    evil.node = "<node-evil>";
    evil.ns = "monitoring";
    evil.interval = netprobe::Millis{10'000};
    evil.full = true;
    evil.results = {result("scrape", "127.0.0.1:1", netprobe::Outcome::timeout)};
    store.apply(evil, now);
  }
  const std::vector<netprobe::TargetView> targets = store.targets(now);
  const std::vector<netprobe::AgentView> agents = store.agents(now);
  const netprobe::OutcomeMatrix matrix = store.matrix(now);
  const netprobe::PolicySnapshot policies;
  const std::vector<std::string> without_agent{std::string(text.substr(0, 40))};

  const auto query = request.query();
  if (!query) return 0;
  auto parsed = netprobe::parse_status_page_query(*query);
  if (auto* error = std::get_if<netprobe::QueryError>(&parsed)) {
    if (error->message.empty()) throw std::logic_error("a query error without a message");
  } else {
    const netprobe::RenderedPage page = netprobe::render_status_page(
        netprobe::StatusPageInput{targets, matrix, agents, policies, &without_agent, now},
        std::get<netprobe::StatusPageQuery>(parsed));
    // The page's own markup is fixed text; every '<' of a report is escaped.
    if (page.body.find("<detail>") != std::string::npos) throw std::logic_error("an unescaped detail in the page");
    if (page.body.find("<node-evil>") != std::string::npos) throw std::logic_error("an unescaped node name in the page");
  }
  auto node = netprobe::parse_status_api_query(*query);
  if (auto* wanted = std::get_if<std::string>(&node); wanted && !wanted->empty()) {
    (void)netprobe::targets_seen_from(targets, matrix, *wanted);
  }
  return 0;
}
