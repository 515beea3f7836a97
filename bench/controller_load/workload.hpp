#pragma once
// The workload: what each synthetic agent reports, round after round, the
// same for the same agent and round so that runs compare.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common.hpp"
#include "core/report.hpp"
#include "core/version.hpp"

namespace netprobe::bench {

struct CheckDef {
  std::string probe;
  ProbeType type;
  std::string target;
  std::string transport;
  Expect expect = Expect::allow;
};

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64: a cheap, well-spread hash
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Workload {
 public:
  explicit Workload(const Options& options) : options_(options) {
    // What every agent runs in a cluster (README.md, "Agent configuration"): kube-dns over both transports, each CoreDNS
    // endpoint, NodeLocal DNSCache, the API server, the metadata endpoint (expect: deny) ...
    shared_ = {
        {"kube-dns", ProbeType::dns, "10.96.0.10:53", "udp"},  // # not-a-destination: report data
        {"kube-dns", ProbeType::dns, "10.96.0.10:53", "tcp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.0.12:53", "udp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.0.12:53", "tcp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.1.7:53", "udp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.1.7:53", "tcp"},  // # not-a-destination: report data
        {"nodelocaldns", ProbeType::dns, "169.254.20.10:53", "udp"},
        {"nodelocaldns", ProbeType::dns, "169.254.20.10:53", "tcp"},
        {"kubernetes-api", ProbeType::tcp, "10.96.0.1:443", "tcp"},  // # not-a-destination: report data
        {"metadata", ProbeType::metadata, "169.254.169.254:80", "tcp", Expect::deny},  // # not-a-destination: report data
    };
    // ... and the rest are scrape paths (monitoring -> app metrics ports), each agent being
    // assigned its own slice of a pool of --scrape-targets. These strings are report data only:
    // nothing connects to them.
    for (std::size_t k = 0; k < options.scrape_targets; ++k) {
      scrape_.push_back("http://10." + std::to_string(100 + k / 62500) + "." + std::to_string(k / 250 % 250) + "." +
                        std::to_string(k % 250 + 1) + ":9090/metrics");
    }
  }

  std::size_t distinct_checks() const {
    const std::size_t shared = std::min(options_.results, shared_.size());
    const std::size_t scrape = options_.results - shared;
    return shared + std::min(options_.scrape_targets, scrape * options_.agents);
  }

  CheckDef check(std::size_t agent, std::size_t index) const {
    if (index < shared_.size()) return shared_[index];
    const std::size_t j = index - shared_.size();
    const std::size_t per_agent = options_.results - shared_.size();
    return {"scrape", ProbeType::http, scrape_[(agent * per_agent + j) % scrape_.size()], "http"};
  }

  // About 2 % of (agent, check) pairs fail all the time, and another 1 % in any given round
  // (so outcomes change between rounds and the store's since-when logic runs).
  AgentReport report(std::size_t agent, std::uint64_t round, const std::string& address) const {
    AgentReport report;
    report.node = node_name(agent);
    report.ns = "monitoring";
    report.address = address;
    report.version = std::string(kVersion);
    report.interval = options_.interval;
    report.full = true;
    report.results.reserve(options_.results);
    const auto now = SystemClock::now();
    for (std::size_t c = 0; c < options_.results; ++c) {
      const CheckDef def = check(agent, c);
      const std::uint64_t pair = mix((static_cast<std::uint64_t>(agent) << 20) ^ c);
      const bool failing = pair % 1000 < 20 || mix(pair ^ (round * 0x100000001b3ULL)) % 1000 < 10;
      ProbeResult result;
      result.probe = def.probe;
      result.type = def.type;
      result.target = def.target;
      result.transport = def.transport;
      result.expect = def.expect;
      result.node = report.node;
      result.ns = report.ns;
      if (def.expect == Expect::deny) {  // the policy blocks the metadata endpoint: that is success
        result.outcome = failing ? Outcome::ok : Outcome::timeout;
      } else if (failing) {
        result.outcome = def.type == ProbeType::http && pair % 2 == 0 ? Outcome::refused : Outcome::timeout;
      } else {
        result.outcome = Outcome::ok;
      }
      result.success = verdict(def.expect, result.outcome);
      if (result.outcome == Outcome::timeout) {
        result.duration_seconds = 2.0;
        result.detail = "no response from " + def.target + " within 2s";
      } else if (result.outcome == Outcome::refused) {
        result.duration_seconds = 0.0004;
        result.detail = "connect to " + def.target + ": connection refused";
      } else {
        result.duration_seconds = 0.0005 + static_cast<double>(pair % 4000) / 1e6;
        if (def.expect == Expect::deny) result.detail = "connected: the policy does not block " + def.target;
      }
      result.time = now;
      report.results.push_back(std::move(result));
    }
    return report;
  }

  static std::string node_name(std::size_t agent) {
    char name[32];
    std::snprintf(name, sizeof name, "node-%05zu", agent);
    return name;
  }

 private:
  const Options& options_;
  std::vector<CheckDef> shared_;
  std::vector<std::string> scrape_;
};

}  // namespace netprobe::bench
