#pragma once
// Watches the TLS files from a background thread and, when they change on disk, builds and
// validates a new context there (never on the event loop). The result, a new context or the
// reason the new material was refused, is posted back to the loop. Each change of the files is
// tried once: a refused change is reported once, not every interval.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "net/event_loop.h"
#include "net/tls_context.h"

namespace cachet::net {

class TlsReloader {
 public:
  // Runs on the loop thread: a validated context, or nullptr and the error.
  using ResultFn = std::function<void(std::shared_ptr<TlsContext>, const std::string& error)>;

  TlsReloader(EventLoop* loop, ResultFn on_result);
  ~TlsReloader();
  TlsReloader(const TlsReloader&) = delete;
  TlsReloader& operator=(const TlsReloader&) = delete;

  // What to watch and how often; 0 seconds stops watching. The files as they are on disk now
  // count as what the server runs, so only later changes trigger a reload.
  void configure(const TlsSettings& settings, int64_t interval_seconds);

  // A digest of every file (and CA directory entry) the settings name.
  static uint64_t fingerprint(const TlsSettings& settings);

 private:
  void run();

  EventLoop* loop_;
  ResultFn on_result_;
  std::mutex mutex_;
  std::condition_variable wake_;
  TlsSettings settings_;
  int64_t interval_seconds_ = 0;
  uint64_t last_fingerprint_ = 0;
  uint64_t generation_ = 0;  // bumped by configure(), so a stale result is dropped
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cachet::net
