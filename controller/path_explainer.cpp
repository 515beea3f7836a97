#include "controller/path_explainer.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>

#include "core/endpoint.hpp"
#include "kube/derived_discovery.hpp"

namespace netprobe {
namespace {

PolicyAttribution still_listing() {
  return PolicyAttribution{PolicyVerdict::unknown, std::nullopt, {},
                           "the Kubernetes objects are still being listed: no live model yet"};
}

// A derived-deny probe fails by connecting (or by not getting to try: error).
bool connected(Outcome outcome) {
  return outcome == Outcome::ok || outcome == Outcome::reset || outcome == Outcome::http_status ||
         outcome == Outcome::tls_error || outcome == Outcome::token_timeout;
}

// What decides one entry's attribution, as one string, written into `key`
// (reused across entries: a cache hit allocates nothing).
void write_cache_key(std::string& key, const TargetView& target, const FailingNode& node, std::string_view address) {
  key.clear();
  for (const std::string_view part : {std::string_view(target.probe), std::string_view(target.target),
                                      std::string_view(target.transport), std::string_view(node.node),
                                      std::string_view(node.ns), to_string(node.outcome), to_string(target.expect),
                                      to_string(target.type), address}) {
    key += part;
    key += '\0';
  }
}

// The address the agent on (node, namespace) advertises; empty when it is not
// among `agents`, which come in (node, namespace) order (Store::agents).
std::string_view advertised_by(const std::vector<AgentView>& agents, const FailingNode& node) {
  const auto at = std::lower_bound(agents.begin(), agents.end(), node, [](const AgentView& agent, const FailingNode& wanted) {
    return std::tie(agent.node, agent.ns) < std::tie(wanted.node, wanted.ns);
  });
  if (at == agents.end() || at->node != node.node || at->ns != node.ns) return {};
  return at->advertised;
}

}  // namespace

void PathExplainer::annotate(std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                             const PathModel* model, const netpol::CheckOptions& options) {
  const bool kubernetes = model != nullptr;
  const bool same_model = kubernetes == kubernetes_ &&
                          (!kubernetes || (model->cluster == model_.cluster && model->services == model_.services &&
                                           model->derived == model_.derived));
  if (!same_model || !(options == options_)) {
    attributor_.reset();  // it refers to model_ and options_
    cache_.clear();
    kubernetes_ = kubernetes;
    model_ = kubernetes ? *model : PathModel{};
    options_ = options;
    derived_by_target_.clear();
    if (model_.derived) {
      for (const netpol::DerivedDenyProbe& probe : *model_.derived) derived_by_target_.emplace(kube::derived_target(probe), &probe);
    }
  }
  ++generation_;
  std::string key;
  for (TargetView& target : targets) {
    if (target.failing.empty()) continue;
    std::vector<std::size_t> missing;
    std::vector<netpol::FailingSource> sources;
    for (std::size_t i = 0; i < target.failing.size(); ++i) {
      FailingNode& node = target.failing[i];
      const std::string_view advertised = advertised_by(agents, node);
      write_cache_key(key, target, node, advertised);
      if (const auto cached = cache_.find(key); cached != cache_.end()) {
        cached->second.seen = generation_;
        node.policy = cached->second.attribution;
        continue;
      }
      missing.push_back(i);
      sources.push_back(netpol::FailingSource{node.node, node.ns, endpoint_ip(advertised), node.outcome});
    }
    if (!missing.empty()) {
      std::vector<PolicyAttribution> explained;
      if (!kubernetes) {
        explained.assign(missing.size(), netpol::without_live_model());
      } else if (!model_.cluster || !model_.services) {
        explained.assign(missing.size(), still_listing());
      } else {
        if (!attributor_) attributor_ = std::make_unique<netpol::PathAttributor>(*model_.cluster, *model_.services, options_);
        explained = attributor_->explain(
            netpol::ProbedPath{target.type, target.target, target.transport, target.expect}, sources);
      }
      computed_ += missing.size();
      if (target.probe == kube::kDerivedDenyProbe) tell_derived(target, sources, explained);
      for (std::size_t j = 0; j < missing.size(); ++j) {
        FailingNode& node = target.failing[missing[j]];
        write_cache_key(key, target, node, advertised_by(agents, node));
        node.policy = std::make_shared<const PolicyAttribution>(std::move(explained[j]));
        cache_.insert_or_assign(key, Cached{node.policy, generation_});
      }
    }
    std::vector<const PolicyAttribution*> attributions;
    attributions.reserve(target.failing.size());
    for (const FailingNode& node : target.failing) attributions.push_back(&*node.policy);
    target.policy = summarise(attributions);
  }
  std::erase_if(cache_, [this](const auto& entry) { return entry.second.seen != generation_; });  // stopped failing
}

void PathExplainer::tell_derived(const TargetView& target, const std::vector<netpol::FailingSource>& sources,
                                 std::vector<PolicyAttribution>& explained) const {
  const auto derived = derived_by_target_.find(target.target);
  if (derived == derived_by_target_.end()) return;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    PolicyAttribution& attribution = explained[i];
    if (!connected(sources[i].outcome) || attribution.verdict == PolicyVerdict::denied) continue;
    if (attribution.verdict == PolicyVerdict::unknown) continue;  // the model cannot place the agent: keep saying why
    attribution.direction = PolicyDirection::ingress;
    attribution.policies = {derived->second->policy};
    attribution.reason = derived->second->if_connected;
  }
}

}  // namespace netprobe
