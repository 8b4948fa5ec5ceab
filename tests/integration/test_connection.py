"""Connection-level commands: PING ECHO HELLO AUTH SELECT SWAPDB QUIT RESET CLIENT."""

import threading
import time

import pytest
import redis

from harness import wait_until
from resp import RespError, encode


def test_ping(r, server):
    assert r.ping() is True
    with server.raw() as c:  # raw: redis-py turns any PING reply into a bool
        assert c.call("PING") == "PONG"
        assert c.call("PING", "hello") == b"hello"
        assert c.call("PING", "a", "b") == \
            "ERR wrong number of arguments for 'ping' command"


def test_echo(r):
    assert r.echo("hi there") == "hi there"
    assert r.echo("") == ""
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'echo'"):
        r.execute_command("ECHO")


def test_echo_binary_safe(server):
    with server.raw() as c:
        payload = bytes(range(256)) + b"\r\n\x00"
        assert c.call("ECHO", payload) == payload


def test_hello_2(r):
    reply = r.execute_command("HELLO", "2")
    info = dict(zip(reply[::2], reply[1::2]))  # RESP2: flat key/value array
    assert info["proto"] == 2
    assert info["role"] == "master"
    assert info["mode"] == "standalone"
    assert {"server", "version", "id", "modules"} <= info.keys()


def test_hello_3_uses_resp3_types(server):
    with server.raw() as c:
        c.send(encode("HELLO", "3"))
        raw = c.read_raw()
        assert raw.startswith(b"%")  # RESP3 map
        # after HELLO 3, replies use RESP3 types
        reply = c.call("PING")
        assert reply == "PONG"
        c.send(encode("CONFIG", "GET", "port"))
        raw = c.read_raw()
        assert raw == b"%%1\r\n$4\r\nport\r\n$%d\r\n%d\r\n" % (
            len(str(server.port)), server.port)
        c.send(encode("GET", "no-such-key-resp3"))
        assert c.read_raw() == b"_\r\n"  # RESP3 null
        # and HELLO 2 switches back
        c.call("HELLO", "2")
        c.send(encode("GET", "no-such-key-resp3"))
        assert c.read_raw() == b"$-1\r\n"


def test_hello_bad_version(server):
    with server.raw() as c:
        assert c.call("HELLO", "4").startswith("NOPROTO")
        assert c.call("HELLO", "abc") == \
            "ERR Protocol version is not an integer or out of range"


def test_auth_without_password_configured(r):
    with pytest.raises(redis.ResponseError, match="called without any password configured"):
        r.execute_command("AUTH", "whatever")


@pytest.fixture(scope="module")
def auth_server(module_server_factory):
    return module_server_factory.start("--requirepass", "s3cret")


def test_noauth_before_auth(auth_server):
    with auth_server.raw() as c:
        assert c.call("GET", "k") == "NOAUTH Authentication required."
        assert c.call("SET", "k", "v") == "NOAUTH Authentication required."


def test_wrong_password(auth_server):
    with auth_server.raw() as c:
        assert c.call("AUTH", "nope") == \
            "WRONGPASS invalid username-password pair or user is disabled."
        assert c.call("AUTH", "default", "nope").startswith("WRONGPASS")
        assert c.call("GET", "k").startswith("NOAUTH")


def test_auth_success(auth_server):
    with auth_server.raw() as c:
        assert c.call("AUTH", "s3cret") == "OK"
        assert c.call("PING") == "PONG"
    with auth_server.raw() as c:
        assert c.call("AUTH", "default", "s3cret") == "OK"
    client = auth_server.client(password="s3cret")
    assert client.set("k", "v") and client.get("k") == "v"


def test_hello_with_auth(auth_server):
    with auth_server.raw() as c:
        assert c.call("HELLO", "2", "AUTH", "default", "bad").startswith("WRONGPASS")
        reply = c.call("HELLO", "2", "AUTH", "default", "s3cret")
        assert isinstance(reply, list) and b"proto" in reply
        assert c.call("PING") == "PONG"


def test_reset_deauthenticates(auth_server):
    with auth_server.raw() as c:
        assert c.call("AUTH", "s3cret") == "OK"
        assert c.call("RESET") == "RESET"
        assert c.call("GET", "k").startswith("NOAUTH")


def test_select(r, server):
    with server.raw() as c:  # raw: SELECT on a pooled redis-py client is unsafe
        for db in range(16):
            assert c.call("SELECT", db) == "OK"
        assert c.call("SELECT", 16) == "ERR DB index is out of range"
        assert c.call("SELECT", -1) == "ERR DB index is out of range"
        assert c.call("SELECT", "abc") == "ERR value is not an integer or out of range"
    # databases are independent namespaces
    db0, db5 = server.client(db=0), server.client(db=5)
    db0.set("k", "zero")
    db5.set("k", "five")
    assert db0.get("k") == "zero" and db5.get("k") == "five"


def test_swapdb(r, server):
    db1 = server.client(db=1)
    r.set("in0", "a")
    db1.set("in1", "b")
    assert r.swapdb(0, 1) is True
    assert r.get("in1") == "b" and r.get("in0") is None
    assert db1.get("in0") == "a"
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.swapdb(0, 16)


def test_quit_closes_connection(server):
    with server.raw() as c:
        c.send(b"PING\r\nQUIT\r\nPING\r\n")
        assert c.read() == "PONG"
        assert c.read() == "OK"
        assert c.wait_closed()


def test_reset_restores_defaults(server):
    with server.raw() as c:
        c.call("SELECT", "3")
        c.call("CLIENT", "SETNAME", "before-reset")
        c.call("HELLO", "3")
        assert c.call("RESET") == "RESET"
        info = c.call("CLIENT", "INFO").decode()
        assert " db=0 " in info and " name= " in info and "resp=2" in info


def test_client_id_and_names(r):
    cid = r.client_id()
    assert isinstance(cid, int) and cid > 0
    assert r.client_getname() is None
    assert r.client_setname("worker-1") is True
    assert r.client_getname() == "worker-1"
    with pytest.raises(redis.ResponseError, match="cannot contain spaces"):
        r.client_setname("has space")
    info = r.execute_command("CLIENT", "INFO")
    assert f"id={cid} " in info and "name=worker-1" in info


def test_client_list(r, server):
    with server.raw() as other:
        other.call("CLIENT", "SETNAME", "other-conn")
        listing = r.execute_command("CLIENT", "LIST")
        lines = listing.strip().split("\n")
        assert len(lines) >= 2
        assert any("name=other-conn" in line for line in lines)
        for field in ("id=", "addr=", "laddr=", "fd=", "name=", "age=", "idle=",
                      "flags=", "db=", "cmd=", "resp="):
            assert field in lines[0]
        mine = r.execute_command("CLIENT", "LIST", "ID", r.client_id())
        assert mine.count("\n") <= 1 and f"id={r.client_id()} " in mine


def test_client_kill(r, server):
    with server.raw() as victim:
        victim.call("CLIENT", "SETNAME", "victim")
        vid = victim.call("CLIENT", "ID")
        assert r.execute_command("CLIENT", "KILL", "ID", vid) == 1
        assert victim.wait_closed()
    assert r.execute_command("CLIENT", "KILL", "ID", 999999) == 0
    with server.raw() as victim:
        line = victim.call("CLIENT", "INFO").decode()
        addr = line.split("addr=")[1].split()[0]
        assert r.execute_command("CLIENT", "KILL", addr) in ("OK", True)
        assert victim.wait_closed()
    with pytest.raises(redis.ResponseError, match="No such client"):
        r.execute_command("CLIENT", "KILL", "127.0.0.1:1")


def test_client_reply_off_skip_on(server):
    with server.raw() as c:
        # the first reply we read must come from CLIENT REPLY ON, so OFF, the
        # SET and the GET under SKIP produced nothing
        c.send(encode("CLIENT", "REPLY", "OFF") + encode("SET", "cr", "1") +
               encode("CLIENT", "REPLY", "ON") + encode("CLIENT", "REPLY", "SKIP") +
               encode("GET", "cr") + encode("GET", "cr"))
        assert c.read() == "OK"
        assert c.read() == b"1"
        assert c.call("CLIENT", "REPLY", "BOGUS") == "ERR syntax error"


def test_client_pause_all_with_timeout(r, server):
    other = server.client()
    r.set("before", "1")
    assert r.execute_command("CLIENT", "PAUSE", 400, "ALL") == "OK"
    t0 = time.monotonic()
    assert other.get("before") == "1"  # even reads wait until the pause expires
    assert time.monotonic() - t0 >= 0.3


def test_client_pause_write_then_unpause(r, server):
    writer = server.client()
    done = threading.Event()
    r.set("k", "old")
    assert r.execute_command("CLIENT", "PAUSE", 60000, "WRITE") == "OK"
    try:
        thread = threading.Thread(target=lambda: (writer.set("k", "new"), done.set()))
        thread.start()
        assert r.get("k") == "old"  # reads still served, the write is held
        assert not done.is_set()
    finally:
        # note: under Redis 7.0 an ALL pause also holds CLIENT UNPAUSE, so use WRITE
        assert r.execute_command("CLIENT", "UNPAUSE") == "OK"
    wait_until(done.is_set, message="paused write to complete after UNPAUSE")
    thread.join()
    assert r.get("k") == "new"


def test_client_pause_errors(r):
    with pytest.raises(redis.ResponseError):
        r.execute_command("CLIENT", "PAUSE", "abc")
    with pytest.raises(redis.ResponseError, match="WRITE or ALL"):
        r.execute_command("CLIENT", "PAUSE", 10, "SOMETIMES")


def test_client_unknown_subcommand(server):
    with server.raw() as c:
        reply = c.call("CLIENT", "NOSUCHSUB")
        assert isinstance(reply, RespError)
        assert reply.startswith("ERR unknown subcommand 'NOSUCHSUB'")
