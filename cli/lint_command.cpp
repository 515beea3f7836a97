// `netprobe lint -f FILE|DIR …`: offline NetworkPolicy analysis. The files are
// read here; the model, evaluator and checks are pure (lib/core/netpol_*).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/allowlist.hpp"
#include "netpol/attribution.hpp"
#include "netpol/checks.hpp"
#include "netpol/eval.hpp"
#include "netpol/finding_json.hpp"
#include "core/json_text.hpp"
#include "netpol/read.hpp"
#include "io/manifest_files.hpp"

namespace netprobe::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace netprobe::netpol;  // this command is the face of the NetworkPolicy library

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "ns/name" → pod index, or an IP address.
ConnectionEnd endpoint(const PolicyEvaluator& evaluator, const std::string& text, bool ip_allowed) {
  if (ip_allowed) {
    std::string bare = text;
    if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
    if (auto ip = parse_ip(bare)) return ConnectionEnd::of_ip(*ip);
  }
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
    throw UsageError("--explain: \"" + text + "\": expected namespace/pod-or-workload" +
                     (ip_allowed ? " or an IP address" : ""));
  }
  const auto pod = evaluator.find_pod(text.substr(0, slash), text.substr(slash + 1));
  if (!pod) throw UsageError("--explain: no pod or workload \"" + text + "\" in the manifests");
  return ConnectionEnd::of_pod(*pod);
}

nlohmann::json direction_json(const DirectionVerdict& verdict) {
  return {{"isolated", verdict.isolated}, {"allowed", verdict.allowed}, {"allowed_by", verdict.allowed_by},
          {"isolated_by", verdict.isolated_by}};
}

// What --explain prints: a sentence by default, the verdict object with --json.
enum class ExplainFormat { sentence, json };

int explain(const Cluster& cluster, const std::vector<std::string>& values, ExplainFormat format) {
  if (values.size() != 2) throw UsageError("--explain takes SRC DST:PORT[/PROTO]");
  const PolicyEvaluator evaluator(cluster);
  std::string destination = values[1];
  Protocol protocol = Protocol::tcp;
  const auto colon = destination.rfind(':');
  if (colon == std::string::npos) throw UsageError("--explain: \"" + destination + "\": expected DST:PORT[/PROTO]");
  std::string port_text = destination.substr(colon + 1);
  destination.resize(colon);
  if (const auto slash = port_text.find('/'); slash != std::string::npos) {
    const auto parsed = parse_protocol(port_text.substr(slash + 1));
    if (!parsed) throw UsageError("--explain: unknown protocol \"" + port_text.substr(slash + 1) + "\" (TCP, UDP, SCTP)");
    protocol = *parsed;
    port_text.resize(slash);
  }
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port == 0 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    throw UsageError("--explain: invalid port \"" + port_text + "\" (1-65535)");
  }
  const ConnectionEnd source = endpoint(evaluator, values[0], false);
  const ConnectionEnd target = endpoint(evaluator, destination, true);
  const ConnectionVerdict verdict =
      evaluator.may_connect(source, target, static_cast<std::uint16_t>(port), protocol);
  if (format == ExplainFormat::json) {
    const nlohmann::json out{{"allowed", verdict.allowed},
                             {"egress", direction_json(verdict.egress)},
                             {"ingress", direction_json(verdict.ingress)}};
    std::cout << json_text(out) << "\n";
  } else {
    // An IP that a pod has is that pod, as the evaluator took it.
    std::string to = destination;
    const std::optional<std::size_t> pod_with_ip = target.ip ? evaluator.pod_with_ip(*target.ip) : target.pod;
    if (target.ip && pod_with_ip) {
      const Pod& pod = cluster.pods[*pod_with_ip];
      to = pod.ns + "/" + pod.name + " (" + destination + ")";
    }
    const PolicyAttribution said = attribute_connection(values[0], to, to, verdict, static_cast<std::uint16_t>(port),
                                                        protocol, !pod_with_ip.has_value());
    std::cout << (verdict.allowed ? "allowed: " : "denied: ") << said.reason << "\n";
  }
  return verdict.allowed ? 0 : 1;
}

void print_text(const std::vector<Finding>& findings) {
  std::map<std::string, std::vector<const Finding*>> by_namespace;
  for (const Finding& finding : findings) by_namespace[finding.ns].push_back(&finding);
  for (const auto& [ns, group] : by_namespace) {
    std::cout << "namespace " << ns << "\n";
    for (const Finding* finding : group) {
      std::cout << "  " << finding->severity << " " << finding->check;
      if (!finding->policy.empty()) std::cout << " " << finding->ns << "/" << finding->policy;
      if (const std::string at = location(finding->where); !at.empty()) std::cout << " (" << at << ")";
      std::cout << "\n    " << finding->message << "\n";
      if (!finding->hint.empty()) std::cout << "    hint: " << finding->hint << "\n";
    }
  }
  std::map<std::string, int> counts;
  for (const Finding& finding : findings) ++counts[finding.severity];
  if (findings.empty()) {
    std::cout << "no findings\n";
  } else {
    std::cout << counts["error"] << " error(s), " << counts["warning"] << " warning(s), " << counts["info"]
              << " info\n";
  }
}

}  // namespace

int lint_command(const std::vector<std::string>& args) {
  po::options_description flags(
      "usage: netprobe lint -f FILE|DIR … [--monitoring-namespace NS] [--json]\n"
      "       netprobe lint -f FILE|DIR … --explain SRC DST:PORT[/PROTO]\n\n"
      "  SRC and DST are namespace/pod-or-workload-name; DST may also be an IP address.\n\nOptions");
  flags.add_options()
      ("help,h", "print this help")
      ("filename,f", po::value<std::vector<std::string>>(), "manifest file or directory (*.yaml, *.yml, *.json), or - for standard input; repeatable")
      ("monitoring-namespace", po::value<std::string>()->default_value("monitoring"), "namespace Prometheus scrapes from")
      ("dns-namespace", po::value<std::string>()->default_value("kube-system"), "namespace of kube-dns")
      ("prometheus-label", po::value<std::vector<std::string>>(), "KEY=VALUE a Prometheus pod carries, repeatable (default: every pod of the monitoring namespace scrapes)")
      ("nodelocal-dns", po::value<std::string>(), "NodeLocal DNSCache address (e.g. 169.254.20.10), if the cluster runs it")
      ("metadata-severity", po::value<std::string>()->default_value("warning"), "metadata-blocked severity: error, warning or off")
      ("iam-annotation", po::value<std::vector<std::string>>(), "service-account annotation that marks a workload needing the metadata endpoint, repeatable (default: EKS, GKE and Azure workload identity)")
      ("json", "print {\"findings\": […]} (with --explain: the verdict object)")
      ("explain", po::value<std::vector<std::string>>()->multitoken(), "SRC DST:PORT[/PROTO]: may SRC reach DST, and which policies decide, in a sentence");
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(args).options(flags).run(), vars);
    po::notify(vars);
  } catch (const po::error& error) {
    std::cerr << "netprobe lint: " << error.what() << "\nTry 'netprobe lint --help'.\n";
    return 2;
  }
  if (vars.count("help")) {
    std::cout << flags << "\nExit codes: 0 no error findings (or --explain: allowed), 1 errors found (or denied), "
                          "2 usage error or invalid manifests.\n";
    return 0;
  }
  if (!vars.count("filename")) {
    std::cerr << "netprobe lint: which manifests? pass -f FILE|DIR\nTry 'netprobe lint --help'.\n";
    return 2;
  }
  try {
    const Cluster cluster = read_manifest_paths(vars["filename"].as<std::vector<std::string>>());
    for (const IgnoredObject& ignored : cluster.ignored) {
      std::cerr << "netprobe lint: note: " << location(ignored.where) << ": " << ignored.kind << " "
                << (ignored.ns.empty() ? "" : ignored.ns + "/") << ignored.name << " (" << ignored.api_version
                << ") is not evaluated\n";
    }
    if (vars.count("explain")) {
      return explain(cluster, vars["explain"].as<std::vector<std::string>>(),
                     vars.count("json") ? ExplainFormat::json : ExplainFormat::sentence);
    }

    CheckOptions options;
    options.monitoring_namespace = vars["monitoring-namespace"].as<std::string>();
    options.dns_namespace = vars["dns-namespace"].as<std::string>();
    if (vars.count("prometheus-label")) {
      for (const std::string& pair : vars["prometheus-label"].as<std::vector<std::string>>()) {
        const auto equals = pair.find('=');
        if (equals == std::string::npos || equals == 0) {
          throw UsageError("--prometheus-label: \"" + pair + "\": expected KEY=VALUE");
        }
        options.prometheus_labels[pair.substr(0, equals)] = pair.substr(equals + 1);
      }
    }
    if (vars.count("nodelocal-dns")) {
      options.nodelocal_dns = vars["nodelocal-dns"].as<std::string>();
      if (!parse_ip(options.nodelocal_dns)) throw UsageError("--nodelocal-dns: invalid IP address \"" + options.nodelocal_dns + "\"");
    }
    options.metadata_severity = vars["metadata-severity"].as<std::string>();
    if (options.metadata_severity != "error" && options.metadata_severity != "warning" && options.metadata_severity != "off") {
      throw UsageError("--metadata-severity: unknown severity \"" + options.metadata_severity + "\" (error, warning, off)");
    }
    if (vars.count("iam-annotation")) options.iam_annotations = vars["iam-annotation"].as<std::vector<std::string>>();
    const std::vector<Finding> findings = run_checks(cluster, options);
    for (const std::string& skipped : skipped_checks(scope_of(cluster))) std::cerr << "netprobe lint: note: " << skipped << "\n";
    if (vars.count("json")) {
      std::cout << json_text(nlohmann::ordered_json{{"findings", to_json(findings)}}) << "\n";
    } else {
      print_text(findings);
    }
    const bool errors = std::any_of(findings.begin(), findings.end(),
                                    [](const Finding& finding) { return finding.severity == "error"; });
    return errors ? 1 : 0;
  } catch (const ConfigError& error) {
    std::cerr << "netprobe lint: " << error.what() << "\n";
    return 2;
  } catch (const UsageError& error) {
    std::cerr << "netprobe lint: " << error.what() << "\n";
    return 2;
  } catch (const ManifestPathError& error) {
    std::cerr << "netprobe lint: -f " << error.what() << "\n";
    return 2;
  } catch (const fs::filesystem_error& error) {
    std::cerr << "netprobe lint: " << error.what() << "\n";
    return 2;
  }
}

}  // namespace netprobe::cli
