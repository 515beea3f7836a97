#include "finding_list.hpp"

#include <algorithm>

namespace netprobe::netpol {

FindingList::FindingList(std::vector<Finding> findings)
    : FindingList(std::vector<Chunk>{std::make_shared<const std::vector<Finding>>(std::move(findings))}) {}

FindingList::FindingList(std::vector<Chunk> chunks) : chunks_(std::move(chunks)) {
  std::erase_if(chunks_, [](const Chunk& chunk) { return !chunk || chunk->empty(); });
  for (const Chunk& chunk : chunks_) size_ += chunk->size();
}

FindingList::const_iterator& FindingList::const_iterator::operator++() {
  if (++index_ == (*chunk_)->size()) {
    ++chunk_;
    index_ = 0;
  }
  return *this;
}

}  // namespace netprobe::netpol
