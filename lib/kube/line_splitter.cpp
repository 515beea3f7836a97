#include "line_splitter.hpp"

namespace netprobe::kube {
namespace {

void deliver(std::string_view line, const std::function<void(std::string_view)>& on_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.empty()) on_line(line);
}

}  // namespace

void LineSplitter::feed(std::string_view bytes, const std::function<void(std::string_view)>& on_line) {
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, newline);
    const bool ends_line = newline != std::string_view::npos;
    bytes = ends_line ? bytes.substr(newline + 1) : std::string_view{};

    if (!dropping_ && pending_.size() + piece.size() > max_line_bytes_) {
      dropping_ = true;
      pending_.clear();
      pending_.shrink_to_fit();
    }
    if (dropping_) {
      if (ends_line) {
        dropping_ = false;
        ++dropped_lines_;
      }
      continue;
    }
    if (!ends_line) {
      pending_.append(piece);
    } else if (pending_.empty()) {
      deliver(piece, on_line);  // the common case: a whole line inside one chunk, no copy
    } else {
      pending_.append(piece);
      deliver(pending_, on_line);
      pending_.clear();
    }
  }
}

}  // namespace netprobe::kube
