"""Startup configuration: config files, overrides, timeout, maxclients, bad input."""

import re
import socket
import subprocess

import pytest

from harness import wait_until


def assert_names_line(output, line_no):
    """The error output points at the line, e.g. 'at line 3' or 'server.conf:3'."""
    assert re.search(rf"(line:?\s*{line_no}\b)|(:{line_no}\b)", output), output


# -- runtime effects of directives ------------------------------------------------

def test_timeout_closes_idle_client(server_factory):
    s = server_factory.start("--timeout", "1")
    with s.raw() as idle:
        assert idle.call("PING") == "PONG"
        assert idle.wait_closed(timeout=20), "idle client was not disconnected"
    with s.raw() as fresh:  # the server itself keeps accepting
        assert fresh.call("PING") == "PONG"


def test_timeout_zero_keeps_idle_client(server_factory):
    s = server_factory.start("--timeout", "0")
    with s.raw() as c:
        assert c.call("PING") == "PONG"
        assert s.client().config_get("timeout") == {"timeout": "0"}
        assert c.call("PING") == "PONG"


def test_maxclients(server_factory):
    s = server_factory.start("--maxclients", "3")
    # The readiness probe's connection may still be open on the server's side; wait until the
    # first test connection is the only client so the slot count is exact.
    first = s.raw()
    wait_until(lambda: b"connected_clients:1\r\n" in first.call("INFO", "clients"),
               message="the readiness probe to disconnect")
    conns = [first] + [s.raw() for _ in range(2)]
    try:
        for c in conns:
            assert c.call("PING") == "PONG"
        with s.raw() as extra:
            assert extra.read() == "ERR max number of clients reached"
            assert extra.wait_closed()
        # freeing a slot lets a new client in (the close is noticed asynchronously)
        conns.pop().close()

        def new_client_accepted():
            with s.raw() as c:
                try:
                    return c.call("PING") == "PONG"
                except ConnectionError:
                    return False
        wait_until(new_client_accepted, message="a slot to free up")
    finally:
        for c in conns:
            c.close()


# -- config files ------------------------------------------------------------

def test_config_file_values(server_factory):
    s = server_factory.start(config="# a comment\n\n  timeout 42  \nmaxclients 77\n")
    r = s.client()
    assert r.config_get("timeout") == {"timeout": "42"}
    assert r.config_get("maxclients") == {"maxclients": "77"}


def test_command_line_overrides_config_file(server_factory):
    s = server_factory.start("--timeout", "20", config="timeout 10\n")
    assert s.client().config_get("timeout") == {"timeout": "20"}


def test_memory_units(server_factory):
    s = server_factory.start(config="proto-max-bulk-len 2mb\nclient-query-buffer-limit 1gb\n")
    r = s.client()
    assert r.config_get("proto-max-bulk-len") == {"proto-max-bulk-len": "2097152"}
    assert r.config_get("client-query-buffer-limit") == \
        {"client-query-buffer-limit": "1073741824"}


def test_quoted_values(server_factory):
    s = server_factory.start(config='requirepass "pass word\\x21"\n')
    assert s.client(password="pass word!").ping()
    s2 = server_factory.start(config="requirepass 'it\\'s a secret'\n")
    assert s2.client(password="it's a secret").ping()


def test_include(server_factory, tmp_path):
    extra = tmp_path / "extra.conf"
    extra.write_text("timeout 42\nmaxclients 77\n")
    # later lines win: the include overrides timeout, maxclients overrides the include
    s = server_factory.start(config=f"timeout 5\ninclude {extra}\nmaxclients 50\n")
    r = s.client()
    assert r.config_get("timeout") == {"timeout": "42"}
    assert r.config_get("maxclients") == {"maxclients": "50"}


# -- bad configuration makes the server refuse to start ------------------------

def test_unknown_directive_in_file(server_factory):
    rc, out = server_factory.run_expect_exit(
        config="timeout 0\n# comment\nbogus-directive 1 2\n")
    assert rc != 0
    assert "bogus-directive" in out
    assert_names_line(out, 3)


def test_unknown_directive_names_file(server_factory):
    # Cachet names the offending file (Redis 7.0 does not)
    rc, out = server_factory.run_expect_exit(config="bogus-directive 1\n")
    assert rc != 0
    assert "server.conf" in out, out


def test_bad_value_in_file(server_factory):
    rc, out = server_factory.run_expect_exit(config="timeout 0\nmaxclients abc\n")
    assert rc != 0
    assert "maxclients" in out
    assert_names_line(out, 2)


def test_wrong_argument_count_in_file(server_factory):
    rc, out = server_factory.run_expect_exit(config="timeout 1 2 3\n")
    assert rc != 0
    assert "timeout" in out


def test_unknown_command_line_override(server_factory):
    rc, out = server_factory.run_expect_exit("--foo", "bar")
    assert rc != 0
    assert "foo" in out


def test_missing_config_file(server_factory, tmp_path):
    missing = tmp_path / "nope.conf"
    rc, out = server_factory.run_expect_exit(config=missing)
    assert rc != 0
    assert str(missing) in out


@pytest.mark.parametrize("directive", ["maxclients -5", "timeout -1", "port 70000"])
def test_out_of_range_values(server_factory, directive):
    rc, out = server_factory.run_expect_exit(config=directive + "\n")
    assert rc != 0
    assert directive.split()[0] in out


def test_bind_several_addresses_ipv4_and_ipv6(server_factory):
    s = server_factory.start("--bind", "127.0.0.1", "-::1")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c4:
        c4.sendall(b"PING\r\n")
        assert c4.recv(64) == b"+PONG\r\n"
    if socket.has_ipv6:
        try:
            c6 = socket.create_connection(("::1", s.port), timeout=10)
        except OSError:
            pytest.skip("no IPv6 loopback on this machine")
        with c6:
            c6.sendall(b"PING\r\n")
            assert c6.recv(64) == b"+PONG\r\n"
    assert s.client().config_get("bind") == {"bind": "127.0.0.1 -::1"}


def test_tcp_keepalive_is_set_on_client_sockets(server_factory):
    s = server_factory.start("--tcp-keepalive", "123")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        c.sendall(b"PING\r\n")
        assert c.recv(64) == b"+PONG\r\n"
        local_port = c.getsockname()[1]
        # The server's end of this connection carries a keepalive timer of about 123 s.
        out = subprocess.run(["ss", "-tno", "state", "established",
                              f"( sport = :{s.port} and dport = :{local_port} )"],
                             capture_output=True, text=True, check=True).stdout
        assert re.search(r"timer:\(keepalive,2min", out), out
