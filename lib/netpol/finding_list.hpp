#pragma once
// Findings as one list held in shared, immutable chunks: the live analysis
// keeps one chunk per namespace (incremental.hpp) and hands the controller the
// list of them, so a change in one namespace neither copies nor holds twice
// the findings of the others (150,000 findings are tens of megabytes).
#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

#include "checks.hpp"

namespace netprobe::netpol {

class FindingList {
 public:
  using Chunk = std::shared_ptr<const std::vector<Finding>>;

  FindingList() = default;
  FindingList(std::vector<Finding> findings);  // NOLINT(google-explicit-constructor): one chunk
  explicit FindingList(std::vector<Chunk> chunks);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Finding;
    using difference_type = std::ptrdiff_t;
    using pointer = const Finding*;
    using reference = const Finding&;

    const_iterator() = default;
    reference operator*() const { return (*(*chunk_))[index_]; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const const_iterator& other) const { return chunk_ == other.chunk_ && index_ == other.index_; }

   private:
    friend class FindingList;
    const_iterator(std::vector<Chunk>::const_iterator chunk, std::vector<Chunk>::const_iterator end)
        : chunk_(chunk), end_(end) {}
    std::vector<Chunk>::const_iterator chunk_;
    std::vector<Chunk>::const_iterator end_;
    std::size_t index_ = 0;
  };

  const_iterator begin() const { return {chunks_.begin(), chunks_.end()}; }
  const_iterator end() const { return {chunks_.end(), chunks_.end()}; }

  // Every finding, copied into one vector.
  std::vector<Finding> flat() const { return {begin(), end()}; }

 private:
  std::vector<Chunk> chunks_;  // none empty, so an iterator never rests on an empty chunk
  std::size_t size_ = 0;
};

}  // namespace netprobe::netpol
