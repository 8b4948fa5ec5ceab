#pragma once
// Small socket helpers shared by listeners and connections.
#include <string>

namespace cachet::net {

void set_tcp_options(int fd, int keepalive_seconds);
// "ip:port" of the peer and of our side; loopback tells protected mode what it needs.
void describe_socket(int fd, std::string* peer, std::string* local, bool* loopback);

}  // namespace cachet::net
