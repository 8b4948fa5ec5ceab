"""Blocking list commands: wake-up by other clients' pushes, first-blocked-first-served,
timeouts, BLMOVE/BRPOPLPUSH/BLMPOP, MULTI/EXEC, CLIENT UNBLOCK, pipelined requests behind a
blocked one."""

import pytest

from harness import wait_until
from resp import RespError, encode


def blocked_count(r):
    return r.info("clients")["blocked_clients"]


def test_blpop_is_woken_by_a_push(server, r):
    with server.raw() as c:
        c.send(encode("BLPOP", "q1", "q2", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.rpush("q2", "job")
        assert c.read() == [b"q2", b"job"]
    assert blocked_count(r) == 0 and r.exists("q2") == 0


def test_first_blocked_is_first_served(server, r):
    with server.raw() as first, server.raw() as second:
        first.send(encode("BRPOP", "fair", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the first client to block")
        second.send(encode("BRPOP", "fair", "0"))
        wait_until(lambda: blocked_count(r) == 2, message="the second client to block")
        r.rpush("fair", "a")
        assert first.read() == [b"fair", b"a"]
        r.rpush("fair", "b")
        assert second.read() == [b"fair", b"b"]


def test_push_of_several_serves_several(server, r):
    with server.raw() as a, server.raw() as b:
        a.send(encode("BLPOP", "many", "0"))
        b.send(encode("BLPOP", "many", "0"))
        wait_until(lambda: blocked_count(r) == 2, message="both clients to block")
        r.rpush("many", "x", "y", "z")
        assert a.read() == [b"many", b"x"]
        assert b.read() == [b"many", b"y"]
    assert r.lrange("many", 0, -1) == ["z"]


def test_timeout_answers_null(server):
    with server.raw() as c:
        c.send(encode("BLPOP", "nothing", "0.2"))
        assert c.read_raw() == b"*-1\r\n"
        c.call("HELLO", "3")
        c.send(encode("BRPOP", "nothing", "0.1"))
        assert c.read_raw() == b"_\r\n"
        assert c.call("BLPOP", "nothing", "-1") == "ERR timeout is negative"
        assert c.call("BLPOP", "nothing", "abc") == "ERR timeout is not a float or out of range"


def test_blmove_and_brpoplpush(server, r):
    with server.raw() as c:
        c.send(encode("BLMOVE", "from", "to", "LEFT", "RIGHT", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.rpush("from", "v1")
        assert c.read() == b"v1"
        assert r.lrange("to", 0, -1) == ["v1"]
        r.rpush("from", "v2")
        assert c.call("BRPOPLPUSH", "from", "to", "0") == b"v2"
        assert r.lrange("to", 0, -1) == ["v2", "v1"]


def test_blmpop(server, r):
    with server.raw() as c:
        c.send(encode("BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.rpush("m2", "a", "b", "c")
        assert c.read() == [b"m2", [b"c", b"b"]]


def test_blocking_commands_inside_exec_do_not_block(server):
    with server.raw() as c:
        c.call("MULTI")
        c.call("BLPOP", "empty", "0")
        c.call("BLMOVE", "empty", "other", "LEFT", "LEFT", "0")
        assert c.call("EXEC") == [None, None]


def test_client_unblock(server, r):
    with server.raw() as c:
        my_id = c.call("CLIENT", "ID")
        c.send(encode("BLPOP", "never", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        assert r.execute_command("CLIENT", "UNBLOCK", my_id) == 1
        assert c.read_raw() == b"*-1\r\n"
        c.send(encode("BLPOP", "never", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block again")
        assert r.execute_command("CLIENT", "UNBLOCK", my_id, "ERROR") == 1
        assert c.read() == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
        assert r.execute_command("CLIENT", "UNBLOCK", my_id) == 0


def test_requests_behind_a_blocked_one_wait_their_turn(server, r):
    with server.raw() as c:
        c.send(encode("BLPOP", "turn", "0") + encode("PING"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.rpush("turn", "1")
        assert c.read() == [b"turn", b"1"]
        assert c.read() == "PONG"


def test_key_of_another_type_wakes_nobody(server, r):
    # As in Valkey: only a list under the key serves the blocked client.
    with server.raw() as c:
        c.send(encode("BLPOP", "typed", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.set("typed", "string now")
        r.ping()  # a full round trip: the server has had its chance to serve
        assert blocked_count(r) == 1
        r.delete("typed")
        r.rpush("typed", "list again")
        assert c.read() == [b"typed", b"list again"]


def test_blocked_client_on_other_database(server, r):
    with server.raw() as c:
        c.call("SELECT", "3")
        c.send(encode("BLPOP", "db3", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.rpush("db3", "wrong db")  # db 0: does not serve it
        other = server.client(db=3)
        other.rpush("db3", "right db")
        assert c.read() == [b"db3", b"right db"]


def test_pipelined_push_then_pop_keeps_fairness(server, r):
    # A client that pipelines LPUSH and BLPOP must not take the element ahead of a client
    # already waiting: blocked clients are served after each command, as Valkey does.
    with server.raw() as waiting, server.raw() as pipeliner:
        waiting.send(encode("BLPOP", "fairpipe", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the first client to block")
        pipeliner.send(encode("LPUSH", "fairpipe", "1") + encode("BLPOP", "fairpipe", "0"))
        assert waiting.read() == [b"fairpipe", b"1"]
        assert pipeliner.read() == 1
        wait_until(lambda: blocked_count(r) == 1, message="the pipelining client to block")
        r.lpush("fairpipe", "2")
        assert pipeliner.read() == [b"fairpipe", b"2"]


def test_blocking_command_counts_one_call(server, r):
    r.config_resetstat()
    with server.raw() as c:
        c.send(encode("BLPOP", "counted", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.rpush("other", "x")  # a write elsewhere re-runs nothing
        r.rpush("counted", "x")
        assert c.read() == [b"counted", b"x"]
        assert c.call("BLPOP", "nothing", "0.01") is None
    assert r.info("commandstats")["cmdstat_blpop"]["calls"] == 2
