#pragma once
// Command families that need the running server rather than just the engine.
#include <string>
#include <string_view>

#include "commands/command_table.h"

namespace cachet::server {

class Server;
class Client;

void register_server_families(Server& server, commands::CommandTable& table);
void register_client_commands(Server& server, commands::CommandTable& table);
void register_config_commands(Server& server, commands::CommandTable& table);
void register_info_commands(Server& server, commands::CommandTable& table);
void register_debug_commands(Server& server, commands::CommandTable& table);
void register_persistence_commands(Server& server, commands::CommandTable& table);

// One CLIENT LIST line for a client.
std::string describe_client(const Server& server, const Client& client, int64_t now_ms);
// The INFO text for the requested sections ("" = default set).
std::string build_info(Server& server, std::string_view sections);

}  // namespace cachet::server
