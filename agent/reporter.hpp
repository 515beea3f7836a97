#pragma once
// Pushes the agent's results to every controller: a full report each interval,
// and soon after an outcome changes, so a controller sees a failure within
// about a second (core/report_pacing.hpp decides when). Each controller URL may
// name several replicas (a headless Service): the agent reports to every
// address it resolves to, all of them at once, so one blackholed replica (the
// very failure netprobe exists to catch) holds back no other. When name
// resolution fails (the DNS outage being reported) it keeps using the last
// addresses that worked, across reloads too. A controller that fails gets only
// the full reports until its backoff has passed; probing and the agent's own
// /metrics carry on meanwhile.
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/check_key.hpp"
#include "core/controller_reply.hpp"
#include "core/report.hpp"

namespace netprobe {

enum class ReportDelivery { accepted, rejected, failed };

struct ReporterOptions {
  std::vector<std::string> controllers;  // base URLs
  std::string token;                     // the agent token
  std::string node;
  std::string ns;
  std::string advertise;                 // "host:port" where controllers reach this agent
  Millis interval{10'000};
  ProbeDefaults defaults;                // for the probes a controller assigns
};

class Reporter {
 public:
  // Called with each controller reply whose assigned probes or ad hoc rules changed.
  using ReplySink = std::function<void(const ControllerReply& reply)>;
  // Called once per report sent to one address of a controller URL.
  using DeliverySink = std::function<void(const std::string& controller, ReportDelivery delivery)>;

  Reporter(boost::asio::any_io_executor executor, ReporterOptions options, ReplySink on_reply,
           DeliverySink on_delivery);
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  void start();
  void stop();
  void reconfigure(ReporterOptions options);  // after SIGHUP; state of URLs still configured is kept

  // The latest result of a check; an outcome change triggers an early report.
  void record(const ProbeResult& result);
  // Checks that are no longer configured: dropped from the next full report.
  void retain_only(const std::vector<CheckKey>& keys);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace netprobe
