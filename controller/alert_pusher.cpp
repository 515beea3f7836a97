#include "alert_pusher.hpp"

#include <chrono>

#include "core/url.hpp"
#include "io/http_client.hpp"

namespace netprobe {

boost::asio::awaitable<std::vector<PushOutcome>> push_to_alertmanagers(std::vector<std::string> urls,
                                                                       std::string body) {
  std::vector<PushOutcome> outcomes;
  for (const std::string& url_text : urls) {
    UrlError url_error;
    const auto url = parse_http_url(url_text, &url_error);
    if (!url) {
      outcomes.push_back(PushOutcome{url_text, false, url_error.message});
      continue;
    }
    ClientRequest request = request_under(*url, "POST", "/api/v2/alerts");
    set_json_body(request, body);
    ClientOptions options;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    const ClientExchange exchange = co_await http_exchange(request, options);
    if (!exchange.answered()) {
      outcomes.push_back(PushOutcome{url_text, false, describe_failure(request, exchange)});
    } else if (exchange.reply.status / 100 != 2) {
      outcomes.push_back(PushOutcome{url_text, false, "status " + std::to_string(exchange.reply.status) + ": " + exchange.reply.body.substr(0, 200)});
    } else {
      outcomes.push_back(PushOutcome{url_text, true, ""});
    }
  }
  co_return outcomes;
}

}  // namespace netprobe
