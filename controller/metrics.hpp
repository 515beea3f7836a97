#pragma once
// The controller's /metrics, written with core/exposition like the agent's
// (one writer for both: the agent, a static binary, cannot link Debian's
// shared prometheus-cpp, and the controller's families are as fixed in shape).
// Computed from the store at scrape time, so no series outlives the state it
// describes. Cardinality is bounded by probes x targets + agents; the one
// node x target family (netprobe_failing_pair) is capped at
// max_failing_series, with the rest counted in netprobe_failing_pairs_dropped.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controller/kube_status.hpp"
#include "controller/policy_snapshot.hpp"
#include "core/enum_table.hpp"
#include "core/store.hpp"
#include "netpol/derived_probes.hpp"

namespace netprobe {

// What became of a report (netprobe_reports_total{result}).
enum class ReportResult { accepted, rejected, unauthorized, too_large, busy, limited };
inline constexpr EnumTable kReportResults{std::array{
    EnumEntry<ReportResult>{ReportResult::accepted, "accepted", "kept (what a cap left out is counted by reason)"},
    EnumEntry<ReportResult>{ReportResult::rejected, "rejected", "malformed"},
    EnumEntry<ReportResult>{ReportResult::unauthorized, "unauthorized", "missing or wrong agent token (401)"},
    EnumEntry<ReportResult>{ReportResult::too_large, "too_large", "body over its limit (413)"},
    EnumEntry<ReportResult>{ReportResult::busy, "busy", "request bodies in flight over limits.body_memory (503)"},
    EnumEntry<ReportResult>{ReportResult::limited, "limited", "a new agent beyond limits.max_agents (429)"},
}};

// Why a report, or part of it, was refused by a limit (netprobe_reports_rejected_total{reason}).
enum class ReportRejection { agents, checks, agent_results, address };
inline constexpr EnumTable kReportRejections{std::array{
    EnumEntry<ReportRejection>{ReportRejection::agents, "agents", "limits.max_agents"},
    EnumEntry<ReportRejection>{ReportRejection::checks, "checks", "limits.max_checks"},
    EnumEntry<ReportRejection>{ReportRejection::agent_results, "agent_results", "limits.max_results_per_agent"},
    EnumEntry<ReportRejection>{ReportRejection::address, "address",
                               "an advertised address that is no IP inside adhoc.allow_cidrs"},
}};

// What the controller counts between scrapes. Every series exists from the
// start (at 0), so rate() and increase() work from the first scrape.
struct ControllerCounters {
  std::array<std::uint64_t, kReportResults.size()> reports{};
  std::array<std::uint64_t, kReportRejections.size()> rejections{};
  std::uint64_t alert_pushes_succeeded = 0;
  std::uint64_t alert_pushes_failed = 0;
  std::uint64_t identity_conflicts = 0;
  bool last_reload_successful = true;
  std::uint64_t reloads_succeeded = 0;
  std::uint64_t reloads_failed = 0;

  void count(ReportResult result) { ++reports[static_cast<std::size_t>(result)]; }
  void count(ReportRejection reason) { ++rejections[static_cast<std::size_t>(reason)]; }
  void alert_push(bool delivered) { ++(delivered ? alert_pushes_succeeded : alert_pushes_failed); }
  void reloaded(bool successful) {
    last_reload_successful = successful;
    ++(successful ? reloads_succeeded : reloads_failed);
  }
};

// Kubernetes mode's own series.
struct KubeMetrics {
  KubeStatus resources;
  std::size_t nodes_without_agent = 0;
  // The derived-deny probes handed out (netprobe_derived_probe_info: at most
  // discovery.max_derived series), so alert rules can name the policy.
  std::shared_ptr<const std::vector<netpol::DerivedDenyProbe>> derived;
};

// Prometheus text format 0.0.4. `kubernetes` null: the controller runs without it.
std::string render_controller_metrics(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                                      std::size_t max_failing_series, const PolicySnapshot& policies,
                                      const ControllerCounters& counters, const KubeMetrics* kubernetes = nullptr);

}  // namespace netprobe
