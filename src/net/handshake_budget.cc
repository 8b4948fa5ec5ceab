#include "net/handshake_budget.h"

#include <algorithm>

#include "net/tls_connection.h"

namespace cachet::net {

void HandshakeBudget::forget(TlsConnection* conn) {
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), conn), waiting_.end());
}

bool HandshakeBudget::run_deferred() {
  used_us_ = 0;
  while (!waiting_.empty() && !exhausted()) {
    TlsConnection* conn = waiting_.front();
    waiting_.pop_front();
    conn->resume_handshake();
  }
  return !waiting_.empty();
}

}  // namespace cachet::net
