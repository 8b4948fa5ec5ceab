"""DUMP and RESTORE: round trips for every type in both encodings, TTL/ABSTTL/REPLACE and
their errors, corrupt payloads, and payloads exchanged with Debian's redis-server in both
directions."""

import re
import time

import pytest
import redis

from harness import REFERENCE_BIN


def crc64(data):
    """Redis's CRC-64 (Jones polynomial, reflected), to build payloads by hand."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc


def with_footer(body, version=10):
    data = body + version.to_bytes(2, "little")
    return data + crc64(data).to_bytes(8, "little")


def exactly(error):
    return "^" + re.escape(error.removeprefix("ERR ")) + "$"


def fill(c):
    """One key of every type, small and large encodings."""
    c.set("str", "hello")
    c.set("num", 12345)
    c.set("long", "x" * 5000)
    c.rpush("list", *range(5))
    c.rpush("biglist", *range(2000))
    c.sadd("intset", 1, 2, 3)
    c.sadd("set", "a", "b")
    c.sadd("bigset", *[f"m{i}" for i in range(500)])
    c.hset("hash", mapping={"f1": "v1", "f2": "v2"})
    c.hset("bighash", mapping={f"f{i}": "v" * 100 for i in range(200)})
    c.zadd("zset", {"a": 1, "b": 2.5, "c": float("-inf")})
    c.zadd("bigzset", {f"m{i}": i / 3 for i in range(300)})


def contents(c, key):
    kind = c.type(key)
    if kind == "string":
        return c.get(key)
    if kind == "list":
        return c.lrange(key, 0, -1)
    if kind == "set":
        return sorted(c.smembers(key))
    if kind == "hash":
        return c.hgetall(key)
    if kind == "zset":
        return c.zrange(key, 0, -1, withscores=True)
    return kind


KEYS = ["str", "num", "long", "list", "biglist", "intset", "set", "bigset", "hash", "bighash",
        "zset", "bigzset"]


def test_round_trip_every_type(r):
    fill(r)
    for key in KEYS:
        payload = r.dump(key)
        assert r.restore(f"{key}:copy", 0, payload)
        assert contents(r, f"{key}:copy") == contents(r, key), key
        assert r.object("encoding", f"{key}:copy") == r.object("encoding", key), key
    assert r.dump("missing") is None


def test_ttl_absttl_replace(r):
    r.set("k", "v")
    payload = r.dump("k")
    with pytest.raises(redis.ResponseError, match=exactly("BUSYKEY Target key name already exists.")):
        r.restore("k", 0, payload)
    assert r.restore("k", 100000, payload, replace=True)
    assert 0 < r.pttl("k") <= 100000
    when = int(time.time() * 1000) + 500000
    assert r.restore("abs", when, payload, absttl=True)
    assert 400000 < r.pttl("abs") <= 500000
    assert r.restore("past", 1, payload, absttl=True)  # already expired: nothing is created
    assert r.exists("past") == 0
    assert r.execute_command("RESTORE", "idle", 0, payload, "IDLETIME", 1000) == "OK"
    assert 1000 <= r.object("idletime", "idle") <= 1010
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        assert r.execute_command("RESTORE", "freq", 0, payload, "FREQ", 100) == "OK"
        assert r.object("freq", "freq") == 100
    finally:
        r.config_set("maxmemory-policy", "noeviction")


@pytest.mark.parametrize("args,error", [
    (["k", "-1"], "ERR Invalid TTL value, must be >= 0"),
    (["k", "0", "IDLETIME", "-1"], "ERR Invalid IDLETIME value, must be >= 0"),
    (["k", "0", "FREQ", "256"], "ERR Invalid FREQ value, must be >= 0 and <= 255"),
    (["k", "0", "BOGUS"], "ERR syntax error"),
])
def test_restore_argument_errors(r, args, error):
    r.set("src", "v")
    payload = r.dump("src")
    key, ttl, *rest = args
    with pytest.raises(redis.ResponseError, match=exactly(error)):
        r.execute_command("RESTORE", key, ttl, payload, *rest)


def test_corrupt_payloads_are_refused(r):
    r.rpush("l", "a", "b")
    payload = bytearray(r.dump("l"))
    damaged = bytes(payload[:3]) + b"\xff" + bytes(payload[4:])
    with pytest.raises(redis.ResponseError, match="payload version or checksum are wrong"):
        r.restore("x", 0, damaged)
    with pytest.raises(redis.ResponseError, match="payload version or checksum are wrong"):
        r.restore("x", 0, b"short")
    # A valid footer around a body that is not a value (a list claiming 5 items, holding 1).
    with pytest.raises(redis.ResponseError, match=exactly("ERR Bad data format")):
        r.restore("x", 0, with_footer(b"\x01\x05\x01a"))
    with pytest.raises(redis.ResponseError, match="payload version or checksum are wrong"):
        r.restore("x", 0, with_footer(b"\x00\x01a", version=99))
    assert r.restore("x", 0, with_footer(b"\x00\x01a")) and r.get("x") == "a"
    r.delete("x")
    assert r.exists("x") == 0


def test_payloads_move_between_cachet_and_redis(server_factory, r):
    reference = server_factory.start(binary=REFERENCE_BIN).client()
    fill(r)
    fill(reference)
    for key in KEYS:
        assert reference.restore(f"{key}:from-cachet", 0, r.dump(key))
        assert contents(reference, f"{key}:from-cachet") == contents(r, key), key
        assert r.restore(f"{key}:from-redis", 0, reference.dump(key))
        assert contents(r, f"{key}:from-redis") == contents(reference, key), key
    reference.close()
