#include "common/buffer.h"

#include <algorithm>

namespace cachet {

void Buffer::grow(size_t n) {
  size_t used = end_ - start_;
  // Compacting is enough when the consumed prefix makes the room.
  if (start_ > 0 && cap_ - used >= n && used <= cap_ / 2) {
    std::memmove(data_.get(), data_.get() + start_, used);
    start_ = 0;
    end_ = used;
    return;
  }
  size_t next = std::max<size_t>(cap_ * 2, 1024);
  while (next - used < n) next *= 2;
  std::unique_ptr<char[]> bigger(new char[next]);
  if (used > 0) std::memcpy(bigger.get(), data_.get() + start_, used);
  data_ = std::move(bigger);
  cap_ = next;
  start_ = 0;
  end_ = used;
}

void Buffer::shrink_if_idle(size_t keep) {
  if (start_ == end_ && cap_ > keep) {
    data_.reset();
    cap_ = start_ = end_ = 0;
  }
}

}  // namespace cachet
