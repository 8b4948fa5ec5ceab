#pragma once
// Caps the CPU time one event-loop iteration spends on TLS handshakes. A full handshake costs
// about a millisecond of CPU (the signature); a storm of a thousand arriving at once would
// otherwise hold every established client for a second. Handshakes beyond the budget wait for
// the next iteration (epoll reports them again: it is level-triggered), and the established
// clients' requests in between are served.
#include <cstdint>

namespace cachet::net {

class HandshakeBudget {
 public:
  explicit HandshakeBudget(int64_t per_iteration_us) : limit_us_(per_iteration_us) {}

  // Called once per loop iteration.
  void reset() { used_us_ = 0; }
  // A handshake step may start while any budget is left; one step may overrun it.
  bool exhausted() const { return used_us_ >= limit_us_; }
  void charge(int64_t us) { used_us_ += us; }

 private:
  int64_t limit_us_;
  int64_t used_us_ = 0;
};

}  // namespace cachet::net
