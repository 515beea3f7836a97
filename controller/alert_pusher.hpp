#pragma once
// The direct path to Alertmanager: a batch of alerts POSTed to /api/v2/alerts
// of every configured Alertmanager, so paging does not depend on Prometheus.
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace netprobe {

struct PushOutcome {
  std::string url;
  bool delivered = false;
  std::string error;  // when not delivered
};

// `body` is an Alertmanager v2 alert list (to_alertmanager_json). Each URL gets 5 s.
boost::asio::awaitable<std::vector<PushOutcome>> push_to_alertmanagers(std::vector<std::string> urls, std::string body);

}  // namespace netprobe
