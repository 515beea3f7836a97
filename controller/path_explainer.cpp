#include "controller/path_explainer.hpp"

#include <map>

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

// What decides one entry's attribution, as one string.
std::string cache_key(const TargetView& target, const FailingNode& node, const std::string& address) {
  std::string key;
  key.reserve(target.probe.size() + target.target.size() + node.node.size() + node.ns.size() + address.size() + 24);
  for (const std::string_view part : {std::string_view(target.probe), std::string_view(target.target),
                                      std::string_view(target.transport), std::string_view(node.node),
                                      std::string_view(node.ns), to_string(node.outcome), to_string(target.expect),
                                      to_string(target.type), std::string_view(address)}) {
    key += part;
    key += '\0';
  }
  return key;
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
  std::map<std::pair<std::string_view, std::string_view>, const std::string*> address_of;
  for (const AgentView& agent : agents) address_of[{agent.node, agent.ns}] = &agent.advertised;

  std::unordered_map<std::string, PolicyAttribution> kept;
  for (TargetView& target : targets) {
    if (target.failing.empty()) continue;
    std::vector<std::size_t> missing;
    std::vector<netpol::FailingSource> sources;
    std::vector<std::string> keys(target.failing.size());
    for (std::size_t i = 0; i < target.failing.size(); ++i) {
      FailingNode& node = target.failing[i];
      static const std::string kNoAddress;
      const auto address = address_of.find({node.node, node.ns});
      const std::string& advertised = address == address_of.end() ? kNoAddress : *address->second;
      keys[i] = cache_key(target, node, advertised);
      if (const auto cached = cache_.find(keys[i]); cached != cache_.end()) {
        node.policy = cached->second;
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
      for (std::size_t j = 0; j < missing.size(); ++j) target.failing[missing[j]].policy = std::move(explained[j]);
    }
    std::vector<const PolicyAttribution*> attributions;
    attributions.reserve(target.failing.size());
    for (std::size_t i = 0; i < target.failing.size(); ++i) {
      attributions.push_back(&*target.failing[i].policy);
      kept.insert_or_assign(std::move(keys[i]), *target.failing[i].policy);
    }
    target.policy = summarise(attributions);
  }
  cache_ = std::move(kept);
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
