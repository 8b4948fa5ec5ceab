"""Sets: every command, the intset -> listpack -> hashtable encodings at their thresholds,
set algebra with missing keys and WRONGTYPE, random picks, SSCAN."""

import pytest
import redis

from resp import encode


def test_basic_commands(r):
    assert r.sadd("s", "1", "2", "3") == 3
    assert r.sadd("s", "2") == 0
    assert r.smembers("s") == {"1", "2", "3"}
    assert r.scard("s") == 3
    assert r.sismember("s", "1") and not r.sismember("s", "9")
    assert r.smismember("s", ["1", "9"]) == [1, 0]
    assert r.srem("s", "1", "9") == 1
    assert r.type("s") == "set"
    assert r.srem("s", "2", "3") == 2
    assert r.exists("s") == 0


def test_encodings_follow_valkey_8(r):
    r.config_set("set-max-intset-entries", 4)
    r.config_set("set-max-listpack-entries", 3)
    r.config_set("set-max-listpack-value", 5)
    try:
        r.sadd("ints", 1, 2, 3, 4)
        assert r.object("encoding", "ints") == "intset"
        r.sadd("ints", 5)
        assert r.object("encoding", "ints") == "hashtable"
        r.sadd("mixed", 1, 2)
        r.sadd("mixed", "abc")
        assert r.object("encoding", "mixed") == "listpack"
        r.sadd("mixed", "d")
        assert r.object("encoding", "mixed") == "hashtable"
        r.sadd("long", "abcdef")
        assert r.object("encoding", "long") == "hashtable"
        assert r.smembers("mixed") == {"1", "2", "abc", "d"}
    finally:
        r.config_set("set-max-intset-entries", 512)
        r.config_set("set-max-listpack-entries", 128)
        r.config_set("set-max-listpack-value", 64)


def test_algebra(r):
    r.sadd("a", "1", "2", "3", "x")
    r.sadd("b", "2", "3", "4")
    assert r.sinter("a", "b") == {"2", "3"}
    assert r.sunion("a", "b") == {"1", "2", "3", "4", "x"}
    assert r.sdiff("a", "b") == {"1", "x"}
    assert r.sinter("a", "missing") == set()
    assert r.sdiff("missing", "a") == set()
    assert r.sinterstore("d", "a", "b") == 2 and r.smembers("d") == {"2", "3"}
    assert r.sunionstore("d", "a", "b") == 5
    assert r.sdiffstore("d", "b", "a") == 1 and r.smembers("d") == {"4"}
    assert r.sinterstore("d", "a", "missing") == 0 and r.exists("d") == 0
    assert r.sintercard(2, ["a", "b"]) == 2
    assert r.sintercard(2, ["a", "b"], limit=1) == 1
    r.set("str", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.sunion("a", "str")


def test_sintercard_errors(server):
    with server.raw() as c:
        assert c.call("SINTERCARD", "0", "a") == "ERR numkeys should be greater than 0"
        assert c.call("SINTERCARD", "3", "a", "b") == \
            "ERR Number of keys can't be greater than number of args"
        assert c.call("SINTERCARD", "1", "a", "LIMIT", "-1") == "ERR LIMIT can't be negative"


def test_smove(r):
    r.sadd("src", "m", "n")
    r.sadd("dst", "z")
    assert r.smove("src", "dst", "m") == 1
    assert r.smove("src", "dst", "nope") == 0
    assert r.smembers("dst") == {"m", "z"}
    assert r.smove("src", "dst", "n") == 1
    assert r.exists("src") == 0
    r.set("str", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.smove("dst", "str", "m")


def test_spop_and_srandmember(r):
    r.sadd("s", *range(20))
    popped = r.spop("s", 5)
    assert len(popped) == 5 and r.scard("s") == 15
    assert not (set(popped) & r.smembers("s"))
    assert r.spop("s") in {str(i) for i in range(20)}
    assert len(set(r.srandmember("s", 10))) == 10
    assert len(r.srandmember("s", -40)) == 40
    assert set(r.srandmember("s", 100)) == r.smembers("s")
    assert r.spop("missing") is None and r.srandmember("missing") is None
    with pytest.raises(redis.ResponseError, match="must be positive"):
        r.spop("s", -1)


def test_resp3_set_reply(server, r):
    r.sadd("s", "a")
    with server.raw() as c:
        c.call("HELLO", "3")
        c.send(encode("SMEMBERS", "s"))
        assert c.read_raw() == b"~1\r\n$1\r\na\r\n"


@pytest.mark.parametrize("members", [50, 2000])
def test_sscan_returns_every_member(r, members):
    r.sadd("big", *[f"m{i}" for i in range(members)])
    seen, cursor = set(), 0
    while True:
        cursor, chunk = r.sscan("big", cursor, count=100)
        seen.update(chunk)
        if cursor == 0:
            break
    assert len(seen) == members
