#pragma once
// Writing HTML from names that come from reports and the cluster: every
// string is escaped, every link's query is percent-encoded (Boost.URL).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netprobe {

// Text safe inside HTML element content and attribute values.
std::string html_escape(std::string_view text);

// "/?node=a%20b&page=2" for path "/" and those parameters, escaped for an attribute.
// `path` is the controller's own ("/", "/api/v1/status"), never input.
std::string link_to(std::string_view path, const std::vector<std::pair<std::string, std::string>>& query);

// "5,000": counts people read at a glance.
std::string with_thousands(std::size_t count);

}  // namespace netprobe
