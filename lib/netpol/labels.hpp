#pragma once
#include <map>
#include <string>

namespace netprobe::netpol {

// A Kubernetes object's labels (or annotations): key → value, sorted by key as
// the API prints them.
using Labels = std::map<std::string, std::string>;

}  // namespace netprobe::netpol
