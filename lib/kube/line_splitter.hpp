#pragma once
// A watch's body, as it arrives, cut into its newline-delimited events. Chunks
// of the HTTP stream do not follow events: one event may span several chunks
// and one chunk may hold several events, so bytes are kept until their line
// ends. A line longer than the limit is dropped whole (and counted) rather
// than buffered without bound: its object is skipped, the stream goes on.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace netprobe::kube {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Calls `on_line` for every line completed by `bytes`, without its newline
  // (a "\r\n" ending loses its "\r" too); empty lines are not passed on.
  void feed(std::string_view bytes, const std::function<void(std::string_view)>& on_line);

  std::size_t dropped_lines() const { return dropped_lines_; }
  // Bytes held for a line not yet ended (a stream that closes here lost them).
  std::size_t pending_bytes() const { return pending_.size(); }

 private:
  std::size_t max_line_bytes_;
  std::string pending_;
  bool dropping_ = false;  // inside a line that went over the limit
  std::size_t dropped_lines_ = 0;
};

}  // namespace netprobe::kube
