#include "net/connection.h"

#include <unistd.h>

namespace cachet::net {

Connection::~Connection() {
  if (fd_ >= 0) {
    if (registered_) loop_->remove(fd_);
    ::close(fd_);
  }
}

bool Connection::start() {
  registered_ = loop_->add(fd_, this, false, false);
  update_interest();
  return registered_;
}

void Connection::want_read(bool on) {
  if (want_read_ == on) return;
  want_read_ = on;
  update_interest();
}

void Connection::want_write(bool on) {
  if (want_write_ == on) return;
  want_write_ = on;
  update_interest();
}

void Connection::update_interest() { register_interest(want_read_, want_write_); }

void Connection::register_interest(bool readable, bool writable) {
  if (!registered_ || (readable == reg_read_ && writable == reg_write_)) return;
  loop_->modify(fd_, this, readable, writable);
  reg_read_ = readable;
  reg_write_ = writable;
}

}  // namespace cachet::net
