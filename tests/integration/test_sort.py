"""SORT and SORT_RO: numeric and ALPHA order, DESC, LIMIT, BY weights from keys and hash
fields, BY without '*' (no sorting), GET patterns with '#', STORE, error cases."""

import re

import pytest
import redis


def exactly(error):
    return "^" + re.escape(error.removeprefix("ERR ")) + "$"


def test_numeric_and_alpha(r):
    r.rpush("l", 3, 1, 10, 2)
    assert r.sort("l") == ["1", "2", "3", "10"]
    assert r.sort("l", desc=True) == ["10", "3", "2", "1"]
    assert r.sort("l", alpha=True) == ["1", "10", "2", "3"]
    assert r.sort("l", start=1, num=2) == ["2", "3"]
    assert r.sort("l", start=10, num=2) == []
    assert r.execute_command("SORT", "l", "LIMIT", -5, 2) == ["1", "2"]
    assert r.sort_ro("l") == ["1", "2", "3", "10"]
    r.rpush("words", "b", "a")
    with pytest.raises(redis.ResponseError,
                       match=exactly("ERR One or more scores can't be converted into double")):
        r.sort("words")
    assert r.sort("missing") == []


def test_sets_and_sorted_sets(r):
    r.sadd("s", 5, 3, 9)
    assert r.sort("s") == ["3", "5", "9"]
    r.zadd("z", {"c": 1, "a": 2, "b": 3})
    assert r.sort("z", alpha=True) == ["a", "b", "c"]
    assert r.sort("z", by="nosort") == ["c", "a", "b"]  # the sorted set's own order
    assert r.sort("z", by="nosort", desc=True) == ["b", "a", "c"]
    r.set("str", "x")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.sort("str")


def test_by_and_get(r):
    r.rpush("ids", 1, 2, 3)
    r.mset({"w_1": 30, "w_2": 10, "w_3": 20, "name_1": "one", "name_2": "two"})
    r.hset("h_1", "age", 5)
    r.hset("h_2", "age", 50)
    r.hset("h_3", "age", 7)
    assert r.sort("ids", by="w_*") == ["2", "3", "1"]
    assert r.sort("ids", by="h_*->age", desc=True) == ["2", "3", "1"]
    assert r.sort("ids", by="w_*", get=["#", "name_*"]) == ["2", "two", "3", None, "1", "one"]
    assert r.sort("ids", by="nosort", get="h_*->age") == ["5", "50", "7"]
    assert r.sort("ids", by="missing_*") == ["1", "2", "3"]  # all weights 0: by element


def test_store(r):
    r.rpush("src", 3, 1, 2)
    assert r.sort("src", store="dst") == 3
    assert r.lrange("dst", 0, -1) == ["1", "2", "3"]
    assert r.type("dst") == "list"
    assert r.sort("empty", store="dst") == 0
    assert r.exists("dst") == 0
    r.sadd("set", "b", "a", "c")
    assert r.sort("set", by="nosort", store="dst") == 3
    assert r.lrange("dst", 0, -1) == ["a", "b", "c"]  # stored sets are sorted anyway


@pytest.mark.parametrize("args,error", [
    (["l", "LIMIT", "x", "1"], "ERR value is not an integer or out of range"),
    (["l", "BOGUS"], "ERR syntax error"),
    (["l", "LIMIT", "1"], "ERR syntax error"),
])
def test_errors(r, args, error):
    r.rpush("l", 1)
    with pytest.raises(redis.ResponseError, match=exactly(error)):
        r.execute_command("SORT", *args)


def test_sort_ro_refuses_store(r):
    r.rpush("l", 1)
    with pytest.raises(redis.ResponseError, match=exactly("ERR syntax error")):
        r.execute_command("SORT_RO", "l", "STORE", "x")
