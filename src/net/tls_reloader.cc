#include "net/tls_reloader.h"

#include <dirent.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace cachet::net {
namespace {

uint64_t mix(uint64_t h, std::string_view bytes) {
  // FNV-1a: a change detector, not a security boundary.
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

uint64_t add_file(uint64_t h, const std::string& path) {
  h = mix(h, path);
  if (path.empty()) return h;
  std::ifstream in(path, std::ios::binary);
  if (!in) return mix(h, "<unreadable>");
  std::ostringstream content;
  content << in.rdbuf();
  return mix(h, content.str());
}

uint64_t add_dir(uint64_t h, const std::string& path) {
  h = mix(h, path);
  if (path.empty()) return h;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return mix(h, "<unreadable>");
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    ::stat((path + "/" + name).c_str(), &st);
    // Order-independent: directory listing order is not stable.
    h ^= mix(0xcbf29ce484222325ULL, name + "|" + std::to_string(st.st_size) + "|" +
                                        std::to_string(st.st_mtim.tv_sec) + "." +
                                        std::to_string(st.st_mtim.tv_nsec));
  }
  ::closedir(dir);
  return h;
}

}  // namespace

uint64_t TlsReloader::fingerprint(const TlsSettings& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string* f : {&s.cert_file, &s.key_file, &s.client_cert_file,
                               &s.client_key_file, &s.ca_cert_file, &s.dh_params_file}) {
    h = add_file(h, *f);
  }
  return add_dir(h, s.ca_cert_dir);
}

TlsReloader::TlsReloader(EventLoop* loop, ResultFn on_result)
    : loop_(loop), on_result_(std::move(on_result)), thread_([this] { run(); }) {}

TlsReloader::~TlsReloader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void TlsReloader::configure(const TlsSettings& settings, int64_t interval_seconds) {
  uint64_t current = fingerprint(settings);
  {
    std::lock_guard lock(mutex_);
    settings_ = settings;
    interval_seconds_ = interval_seconds;
    last_fingerprint_ = current;
    ++generation_;
  }
  wake_.notify_all();
}

void TlsReloader::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (interval_seconds_ <= 0) {
      wake_.wait(lock);
      continue;
    }
    uint64_t generation = generation_;
    wake_.wait_for(lock, std::chrono::seconds(interval_seconds_));
    if (stopping_ || generation != generation_ || interval_seconds_ <= 0) continue;
    TlsSettings settings = settings_;
    uint64_t previous = last_fingerprint_;
    lock.unlock();
    // File reads and the whole OpenSSL build happen here, off the event loop.
    uint64_t now = fingerprint(settings);
    std::shared_ptr<TlsContext> next;
    std::string error;
    if (now != previous) next = TlsContext::create(settings, &error);
    lock.lock();
    if (now == previous || generation != generation_ || stopping_) continue;
    last_fingerprint_ = now;
    loop_->post([this, next, error] { on_result_(next, error); });
  }
}

}  // namespace cachet::net
