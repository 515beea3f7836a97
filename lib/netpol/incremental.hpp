#pragma once
// Live analysis that checks again only what a change can alter. The findings
// of a namespace depend on its own objects and on a few shared ones
// (partitioned.hpp), so after a change only the namespaces it touches are
// checked, and the rest keep their findings: one policy edited in a cluster of
// 2,000 namespaces is one namespace checked, not 2,000. Pure.
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "checks.hpp"
#include "finding_list.hpp"
#include "partitioned.hpp"

namespace netprobe::netpol {

// The namespaces of `current` whose findings under `options` may differ from
// those of `previous`:
//  - a namespace whose objects changed;
//  - a namespace added, removed or relabelled, and every namespace with a
//    namespaceSelector peer (it may pick that namespace now, or no longer);
//  - a namespace whose cross-namespace peer podSelectors look into one whose
//    pods changed;
//  - all of them, when the DNS servers, the scrapers or their namespaces'
//    policies changed, or a pod holding an address the checks name.
// Objects are compared by the namespace's shared pointer first, so an
// unchanged namespace costs nothing.
std::set<std::string> affected_namespaces(const PartitionedCluster& previous, const PartitionedCluster& current,
                                          const CheckOptions& options);

class IncrementalAnalysis {
 public:
  // The findings of run_checks(flatten(*cluster), options), in its order,
  // checking only the namespaces affected since the previous update (all of
  // them on the first, and when the options change).
  FindingList update(std::shared_ptr<const PartitionedCluster> cluster, const CheckOptions& options);

  // How many namespaces the latest update checked.
  std::size_t checked() const { return checked_; }

 private:
  std::shared_ptr<const PartitionedCluster> previous_;
  CheckOptions options_;
  std::map<std::string, FindingList::Chunk> findings_;  // by namespace; none for a namespace without findings
  std::size_t checked_ = 0;
};

}  // namespace netprobe::netpol
