#pragma once
// Caps the CPU time one event-loop iteration spends on TLS handshakes. A full handshake costs
// about a millisecond of CPU (the signature); a storm of a thousand arriving at once would
// otherwise hold every established client for a second. A handshake step that finds the
// budget spent is queued here with its socket's events switched off (so epoll does not report
// it again and again), and the queue is worked off at the start of the next iterations, a
// budget's worth at a time, with established clients served in between.
#include <cstdint>
#include <deque>

namespace cachet::net {

class TlsConnection;

class HandshakeBudget {
 public:
  explicit HandshakeBudget(int64_t per_iteration_us) : limit_us_(per_iteration_us) {}

  // A handshake step may start while any budget is left; one step may overrun it.
  bool exhausted() const { return used_us_ >= limit_us_; }
  void charge(int64_t us) { used_us_ += us; }

  void defer(TlsConnection* conn) { waiting_.push_back(conn); }
  void forget(TlsConnection* conn);
  // Starts a new iteration's budget and resumes queued handshakes within it. Returns whether
  // some are still waiting (the loop must not sleep then).
  bool run_deferred();

 private:
  int64_t limit_us_;
  int64_t used_us_ = 0;
  std::deque<TlsConnection*> waiting_;
};

}  // namespace cachet::net
