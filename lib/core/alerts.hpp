#pragma once
// The controller's own alert state machine, for the direct Alertmanager push
// (paging must not depend on Prometheus being able to scrape). Pure: the
// caller feeds the current target picture and the time, and sends what comes back.
//
//   inactive --failing on >= min_failing_nodes--> pending --for `for`--> firing
//   firing: re-sent every resend_interval; recovery sends endsAt = now (resolved)
//   pending that recovers is dropped silently: a blip does not page.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "controller_config.hpp"
#include "store.hpp"

namespace netprobe {

struct AlertNotification {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  TimePoint starts_at;
  TimePoint ends_at;  // in the future while firing (Alertmanager's lease), now when resolved
  bool resolved = false;
};

// Alertmanager API v2 body (POST /api/v2/alerts): a list of alerts.
nlohmann::json to_alertmanager_json(const std::vector<AlertNotification>& alerts);

// At most `max` alerts in one push, however many targets fail at once (a
// report can name thousands). When more are due, resolutions go first (a
// recovery is never held back), then firing alerts in order, and the last slot
// holds one NetprobeManyTargetsFailing alert counting the rest and naming their probes.
std::vector<AlertNotification> cap_push(std::vector<AlertNotification> batch, std::size_t max, TimePoint now,
                                        Millis lease);

class AlertEngine {
 public:
  explicit AlertEngine(AlertmanagerConfig config);

  std::vector<AlertNotification> evaluate(const std::vector<TargetView>& targets, TimePoint now);
  std::size_t firing() const;
  Millis lease() const { return config_.resend_interval * 4; }  // Alertmanager resolves it itself if we vanish

 private:
  struct State {
    TimePoint pending_since;
    bool firing = false;
    TimePoint last_sent;
    AlertNotification last;  // labels fixed while firing
  };

  AlertNotification describe(const TargetView& target, TimePoint starts_at) const;

  AlertmanagerConfig config_;
  std::map<CheckKey, State> states_;
};

}  // namespace netprobe
