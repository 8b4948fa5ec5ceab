#include "commands/propagation.h"

#include <algorithm>

namespace cachet::commands {

void Propagator::add_sink(PropagationSink* sink) { sinks_.push_back(sink); }

void Propagator::remove_sink(PropagationSink* sink) { std::erase(sinks_, sink); }

void Propagator::begin_call() {
  if (!enabled()) return;
  frames_.emplace_back();
}

void Propagator::end_call(int db, bool write, bool changed,
                          const std::vector<std::string_view>& argv) {
  if (frames_.empty()) return;  // a sink arrived during the call (CONFIG SET appendonly yes)
  Frame frame = std::move(frames_.back());
  frames_.pop_back();
  if (write && !frame.suppressed && (changed || frame.forced) && enabled()) {
    if (frame.rewritten) {
      pending_.push_back({db, std::move(frame.argv)});
    } else {
      pending_.push_back({db, std::vector<std::string>(argv.begin(), argv.end())});
    }
  }
  if (frames_.empty()) flush();
}

void Propagator::rewrite(std::vector<std::string> argv) {
  if (frames_.empty()) return;
  frames_.back().rewritten = true;
  frames_.back().argv = std::move(argv);
}

void Propagator::rewrite(std::initializer_list<std::string_view> argv) {
  if (frames_.empty()) return;
  rewrite(std::vector<std::string>(argv.begin(), argv.end()));
}

void Propagator::force() {
  if (!frames_.empty()) frames_.back().forced = true;
}

void Propagator::suppress() {
  if (!frames_.empty()) frames_.back().suppressed = true;
}

void Propagator::also(int db, std::vector<std::string> argv) {
  if (!enabled()) return;
  pending_.push_back({db, std::move(argv)});
  if (frames_.empty()) flush();
}

void Propagator::also(int db, std::initializer_list<std::string_view> argv) {
  if (!enabled()) return;
  also(db, std::vector<std::string>(argv.begin(), argv.end()));
}

void Propagator::feed(int db, const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  for (PropagationSink* sink : sinks_) sink->feed(db, views);
}

void Propagator::flush() {
  if (pending_.empty()) return;
  bool transaction = pending_.size() > 1;
  if (transaction) feed(-1, {"MULTI"});
  for (const Op& op : pending_) feed(op.db, op.argv);
  if (transaction) feed(-1, {"EXEC"});
  pending_.clear();
}

}  // namespace cachet::commands
