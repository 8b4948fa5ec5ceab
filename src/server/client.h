#pragma once
// One connected client: reads requests from its Connection, runs them through the command
// table and queues replies. Replies are not written per command: the Server flushes every
// client with pending output once per event-loop iteration, so a pipeline of N commands costs
// one write, not N.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/pubsub_registry.h"
#include "commands/session.h"
#include "common/buffer.h"
#include "net/connection.h"
#include "resp/reply_writer.h"
#include "resp/request_parser.h"

namespace cachet::server {

class Server;

class Client : public net::ConnectionOwner,
               public commands::CommandInvoker,
               public commands::Subscriber {
 public:
  Client(Server* server, std::unique_ptr<net::Connection> connection, uint64_t id);
  ~Client() override;

  void on_readable() override;
  void on_writable() override;
  void on_transport_error(std::string_view reason) override;
  void on_tls_established() override;

  // Writes queued output; on a partial write waits for the socket to drain. False if closed.
  bool flush();
  // Marks the client for closing; the Server frees it after the current loop iteration.
  void close(std::string_view reason);
  // Sends an error and closes once it is written (protocol errors, rejections).
  void reject(std::string_view error);
  bool closing() const { return closing_; }

  // A published message for this client (Pub/Sub, keyspace notifications).
  void deliver(const commands::PubSubMessage& message) override;

  // Paused clients keep their unprocessed input; resume() runs it.
  void resume();

  commands::Session& session() { return session_; }
  const commands::Session& session() const { return session_; }
  net::Connection& connection() { return *connection_; }
  const net::Connection& connection() const { return *connection_; }
  resp::ReplyWriter& writer() { return writer_; }
  Buffer& output() { return output_; }
  const Buffer& query_buffer() const { return query_; }

  uint64_t id() const { return session_.id; }
  int64_t created_ms() const { return created_ms_; }
  int64_t last_interaction_ms() const { return last_interaction_ms_; }
  bool write_pending = false;  // in the Server's pending-write list
  bool blocked_by_pause() const { return paused_; }
  bool blocked() const { return session_.block.active; }
  uint64_t commands_processed() const { return commands_processed_; }
  uint64_t net_input_bytes() const { return net_in_; }
  uint64_t net_output_bytes() const { return net_out_; }

 private:
  void process_input();
  bool looks_like_tls_handshake() const;
  void execute(const std::vector<std::string_view>& args);
  // Runs a checked command: handler, statistics, error counting. EXEC calls it per queued
  // command.
  void invoke(commands::CommandSpec& spec, const std::vector<std::string_view>& args) override;
  void reprocess_blocked() override;
  void end_blocking(bool as_error) override;
  void reply_error(std::string_view message);
  // maxmemory: evicts as the policy allows, then refuses a deny-oom command (or an EXEC
  // holding one) if memory is still over the limit. False when the command was refused.
  bool memory_allows(commands::CommandSpec& spec);
  void queue_write();
  void enforce_output_limit();
  // Messages that arrived for this client while its own command ran go after its reply.
  void append_deferred_pushes();

  Server* server_;
  std::unique_ptr<net::Connection> connection_;
  commands::Session session_;
  Buffer query_;
  Buffer output_;
  Buffer deferred_pushes_;
  resp::RequestParser parser_;
  resp::ReplyWriter writer_;
  bool closing_ = false;
  bool paused_ = false;
  int64_t created_ms_;
  int64_t last_interaction_ms_;
  int64_t soft_limit_since_ms_ = 0;
  uint64_t commands_processed_ = 0;
  uint64_t net_in_ = 0;
  uint64_t net_out_ = 0;
};

}  // namespace cachet::server
