#pragma once
// Node names as people count them: "node-2" before "node-10". Kubernetes node
// names are machine-made ("ip-10-0-3-7", "gke-pool-1-abc-42", "node-0100"),
// so runs of digits compare by value; the rest compares byte by byte.
#include <string_view>

namespace netprobe {

// A strict weak order. Runs of digits compare by value ("2" < "10"); equal
// values with more leading zeros come after ("7" < "007"), so different
// names never compare equal.
bool natural_less(std::string_view a, std::string_view b);

}  // namespace netprobe
