#pragma once
// Text from reports (node names, targets, details: anything a token holder
// wrote) printed to a person's terminal. Control characters are shown as \xNN
// escapes, so an ESC sequence in a report cannot rewrite the screen, hide a
// line or retitle the window.
#include <string>
#include <string_view>

namespace netprobe {

std::string terminal_safe(std::string_view text);

}  // namespace netprobe
