#pragma once
// Each family adds its commands to the table.
#include "commands/command_table.h"

namespace cachet::commands {

void register_connection_commands(CommandTable& table);
void register_string_commands(CommandTable& table);
void register_string_op_commands(CommandTable& table);
void register_key_commands(CommandTable& table);
void register_expire_commands(CommandTable& table);
void register_key_move_commands(CommandTable& table);
void register_key_iteration_commands(CommandTable& table);
void register_keyspace_commands(CommandTable& table);
void register_introspection_commands(CommandTable& table);
void register_transaction_commands(CommandTable& table);
void register_hash_commands(CommandTable& table);
void register_set_commands(CommandTable& table);
void register_list_commands(CommandTable& table);
void register_zset_commands(CommandTable& table);
void register_zset_range_commands(CommandTable& table);
void register_zset_pop_commands(CommandTable& table);
void register_zset_algebra_commands(CommandTable& table);
void register_sort_commands(CommandTable& table);
void register_pubsub_commands(CommandTable& table);

inline void register_data_commands(CommandTable& table) {
  register_connection_commands(table);
  register_string_commands(table);
  register_string_op_commands(table);
  register_key_commands(table);
  register_expire_commands(table);
  register_key_move_commands(table);
  register_key_iteration_commands(table);
  register_keyspace_commands(table);
  register_introspection_commands(table);
  register_transaction_commands(table);
  register_hash_commands(table);
  register_set_commands(table);
  register_list_commands(table);
  register_zset_commands(table);
  register_zset_range_commands(table);
  register_zset_pop_commands(table);
  register_zset_algebra_commands(table);
  register_sort_commands(table);
  register_pubsub_commands(table);
}

}  // namespace cachet::commands
