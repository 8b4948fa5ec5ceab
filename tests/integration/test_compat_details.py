"""Details the Valkey test suite checks and clients rely on: CLIENT REPLY modes, CLIENT LIST
fields, error statistics, RESP3 reply types, SCAN edge cases, command-line parsing."""

import re
import time

import pytest
import redis

from harness import wait_until
from resp import encode


def test_client_reply_on_after_skip_is_answered(server):
    with server.raw() as c:
        c.send(encode("CLIENT", "REPLY", "SKIP"))
        c.send(encode("CLIENT", "REPLY", "ON"))
        assert c.call("PING") == "OK"  # the OK of CLIENT REPLY ON comes first
        assert c.read() == "PONG"


def test_client_reply_skip_and_off(server):
    with server.raw() as c:
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("SET", "skipped", "1") +
               encode("CLIENT", "REPLY", "OFF") + encode("SET", "off", "1") +
               encode("CLIENT", "REPLY", "ON"))
        assert c.read() == "OK"
        assert c.call("MGET", "skipped", "off") == [b"1", b"1"]


def test_client_list_fields_for_running_command(server):
    with server.raw() as c:
        line = c.call("CLIENT", "INFO").decode()
        fields = dict(f.split("=", 1) for f in line.split())
        assert fields["cmd"] == "client|info"
        assert fields["qbuf"] == "0"  # the running command is already consumed
        for name in ("tot-net-in", "tot-net-out", "tot-cmds", "qbuf-free", "resp", "user"):
            assert name in fields
        before = int(fields["tot-net-in"])
        fields = dict(f.split("=", 1) for f in c.call("CLIENT", "INFO").decode().split())
        assert int(fields["tot-net-in"]) == before + len(encode("CLIENT", "INFO"))


def test_errorstats(server, r):
    r.config_resetstat()
    with pytest.raises(redis.ResponseError):
        r.execute_command("NO-SUCH-COMMAND")
    with pytest.raises(redis.ResponseError):
        r.execute_command("GET")
    with pytest.raises(redis.ResponseError):
        r.execute_command("INCR", "x", "y")
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError):
        r.incr("s")
    with server.raw() as c:  # raw: redis-py does not parse "count=4" without a comma
        text = c.call("INFO", "errorstats").decode()
    assert "errorstat_ERR:count=4\r\n" in text
    assert r.info("stats")["total_error_replies"] == 4


@pytest.mark.parametrize("kind,resp3,resp2", [
    ("bignum", b"(1234567999999999999999999999999999999\r\n",
     b"$37\r\n1234567999999999999999999999999999999\r\n"),
    ("true", b"#t\r\n", b":1\r\n"),
    ("double", b",3.141\r\n", b"$5\r\n3.141\r\n"),
    ("verbatim", b"=29\r\ntxt:This is a verbatim\nstring\r\n",
     b"$25\r\nThis is a verbatim\nstring\r\n"),
    ("attrib", b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
               b"$39\r\nSome real reply following the attribute\r\n",
     b"$39\r\nSome real reply following the attribute\r\n"),
])
def test_debug_protocol_types(server, kind, resp3, resp2):
    with server.raw() as c:
        c.send(encode("DEBUG", "PROTOCOL", kind))
        assert c.sock.recv(4096) == resp2
        c.call("HELLO", "3")
        c.send(encode("DEBUG", "PROTOCOL", kind))
        wait_until(lambda: c._fill() or len(c.buf) >= len(resp3), message="the full reply")
        assert bytes(c.buf) == resp3


def test_scan_unknown_type_and_expired_keys(server, r):
    with pytest.raises(redis.ResponseError, match="unknown type name 'string1'"):
        r.scan(0, _type="string1")
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        r.set("live", 1)
        for i in range(3):
            r.set(f"dying{i}", 1, px=1)
        # Wait on the server's clock: any lookup of the keys would expire them early.
        set_at = r.time()
        wait_until(lambda: (lambda t: (t[0] - set_at[0]) * 10**6 + t[1] - set_at[1])(r.time())
                   > 20_000, message="the keys' TTL to pass")
        assert r.dbsize() == 4  # still counted: nothing has touched them
        cursor, keys = r.scan(0, count=100)
        assert cursor == 0 and keys == ["live"]
        assert r.dbsize() == 1  # SCAN removed what it found expired
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_exists_does_not_touch_the_key(server, r):
    r.set("idle", 1)
    r.execute_command("DEBUG", "SLEEP", "1.1")
    r.exists("idle")
    r.type("idle")
    assert r.object("idletime", "idle") >= 1


def test_incrbyfloat_rejects_embedded_nul(r):
    r.set("f", "1")
    r.setrange("f", 2, "2")  # "1\x002"
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        r.incrbyfloat("f", 1)


@pytest.mark.parametrize("args,line,reason", [
    (["--port", "--loglevel", "verbose"], "'port \"--loglevel\" \"verbose\"'",
     "wrong number of arguments"),
    (["--port", "--bla", "--loglevel", "verbose"], "'port \"--bla\"'",
     "argument couldn't be parsed into an integer"),
    (["--logfile", "--my--log--file", "--loglevel", "--bla"], "'loglevel \"--bla\"'",
     "argument(s) must be one of the following"),
])
def test_command_line_errors_like_valkey(server_factory, args, line, reason):
    rc, out = server_factory.run_expect_exit(*args, port=None)
    assert rc != 0
    assert line in out and reason in out, out


def test_command_line_name_and_value_in_one_argument(server_factory):
    s = server_factory.start("--maxmemory '700mb'", "--save")
    r = s.client()
    assert r.config_get("maxmemory") == {"maxmemory": str(700 * 1024 * 1024)}
    assert r.config_get("save") == {"save": ""}


def test_startup_banner_shows_pid(server_factory):
    s = server_factory.start("--always-show-logo", "yes")
    assert re.search(r"PID: %d\b" % s.proc.pid, s.output())
