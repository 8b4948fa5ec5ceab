#include "server/client.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "commands/context.h"
#include "commands/errors.h"
#include "server/server.h"

namespace cachet::server {
namespace {
constexpr size_t kReadChunk = 16 * 1024;
// Big arguments are read straight into place, up to this much per read call.
constexpr size_t kMaxReadChunk = 1024 * 1024;
constexpr size_t kIdleBufferKeep = 64 * 1024;

std::string unknown_command_error(const std::vector<std::string_view>& args) {
  std::string listed;
  for (size_t i = 1; i < args.size() && listed.size() < 128; ++i) {
    size_t room = 128 - listed.size();
    listed += fmt::format("'{}' ", args[i].substr(0, room));
  }
  return fmt::format("ERR unknown command '{}', with args beginning with: {}",
                     args[0].substr(0, 128), listed);
}
}  // namespace

Client::Client(Server* server, std::unique_ptr<net::Connection> connection, uint64_t id)
    : server_(server),
      connection_(std::move(connection)),
      writer_(&output_, 2),
      created_ms_(now_ms()),
      last_interaction_ms_(created_ms_) {
  session_.id = id;
  session_.invoker = this;
  session_.subscriber = this;
  session_.authenticated = server_->config().requirepass.empty();
  connection_->set_owner(this);
}

Client::~Client() {
  server_->engine().watches.unwatch_all(session_);
  server_->engine().blocking.unblock(session_);
  server_->engine().pubsub.unsubscribe_all(*this);
}

void Client::on_readable() {
  if (closing_ || paused_) return;
  size_t want = std::max(kReadChunk, std::min(parser_.bytes_still_needed(query_.size()),
                                              kMaxReadChunk));
  char* into = query_.reserve(want);
  ssize_t n = connection_->read(into, want);
  if (n == net::Connection::kWouldBlock) return;
  if (n == 0) {
    close("client closed connection");
    return;
  }
  if (n < 0) {
    close(connection_->last_error());
    return;
  }
  query_.commit(static_cast<size_t>(n));
  if (commands_processed_ == 0 && looks_like_tls_handshake() && connection_->tls_info() == nullptr) {
    // A TLS client on the plaintext port: its ClientHello would sit in the buffer as an
    // endless inline command. Say so in the log and hang up.
    CACHET_LOG_VERBOSE("TLS handshake received on the plaintext port from {}; closing",
                       connection_->peer_address());
    ++server_->tls_stats().tls_on_plaintext_port;
    close("TLS on the plaintext port");
    return;
  }
  server_->engine().stats.total_net_input_bytes += static_cast<uint64_t>(n);
  net_in_ += static_cast<uint64_t>(n);
  last_interaction_ms_ = now_ms();
  if (static_cast<int64_t>(query_.size()) > server_->config().client_query_buffer_limit) {
    CACHET_LOG_WARNING("Closing client that reached max query buffer length (id={} addr={})",
                       id(), connection_->peer_address());
    ++server_->engine().stats.client_query_buffer_limit_disconnections;
    close("query buffer limit");
    return;
  }
  process_input();
}

void Client::on_writable() {
  // Replies written in this iteration may acknowledge writes the AOF has not written yet:
  // they go out from before_sleep, after the AOF flush.
  if (server_->persistence().aof_pending()) return server_->schedule_write(this);
  if (!closing_ || !output_.empty()) flush();
}

void Client::on_transport_error(std::string_view reason) {
  if (!connection_->handshake_failure().empty()) {
    server_->count_tls_handshake_failure(connection_->handshake_failure());
  }
  close(reason);
}

void Client::on_tls_established() { server_->count_tls_handshake(*connection_); }

bool Client::looks_like_tls_handshake() const {
  // A TLS record header: handshake content type 0x16, then major version 3.
  return query_.size() >= 3 && query_.data()[0] == 0x16 && query_.data()[1] == 0x03;
}

void Client::process_input() {
  resp::ParserLimits limits{server_->config().proto_max_bulk_len, session_.authenticated};
  parser_.set_limits(limits);
  while (!closing_ && !paused_ && !session_.block.active && !session_.close_after_reply &&
         !query_.empty()) {
    resp::ParseStatus status = parser_.parse(query_.view());
    if (status == resp::ParseStatus::kNeedMore) break;
    if (status == resp::ParseStatus::kError) {
      CACHET_LOG_VERBOSE("Protocol error ({}) from client: id={} addr={}", parser_.error(), id(),
                         connection_->peer_address());
      reject("ERR " + parser_.error());
      query_.clear();
      return;
    }
    if (status == resp::ParseStatus::kRequest) {
      // Only while CLIENT PAUSE is in force does a request need looking up before it runs.
      const commands::CommandSpec* spec =
          server_->pause_mode() == PauseMode::kNone
              ? nullptr
              : server_->engine().commands.resolve(parser_.args());
      if (spec != nullptr && server_->pause_blocks(spec->flags)) {
        paused_ = true;  // the request stays in the buffer for resume()
        server_->add_paused(this);
        return;
      }
      // Consumed before it runs, as in Valkey (CLIENT LIST shows qbuf=0 for the running
      // command). The argument views stay valid: consuming never moves or overwrites bytes.
      query_.consume(parser_.consumed());
      execute(parser_.args());
      // Authentication may have changed what the parser allows.
      parser_.set_limits({server_->config().proto_max_bulk_len, session_.authenticated});
      continue;
    }
    query_.consume(parser_.consumed());
  }
  if (query_.empty()) query_.shrink_if_idle(kIdleBufferKeep);
}

void Client::reply_error(std::string_view message) {
  // A command refused while queueing dooms the transaction (EXEC answers EXECABORT).
  if (session_.in_multi) session_.multi_aborted = true;
  writer_.error(message);
  server_->engine().stats.count_error(message);
  queue_write();
}

bool Client::memory_allows(commands::CommandSpec& spec) {
  commands::Engine& engine = server_->engine();
  if (engine.eviction.perform(engine) != commands::EvictResult::kFail) return true;
  // Commands that do not add data (reads, DEL, CONFIG ...) still run when nothing could be
  // freed; so does an EXEC whose queue has none that would.
  bool is_exec = session_.in_multi && spec.has(commands::kRunsInMulti) && spec.name == "exec";
  bool deny = spec.has(commands::kDenyOom);
  if (is_exec) {
    for (const commands::QueuedCommand& q : session_.queued) {
      deny |= q.spec->has(commands::kDenyOom);
    }
  }
  if (!deny) return true;
  ++spec.rejected_calls;
  if (is_exec) {
    // As Valkey: a refused EXEC ends the transaction and says why.
    engine.discard_transaction(session_);
    std::string message = "EXECABORT Transaction discarded because of: ";
    message += commands::kOomError;
    reply_error(message);
  } else {
    reply_error(commands::kOomError);
  }
  return false;
}

void Client::execute(const std::vector<std::string_view>& args) {
  commands::Engine& engine = server_->engine();
  commands::CommandSpec* spec = engine.commands.find(args[0]);
  if (spec == nullptr) return reply_error(unknown_command_error(args));
  if (!spec->subcommands.empty() && (spec->handler == nullptr || args.size() >= 2)) {
    if (args.size() < 2) {
      return reply_error(
          fmt::format("ERR wrong number of arguments for '{}' command", spec->name));
    }
    commands::CommandSpec* sub = spec->find_subcommand(args[1]);
    if (sub == nullptr) {
      std::string upper = spec->name;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return reply_error(fmt::format("ERR unknown subcommand '{}'. Try {} HELP.",
                                     args[1].substr(0, 128), upper));
    }
    spec = sub;
  }
  if (!spec->arity_ok(args.size())) {
    ++spec->rejected_calls;
    return reply_error(fmt::format("ERR wrong number of arguments for '{}' command", spec->name));
  }
  if (!session_.authenticated && !spec->has(commands::kNoAuth)) {
    ++spec->rejected_calls;
    return reply_error(commands::errors::kNoAuth);
  }

  if (server_->loading() && !spec->has(commands::kLoading)) {
    ++spec->rejected_calls;
    return reply_error("LOADING Valkey is loading the dataset in memory");
  }
  if (spec->has(commands::kWrite) || spec->name == "ping") {
    if (std::string refusal = server_->persistence().write_refusal(); !refusal.empty()) {
      ++spec->rejected_calls;
      return reply_error(refusal);
    }
  }
  if (session_.in_multi && spec->has(commands::kNoMulti)) {
    return reply_error("ERR Command not allowed inside a transaction");
  }
  if (server_->config().maxmemory > 0 && !memory_allows(*spec)) return;
  // A subscribed RESP2 connection carries messages; replies to most commands could not be
  // told apart from them. RESP3 pushes are out of band, so there anything goes.
  if (session_.protocol == 2 && in_pubsub_context() &&
      !spec->has(commands::kAllowedWhileSubscribed)) {
    ++spec->rejected_calls;
    return reply_error(fmt::format(
        "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
        "are allowed in this context",
        spec->name));
  }
  if (spec->has(commands::kNeedsSubscription) && !in_pubsub_context()) {
    ++spec->rejected_calls;
    return reply_error(
        fmt::format("NOSUB '{}' command executed not in subscribed mode", spec->name));
  }
  if (session_.in_multi && !spec->has(commands::kRunsInMulti)) {
    session_.queued.push_back({spec, std::vector<std::string>(args.begin(), args.end())});
    writer_.simple("QUEUED");
    queue_write();
    return;
  }

  // CLIENT REPLY SKIP silences the command after it (unless that is CLIENT REPLY ON).
  bool skip_this = session_.reply_mode == commands::ReplyMode::kSkipNext;
  if (skip_this) session_.reply_mode = commands::ReplyMode::kOn;
  session_.reply_on_requested = false;
  size_t before = output_.size();
  invoke(*spec, args);
  if (session_.block_request.requested) {
    // Nothing to take: wait on the keys. The reply comes when one is served or times out.
    // The call is counted then, once, as Valkey counts blocking commands.
    --spec->calls;
    commands::BlockRequest request = std::move(session_.block_request);
    session_.block_request = {};
    server_->engine().blocking.block(session_, session_.db, std::move(request), spec,
                                     std::vector<std::string>(args.begin(), args.end()));
    append_deferred_pushes();
    return;
  }
  // The mode after the command decides, so "CLIENT REPLY ON" is answered while "CLIENT REPLY
  // OFF" and "CLIENT REPLY SKIP" are not.
  bool silenced = (skip_this && !session_.reply_on_requested) ||
                  session_.reply_mode != commands::ReplyMode::kOn;
  if (spec->has(commands::kRepliesWithPushes)) silenced = false;
  if (silenced) output_.truncate(before);
  // Pushes are never silenced by CLIENT REPLY, so they join after the truncation.
  append_deferred_pushes();
  queue_write();
  enforce_output_limit();
  server_->serve_blocked_clients();
}

void Client::invoke(commands::CommandSpec& spec, const std::vector<std::string_view>& args) {
  commands::Engine& engine = server_->engine();
  size_t before = output_.size();
  int64_t start_us = monotonic_us();
  commands::CommandContext ctx{engine, session_, args, writer_, now_ms(), this};
  const std::string* outer = session_.last_command;
  session_.last_command = &spec.name;
  Client* previous = server_->current_client();
  server_->set_current_client(this);
  // CLIENT NO-TOUCH: the command's lookups leave access stamps alone, except TOUCH's, whose
  // point is the stamp.
  // Saved and restored because EXEC runs its queue through here, and a queued TOUCH must touch.
  store::AccessTracking& access = engine.keyspace.access();
  bool was_suppressed = access.suppressed();
  access.set_suppressed(session_.no_touch && spec.name != "touch");
  commands::Propagator& propagation = engine.propagation;
  uint64_t dirty_before = engine.dirty;
  int db = session_.db;
  propagation.begin_call();
  spec.handler(ctx);
  propagation.end_call(db, spec.has(commands::kWrite), engine.dirty != dirty_before, args);
  access.set_suppressed(was_suppressed);
  server_->set_current_client(previous);
  // Inside EXEC, CLIENT LIST keeps showing "exec" as the running command.
  if (outer != nullptr && *outer == "exec") session_.last_command = outer;
  int64_t elapsed = monotonic_us() - start_us;
  ++spec.calls;
  spec.usec += static_cast<uint64_t>(elapsed);
  ++engine.stats.total_commands_processed;
  ++commands_processed_;
  if (output_.size() > before && output_.data()[before] == '-') {
    ++spec.failed_calls;
    std::string_view reply(output_.data() + before + 1, output_.size() - before - 1);
    engine.stats.count_error(reply.substr(0, reply.find('\r')));
  }
}

void Client::reprocess_blocked() {
  std::vector<std::string> argv = session_.block.argv;
  std::vector<std::string_view> args(argv.begin(), argv.end());
  commands::CommandSpec* spec = session_.block.spec;
  int db = session_.db;
  session_.db = session_.block.db;  // the keys belong to the database the client blocked in
  invoke(*spec, args);
  session_.db = db;
  append_deferred_pushes();
  if (session_.block_request.requested) {  // still nothing for it: stays blocked, in place
    session_.block_request = {};
    --spec->calls;
    queue_write();
    return;
  }
  server_->engine().blocking.unblock(session_);
  queue_write();
  if (!query_.empty()) process_input();  // requests that arrived while it was blocked
}

void Client::end_blocking(bool as_error) {
  if (session_.block.spec != nullptr) ++session_.block.spec->calls;  // its one counted call
  server_->engine().blocking.unblock(session_);
  if (as_error) {
    writer_.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    writer_.null_array();
  }
  queue_write();
  if (!query_.empty()) process_input();
}

void Client::queue_write() {
  if (!output_.empty() || session_.close_after_reply) server_->schedule_write(this);
}

void Client::deliver(const commands::PubSubMessage& m) {
  if (closing_) return;
  // A message raised by this client's own running command (it published to a channel it
  // listens to, or its write fired a keyspace event) waits until that command has replied,
  // as in Valkey, so a reply is never split by a push.
  bool own_command = server_->current_client() == this;
  resp::ReplyWriter w(own_command ? &deferred_pushes_ : &output_, writer_.protocol());
  switch (m.via) {
    case commands::PubSubKind::kChannel:
      w.push(3);
      w.bulk("message");
      break;
    case commands::PubSubKind::kPattern:
      w.push(4);
      w.bulk("pmessage");
      w.bulk(m.pattern);
      break;
    case commands::PubSubKind::kShard:
      w.push(3);
      w.bulk("smessage");
      break;
  }
  w.bulk(m.channel);
  w.bulk(m.payload);
  if (own_command) return;
  queue_write();
  enforce_output_limit();
}

void Client::append_deferred_pushes() {
  if (deferred_pushes_.empty()) return;
  output_.append(deferred_pushes_.view());
  deferred_pushes_.clear();
  deferred_pushes_.shrink_if_idle(kIdleBufferKeep);
}

void Client::enforce_output_limit() {
  // Valkey's client classes: a client with any subscription is a pubsub client.
  const config::OutputBufferLimit& limit =
      in_pubsub_context() ? server_->config().obuf_pubsub : server_->config().obuf_normal;
  // Valkey counts only reply bytes beyond a client's 16 KB static buffer, so a limit below
  // that never cuts off an ordinary reply.
  constexpr int64_t kStaticReplyBuffer = 16 * 1024;
  auto size = std::max<int64_t>(0, static_cast<int64_t>(output_.size()) - kStaticReplyBuffer);
  bool over_hard = limit.hard_bytes > 0 && size > limit.hard_bytes;
  bool over_soft = false;
  if (limit.soft_bytes > 0 && size > limit.soft_bytes) {
    int64_t now = now_ms();
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
    over_soft = now - soft_limit_since_ms_ > limit.soft_seconds * 1000;
  } else {
    soft_limit_since_ms_ = 0;
  }
  if (over_hard || over_soft) {
    CACHET_LOG_WARNING("Client id={} addr={} scheduled to be closed ASAP for overcoming of output "
                       "buffer limits.", id(), connection_->peer_address());
    ++server_->engine().stats.client_output_buffer_limit_disconnections;
    output_.clear();
    close("output buffer limit");
  }
}

bool Client::flush() {
  while (!output_.empty()) {
    ssize_t n = connection_->write(output_.data(), output_.size());
    if (n > 0) {
      output_.consume(static_cast<size_t>(n));
      server_->engine().stats.total_net_output_bytes += static_cast<uint64_t>(n);
      net_out_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n == net::Connection::kWouldBlock) {
      connection_->want_write(true);
      return true;
    }
    close(connection_->last_error());
    return false;
  }
  connection_->want_write(false);
  output_.shrink_if_idle(kIdleBufferKeep);
  if (session_.close_after_reply) {
    close("closed after reply");
    return false;
  }
  return true;
}

void Client::reject(std::string_view error) {
  writer_.error(error);
  session_.close_after_reply = true;
  connection_->want_read(false);
  server_->schedule_write(this);
}

void Client::close(std::string_view reason) {
  if (closing_) return;
  closing_ = true;
  CACHET_LOG_VERBOSE("Client closed connection id={} addr={}: {}", id(),
                     connection_->peer_address(), reason);
  connection_->want_read(false);
  connection_->want_write(false);
  server_->schedule_free(this);
}

void Client::resume() {
  if (!paused_ || closing_) return;
  paused_ = false;
  process_input();
  if (!paused_ && connection_->has_pending_input()) on_readable();
}

}  // namespace cachet::server
