"""Hashes: every command, RESP2/RESP3 shapes, WRONGTYPE, the compact-to-table conversion at
the configured thresholds, and the generic commands (TYPE, COPY, RENAME, SCAN TYPE) on hashes."""

import pytest
import redis

from resp import encode


def test_set_get_and_friends(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hset("h", "a", "3") == 0
    assert r.hget("h", "a") == "3"
    assert r.hget("h", "missing") is None
    assert r.hmget("h", "a", "b", "c") == ["3", "2", None]
    assert r.hlen("h") == 2
    assert r.hstrlen("h", "b") == 1
    assert r.hexists("h", "a") and not r.hexists("h", "z")
    assert sorted(r.hkeys("h")) == ["a", "b"]
    assert sorted(r.hvals("h")) == ["2", "3"]
    assert r.hgetall("h") == {"a": "3", "b": "2"}
    assert r.hsetnx("h", "a", "x") == 0 and r.hsetnx("h", "n", "x") == 1
    assert r.execute_command("HMSET", "h", "m", "1") is True  # redis-py maps +OK to True
    assert r.type("h") == "hash"


def test_hdel_removes_empty_hash(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.hdel("h", "a", "zz") == 1
    assert r.hdel("h", "b") == 1
    assert r.exists("h") == 0


def test_counters(r):
    assert r.hincrby("c", "n", 5) == 5
    assert r.hincrby("c", "n", -7) == -2
    assert r.hincrbyfloat("c", "f", "1.5") == 1.5
    assert r.hincrbyfloat("c", "f", "0.25") == 1.75
    r.hset("c", "s", "text")
    with pytest.raises(redis.ResponseError, match="hash value is not an integer"):
        r.hincrby("c", "s", 1)
    with pytest.raises(redis.ResponseError, match="hash value is not a float"):
        r.hincrbyfloat("c", "s", 1)
    r.hset("c", "big", 2**63 - 1)
    with pytest.raises(redis.ResponseError, match="would overflow"):
        r.hincrby("c", "big", 1)


def test_errors(server, r):
    r.set("str", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.hget("str", "a")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.hset("str", "a", "1")
    r.hset("h", "a", "1")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.get("h")
    with server.raw() as c:
        assert c.call("HSET", "h", "a") == "ERR wrong number of arguments for 'hset' command"
        assert c.call("HMSET", "h", "a", "1", "b") == \
            "ERR wrong number of arguments for 'hmset' command"


def test_resp3_map_reply(server, r):
    r.hset("h", "a", "1")
    with server.raw() as c:
        c.call("HELLO", "3")
        c.send(encode("HGETALL", "h"))
        assert c.read_raw() == b"%1\r\n$1\r\na\r\n$1\r\n1\r\n"
        c.send(encode("HRANDFIELD", "h", "1", "WITHVALUES"))
        assert c.read_raw() == b"*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"


def test_encoding_converts_at_thresholds(r):
    r.config_set("hash-max-listpack-entries", 4)
    r.config_set("hash-max-listpack-value", 8)
    try:
        r.hset("small", mapping={f"f{i}": "v" for i in range(4)})
        assert r.object("encoding", "small") == "listpack"
        r.hset("small", "f4", "v")
        assert r.object("encoding", "small") == "hashtable"
        assert r.hlen("small") == 5 and r.hget("small", "f2") == "v"
        r.hset("long", "f", "x" * 8)
        assert r.object("encoding", "long") == "listpack"
        r.hset("long", "f", "x" * 9)
        assert r.object("encoding", "long") == "hashtable"
        assert r.config_get("hash-max-ziplist-entries") == {"hash-max-ziplist-entries": "4"}
    finally:
        r.config_set("hash-max-listpack-entries", 128)
        r.config_set("hash-max-listpack-value", 64)


@pytest.mark.parametrize("fields", [10, 1000])
def test_hscan_returns_every_field(server, r, fields):
    r.hset("big", mapping={f"field:{i}": str(i) for i in range(fields)})
    seen, cursor = {}, 0
    while True:
        cursor, chunk = r.hscan("big", cursor, count=50)
        seen.update(chunk)
        if cursor == 0:
            break
    assert len(seen) == fields and seen["field:7"] == "7"
    cursor, chunk = r.hscan("big", 0, match="field:1?", count=10_000)
    assert set(chunk) == {f"field:{i}" for i in range(10, 20) if i < fields}
    with server.raw() as c:  # raw: redis-py pairs up HSCAN replies even with NOVALUES
        cursor, names = c.call("HSCAN", "big", "0", "COUNT", "10000", "NOVALUES")
    assert cursor == b"0" and len(names) == fields and b"field:7" in names


def test_hrandfield(r):
    r.hset("h", mapping={f"f{i}": str(i) for i in range(10)})
    assert r.hrandfield("h") in {f"f{i}" for i in range(10)}
    distinct = r.hrandfield("h", 5)
    assert len(distinct) == 5 and len(set(distinct)) == 5
    assert sorted(r.hrandfield("h", 50)) == sorted(f"f{i}" for i in range(10))
    assert len(r.hrandfield("h", -30)) == 30
    pairs = r.hrandfield("h", 3, withvalues=True)
    assert len(pairs) == 6 and all(pairs[i + 1] == pairs[i][1:] for i in range(0, 6, 2))
    assert r.hrandfield("nokey") is None and r.hrandfield("nokey", 3) == []


def test_generic_commands_on_hashes(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.copy("h", "h2") == 1
    r.hset("h2", "a", "changed")
    assert r.hget("h", "a") == "1"  # a deep copy
    r.rename("h2", "h3")
    assert r.hgetall("h3") == {"a": "changed", "b": "2"}
    assert set(r.scan(0, _type="hash", count=100)[1]) == {"h", "h3"}
    assert r.memory_usage("h") > 0
    r.expire("h", 100)
    assert 0 < r.ttl("h") <= 100
