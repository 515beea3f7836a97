#pragma once
// The status page's script and style sheet, compiled into the controller
// (controller/static, embedded by controller/CMakeLists.txt): an air-gapped
// cluster has no CDN, and the page's CSP allows only the controller's own.
#include <string_view>

namespace netprobe {

struct StaticAsset {
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path` ("/static/status.css"), or null.
const StaticAsset* find_static_asset(std::string_view path);

}  // namespace netprobe
