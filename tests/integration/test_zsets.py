"""Sorted sets: ZADD options and errors, the listpack -> skiplist encodings at their
thresholds, every range form, RESP2/RESP3 reply shapes, pops (blocking too), the algebra
with WEIGHTS/AGGREGATE and plain-set inputs, ZRANDMEMBER, ZSCAN, and rank/range answers on a
large set checked against a model."""

import random
import re

import pytest
import redis

from harness import wait_until
from resp import RespError, encode


def exactly(error):
    """A pattern for redis-py's message, which drops the leading "ERR "."""
    return "^" + re.escape(error.removeprefix("ERR ")) + "$"


def blocked_count(r):
    return r.info("clients")["blocked_clients"]


def test_zadd_and_single_member_commands(server, r):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 5}) == 0
    assert r.zscore("z", "a") == 5.0
    assert r.zscore("z", "nope") is None
    assert r.zmscore("z", ["a", "nope", "c"]) == [5.0, None, 3.0]
    assert r.zcard("z") == 3
    assert r.zrank("z", "c") == 1 and r.zrevrank("z", "c") == 1
    assert r.zrank("z", "a") == 2 and r.zrevrank("z", "a") == 0
    assert r.zrank("z", "nope") is None
    with server.raw() as c:
        assert c.call("ZRANK", "z", "a", "WITHSCORE") == [2, b"5"]
        assert c.call("ZREVRANK", "z", "a", "WITHSCORE") == [0, b"5"]
        assert c.call("ZRANK", "z", "nope", "WITHSCORE") is None
    assert r.zincrby("z", 1.5, "b") == 3.5
    assert r.zincrby("z", 2, "new") == 2.0
    assert r.zrem("z", "a", "nope") == 1
    assert r.type("z") == "zset"
    assert r.zrem("z", "b", "c", "new") == 3
    assert r.exists("z") == 0


def test_zadd_flags(r):
    r.zadd("f", {"a": 10})
    assert r.zadd("f", {"a": 20, "b": 1}, nx=True) == 1 and r.zscore("f", "a") == 10
    assert r.zadd("f", {"a": 20, "c": 1}, xx=True) == 0
    assert r.zscore("f", "a") == 20 and r.zscore("f", "c") is None
    assert r.zadd("f", {"a": 5}, gt=True, ch=True) == 0 and r.zscore("f", "a") == 20
    assert r.zadd("f", {"a": 30}, gt=True, ch=True) == 1
    assert r.zadd("f", {"a": 1}, lt=True, ch=True) == 1 and r.zscore("f", "a") == 1
    assert r.zadd("f", {"d": 7}, gt=True) == 1  # GT and LT only limit updates
    assert r.zadd("f", {"a": 3}, incr=True) == 4.0
    assert r.zadd("f", {"a": -10}, incr=True, gt=True) is None
    assert r.zadd("f", {"zz": 1}, incr=True, xx=True) is None
    assert r.zadd("missing", {"a": 1}, xx=True) == 0 and r.exists("missing") == 0
    assert r.execute_command("ZADD", "f", "CH", "1", "a", "2", "b", "2", "d") == 3


@pytest.mark.parametrize("args,error", [
    (["z", "1", "a", "2", "b", "3"], "ERR syntax error"),
    (["z", "1", "a", "2"], "ERR syntax error"),
    (["z", "NX", "XX", "1", "a"], "ERR XX and NX options at the same time are not compatible"),
    (["z", "GT", "LT", "1", "a"], "ERR GT, LT, and/or NX options at the same time are not compatible"),
    (["z", "NX", "GT", "1", "a"], "ERR GT, LT, and/or NX options at the same time are not compatible"),
    (["z", "INCR", "1", "a", "2", "b"], "ERR INCR option supports a single increment-element pair"),
    (["z", "abc", "a"], "ERR value is not a valid float"),
    (["z", "nan", "a"], "ERR value is not a valid float"),
])
def test_zadd_errors(r, args, error):
    with pytest.raises(redis.ResponseError, match=exactly(error)):
        r.execute_command("ZADD", *args)
    assert r.exists("z") == 0


def test_incr_to_nan_is_refused(r):
    r.zadd("n", {"a": float("inf")})
    with pytest.raises(redis.ResponseError, match="resulting score is not a number"):
        r.zincrby("n", float("-inf"), "a")
    assert r.zscore("n", "a") == float("inf")


def test_encodings_follow_the_thresholds(r):
    r.config_set("zset-max-listpack-entries", 3)
    r.config_set("zset-max-listpack-value", 5)
    try:
        r.zadd("small", {"a": 1, "b": 2, "c": 3})
        assert r.object("encoding", "small") == "listpack"
        r.zadd("small", {"d": 4})
        assert r.object("encoding", "small") == "skiplist"
        assert r.zrange("small", 0, -1) == ["a", "b", "c", "d"]
        r.zadd("long", {"abcdef": 1})
        assert r.object("encoding", "long") == "skiplist"
        r.zadd("many", {"a": 1, "b": 2, "c": 3, "d": 4})
        assert r.object("encoding", "many") == "skiplist"
        # STORE results start in the form their size calls for.
        assert r.zrangestore("dst", "many", 0, 1) == 2
        assert r.object("encoding", "dst") == "listpack"
        assert r.config_get("zset-max-ziplist-entries") == {"zset-max-ziplist-entries": "3"}
    finally:
        r.config_set("zset-max-listpack-entries", 128)
        r.config_set("zset-max-listpack-value", 64)


@pytest.fixture(params=["listpack", "skiplist"])
def scored(request, r):
    """A sorted set a..g with scores 1..7 in either encoding."""
    r.config_set("zset-max-listpack-entries", 128 if request.param == "listpack" else 0)
    r.zadd("s", {m: i + 1 for i, m in enumerate("abcdefg")})
    assert r.object("encoding", "s") == request.param
    yield "s"
    r.config_set("zset-max-listpack-entries", 128)


def test_rank_ranges(r, scored):
    assert r.zrange(scored, 0, 2) == ["a", "b", "c"]
    assert r.zrange(scored, -2, -1, withscores=True) == [("f", 6.0), ("g", 7.0)]
    assert r.zrange(scored, 5, 100) == ["f", "g"]
    assert r.zrange(scored, 4, 2) == []
    assert r.zrevrange(scored, 0, 1) == ["g", "f"]
    assert r.zrange(scored, 0, 1, desc=True) == ["g", "f"]
    assert r.zrange("missing", 0, -1) == []


def test_score_ranges(r, scored):
    assert r.zrangebyscore(scored, 2, 4) == ["b", "c", "d"]
    assert r.zrangebyscore(scored, "(2", "(4") == ["c"]
    assert r.zrangebyscore(scored, "-inf", "+inf", start=1, num=2) == ["b", "c"]
    assert r.zrangebyscore(scored, "-inf", "+inf", start=-1, num=2) == []
    assert r.zrangebyscore(scored, 5, "inf", start=1, num=-1) == ["f", "g"]
    assert r.zrevrangebyscore(scored, 4, 2, withscores=True) == [("d", 4), ("c", 3), ("b", 2)]
    assert r.zrevrangebyscore(scored, "+inf", "-inf", start=1, num=2) == ["f", "e"]
    assert r.zrange(scored, "(5", "+inf", byscore=True) == ["f", "g"]
    assert r.zrange(scored, "+inf", "(5", byscore=True, desc=True) == ["g", "f"]
    assert r.zcount(scored, "(1", 3) == 2
    assert r.zcount(scored, 10, 20) == 0
    with pytest.raises(redis.ResponseError, match=exactly("ERR min or max is not a float")):
        r.zrangebyscore(scored, "x", 3)


def test_lex_ranges(r):
    r.zadd("l", {m: 0 for m in "abcdefg"})
    assert r.zrangebylex("l", "-", "[c") == ["a", "b", "c"]
    assert r.zrangebylex("l", "(a", "(d") == ["b", "c"]
    assert r.zrangebylex("l", "[e", "+", start=1, num=5) == ["f", "g"]
    assert r.zrevrangebylex("l", "[c", "-") == ["c", "b", "a"]
    assert r.zrange("l", "[f", "+", bylex=True) == ["f", "g"]
    assert r.zlexcount("l", "-", "+") == 7
    assert r.zlexcount("l", "[c", "(c") == 0
    with pytest.raises(redis.ResponseError, match=exactly("ERR min or max not valid string range item")):
        r.zrangebylex("l", "a", "+")
    assert r.zremrangebylex("l", "[b", "[d") == 3
    assert r.zrange("l", 0, -1) == ["a", "e", "f", "g"]


@pytest.mark.parametrize("args,error", [
    (["0", "1", "LIMIT", "0", "1"],
     "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"),
    (["-", "+", "BYLEX", "WITHSCORES"],
     "ERR syntax error, WITHSCORES not supported in combination with BYLEX"),
    (["0", "1", "BYSCORE", "BYLEX"], "ERR syntax error"),
    (["0", "1", "REV", "REV"], "ERR syntax error"),
    (["0", "1", "LIMIT", "x", "1", "BYSCORE"], "ERR value is not an integer or out of range"),
    (["a", "1"], "ERR value is not an integer or out of range"),
])
def test_zrange_option_errors(r, args, error):
    r.zadd("e", {"a": 1})
    with pytest.raises(redis.ResponseError, match=exactly(error)):
        r.execute_command("ZRANGE", "e", *args)


def test_remove_ranges(r, scored):
    assert r.zremrangebyrank(scored, 0, 1) == 2
    assert r.zremrangebyscore(scored, "(3", 5) == 2
    assert r.zrange(scored, 0, -1) == ["c", "f", "g"]
    assert r.zremrangebyrank(scored, 0, -1) == 3
    assert r.exists(scored) == 0


def test_rangestore(r, scored):
    assert r.zrangestore("out", scored, 2, 4, byscore=True) == 3
    assert r.zrange("out", 0, -1, withscores=True) == [("b", 2), ("c", 3), ("d", 4)]
    assert r.zrangestore("out", scored, 100, 200, byscore=True) == 0
    assert r.exists("out") == 0
    with pytest.raises(redis.ResponseError, match=exactly("ERR syntax error")):
        r.execute_command("ZRANGESTORE", "out", scored, 0, 1, "WITHSCORES")


def test_pops(r):
    r.zadd("p", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.zpopmin("p") == [("a", 1.0)]
    assert r.zpopmax("p", 2) == [("d", 4.0), ("c", 3.0)]
    assert r.zmpop(1, ["p"], min=True, count=5) == ["p", [["b", "2"]]]
    assert r.exists("p") == 0
    assert r.zpopmin("p") == []
    assert r.zmpop(2, ["p", "q"], max=True) is None
    with pytest.raises(redis.ResponseError, match=exactly("ERR value is out of range, must be positive")):
        r.zpopmin("p", -1)
    with pytest.raises(redis.ResponseError, match=exactly("ERR count should be greater than 0")):
        r.execute_command("ZMPOP", 1, "p", "MIN", "COUNT", 0)
    with pytest.raises(redis.ResponseError, match=exactly("ERR numkeys should be greater than 0")):
        r.execute_command("ZMPOP", 0, "p", "MIN")


def test_reply_shapes_in_resp2_and_resp3(server):
    with server.raw() as c:
        c.call("ZADD", "shape", "1", "a", "2.5", "b")
        assert c.call("ZRANGE", "shape", "0", "-1", "WITHSCORES") == [b"a", b"1", b"b", b"2.5"]
        assert c.call("ZSCORE", "shape", "b") == b"2.5"
        assert c.call("ZRANDMEMBER", "shape", "-1", "WITHSCORES")[1] in (b"1", b"2.5")
        c.call("HELLO", "3")
        assert c.call("ZRANGE", "shape", "0", "-1", "WITHSCORES") == [[b"a", 1.0], [b"b", 2.5]]
        assert c.call("ZSCORE", "shape", "b") == 2.5
        assert c.call("ZUNION", "1", "shape", "WITHSCORES") == [[b"a", 1.0], [b"b", 2.5]]
        assert c.call("ZSCAN", "shape", "0") == [b"0", [b"a", b"1", b"b", b"2.5"]]
        assert c.call("ZSCAN", "shape", "0", "NOSCORES") == [b"0", [b"a", b"b"]]
        # ZPOPMIN nests pairs in RESP3 only when a count is given.
        assert c.call("ZPOPMIN", "shape") == [b"a", 1.0]
        c.call("ZADD", "shape", "1", "a")
        assert c.call("ZPOPMIN", "shape", "1") == [[b"a", 1.0]]
        assert c.call("ZSCORE", "shape", "missing") is None


def test_algebra(r):
    r.zadd("za", {"a": 1, "b": 2, "c": 3})
    r.zadd("zb", {"b": 10, "c": 20, "d": 30})
    r.sadd("plain", "c", "d", "e")
    assert r.zunion(["za", "zb"], withscores=True) == [
        ("a", 1), ("b", 12), ("c", 23), ("d", 30)]
    assert r.zinter(["za", "zb"], aggregate="MAX", withscores=True) == [("b", 10), ("c", 20)]
    assert r.zinter({"za": 2, "zb": 0.5}, withscores=True) == [("b", 9), ("c", 16)]
    assert r.zdiff(["za", "zb"], withscores=True) == ["a", "1"]  # this redis-py leaves it flat
    assert r.zunion(["za", "plain"], aggregate="MIN", withscores=True) == [
        ("a", 1), ("c", 1), ("d", 1), ("e", 1), ("b", 2)]
    assert r.zunionstore("dst", ["za", "zb"]) == 4
    assert r.zinterstore("dst", ["za", "missing"]) == 0 and r.exists("dst") == 0
    assert r.zdiffstore("dst", ["zb", "za"]) == 1 and r.zrange("dst", 0, -1) == ["d"]
    assert r.zintercard(2, ["za", "zb"]) == 2
    assert r.zintercard(2, ["za", "zb"], limit=1) == 1
    r.zadd("inf", {"x": float("inf")})
    r.zadd("ninf", {"x": float("-inf")})
    assert r.zunion(["inf", "ninf"], withscores=True) == [("x", 0.0)]  # inf - inf counts as 0
    r.set("str", "v")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.zunion(["za", "str"])
    with pytest.raises(redis.ResponseError, match=exactly("ERR weight value is not a float")):
        r.execute_command("ZUNION", 2, "za", "zb", "WEIGHTS", 1, "x")
    with pytest.raises(redis.ResponseError, match=exactly("ERR syntax error")):
        r.execute_command("ZDIFF", 2, "za", "zb", "WEIGHTS", 1, 1)
    with pytest.raises(redis.ResponseError,
                       match=exactly("ERR at least 1 input key is needed for 'zunionstore' command")):
        r.execute_command("ZUNIONSTORE", "dst", 0, "za")
    with pytest.raises(redis.ResponseError, match=exactly("ERR LIMIT can't be negative")):
        r.execute_command("ZINTERCARD", 1, "za", "LIMIT", -1)


def test_randmember(r):
    r.zadd("rm", {m: i for i, m in enumerate("abcde")})
    assert r.zrandmember("rm") in set("abcde")
    assert sorted(r.zrandmember("rm", 10)) == list("abcde")
    picked = r.zrandmember("rm", 3)
    assert len(picked) == 3 and len(set(picked)) == 3
    assert len(r.zrandmember("rm", -8)) == 8
    assert r.zrandmember("missing") is None and r.zrandmember("missing", 3) == []
    pairs = r.zrandmember("rm", 2, withscores=True)
    assert len(pairs) == 4


def test_zscan_covers_a_large_set(r):
    r.zadd("big", {f"m{i}": i for i in range(1000)})
    assert r.object("encoding", "big") == "skiplist"
    seen = dict(r.zscan_iter("big", count=50))
    assert len(seen) == 1000 and seen["m500"] == 500.0
    assert {m for m, _ in r.zscan_iter("big", match="m99*")} == {"m99", *{f"m99{i}" for i in range(10)}}


def test_large_set_matches_a_model(r):
    rng = random.Random(5)
    model = {}
    for _ in range(4000):
        m = f"k{rng.randrange(1500)}"
        if rng.random() < 0.2:
            r.zrem("model", m)
            model.pop(m, None)
        else:
            s = rng.randrange(300)
            r.zadd("model", {m: s})
            model[m] = s
    ordered = sorted(model.items(), key=lambda kv: (kv[1], kv[0]))
    assert r.zcard("model") == len(ordered)
    assert r.zrange("model", 0, -1, withscores=True) == [(m, float(s)) for m, s in ordered]
    for i in range(0, len(ordered), 97):
        m, _ = ordered[i]
        assert r.zrank("model", m) == i
        assert r.zrevrank("model", m) == len(ordered) - 1 - i
    assert r.zcount("model", 100, "(200") == sum(1 for _, s in ordered if 100 <= s < 200)
    assert r.zrange("model", 10, 19) == [m for m, _ in ordered[10:20]]
    assert r.zrevrange("model", 10, 19) == [m for m, _ in ordered[::-1][10:20]]


def test_wrongtype(r):
    r.set("str", "v")
    for args in (["ZADD", "str", 1, "a"], ["ZSCORE", "str", "a"], ["ZRANGE", "str", 0, -1],
                 ["ZPOPMIN", "str"], ["ZCARD", "str"], ["ZRANK", "str", "a"],
                 ["ZREMRANGEBYRANK", "str", 0, 1], ["ZSCAN", "str", 0]):
        with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
            r.execute_command(*args)


def test_bzpopmin_is_woken_by_zadd(server, r):
    with server.raw() as c:
        c.send(encode("BZPOPMIN", "bz1", "bz2", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.zadd("bz2", {"low": 1, "high": 2})
        assert c.read() == [b"bz2", b"low", b"1"]
    assert r.zrange("bz2", 0, -1) == ["high"]


def test_bzpop_fifo_and_type_filter(server, r):
    with server.raw() as first, server.raw() as second:
        first.send(encode("BZPOPMAX", "bzq", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the first client to block")
        second.send(encode("BZPOPMAX", "bzq", "0"))
        wait_until(lambda: blocked_count(r) == 2, message="the second client to block")
        # A list at the key wakes nobody waiting for a sorted set.
        r.rpush("bzq", "x")
        r.delete("bzq")
        r.zadd("bzq", {"a": 1, "b": 2})
        assert first.read() == [b"bzq", b"b", b"2"]
        assert second.read() == [b"bzq", b"a", b"1"]


def test_blpop_is_not_woken_by_a_sorted_set(server, r):
    with server.raw() as c:
        c.send(encode("BLPOP", "mixed", "0"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.zadd("mixed", {"a": 1})
        r.delete("mixed")
        r.rpush("mixed", "item")
        assert c.read() == [b"mixed", b"item"]


def test_bzmpop_and_timeouts(server, r):
    with server.raw() as c:
        c.send(encode("BZMPOP", "0", "1", "bzm", "MAX", "COUNT", "2"))
        wait_until(lambda: blocked_count(r) == 1, message="the client to block")
        r.zadd("bzm", {"a": 1, "b": 2, "c": 3})
        assert c.read() == [b"bzm", [[b"c", b"3"], [b"b", b"2"]]]
        assert c.call("BZPOPMIN", "nothing", "0.05") is None
        assert c.call("BZMPOP", "0.05", "1", "nothing", "MIN") is None
        assert isinstance(c.call("BZPOPMIN", "nothing", "-1"), RespError)


def test_bzpopmin_inside_multi_does_not_block(server):
    with server.raw() as c:
        c.call("MULTI")
        c.call("BZPOPMIN", "none", "0")
        assert c.call("EXEC") == [None]
