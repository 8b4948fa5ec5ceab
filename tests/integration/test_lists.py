"""Lists (non-blocking commands): pushes and pops, ranges, indexes, LINSERT/LREM/LTRIM/LPOS,
LMOVE/RPOPLPUSH/LMPOP, WRONGTYPE, and the listpack <-> quicklist conversions."""

import pytest
import redis

from resp import encode


def test_push_pop_range(r):
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lpush("l", "z") == 4
    assert r.lrange("l", 0, -1) == ["z", "a", "b", "c"]
    assert r.lrange("l", -2, -1) == ["b", "c"]
    assert r.lrange("l", 5, 10) == []
    assert r.llen("l") == 4
    assert r.lpop("l") == "z" and r.rpop("l") == "c"
    assert r.lpop("l", 5) == ["a", "b"]
    assert r.exists("l") == 0
    assert r.lpop("l") is None
    assert r.lpushx("l", "x") == 0 and r.exists("l") == 0


def test_index_set_insert_rem_trim(r):
    r.rpush("l", "a", "b", "c", "b")
    assert r.lindex("l", -1) == "b" and r.lindex("l", 10) is None
    assert r.lset("l", 0, "A") is True
    with pytest.raises(redis.ResponseError, match="index out of range"):
        r.lset("l", 10, "x")
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.lset("nokey", 0, "x")
    assert r.linsert("l", "before", "c", "C") == 5
    assert r.linsert("l", "after", "missing", "x") == -1
    assert r.lrem("l", -1, "b") == 1
    assert r.lrange("l", 0, -1) == ["A", "b", "C", "c"]
    assert r.ltrim("l", 1, 2) is True
    assert r.lrange("l", 0, -1) == ["b", "C"]
    r.ltrim("l", 5, 1)
    assert r.exists("l") == 0


def test_lpos(r):
    r.rpush("p", "a", "b", "a", "c", "a")
    assert r.lpos("p", "a") == 0
    assert r.lpos("p", "a", rank=2) == 2
    assert r.lpos("p", "a", rank=-1) == 4
    assert r.lpos("p", "a", count=0) == [0, 2, 4]
    assert r.lpos("p", "a", count=2, rank=-1) == [4, 2]
    assert r.lpos("p", "a", count=0, maxlen=2) == [0]
    assert r.lpos("p", "zz") is None
    with pytest.raises(redis.ResponseError, match="RANK can't be zero"):
        r.lpos("p", "a", rank=0)


def test_moves(r):
    r.rpush("src", "1", "2", "3")
    assert r.lmove("src", "dst", "LEFT", "RIGHT") == "1"
    assert r.rpoplpush("src", "dst") == "3"
    assert r.lrange("dst", 0, -1) == ["3", "1"]
    assert r.lmpop(2, "missing", "dst", direction="RIGHT", count=5) == ["dst", ["1", "3"]]
    assert r.exists("dst") == 0
    assert r.lmpop(1, "missing", direction="LEFT") is None
    r.set("str", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.lmove("src", "str", "LEFT", "LEFT")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.lpush("str", "a")


def test_pop_count_null_forms(server):
    with server.raw() as c:
        c.send(encode("LPOP", "missing", "2"))
        assert c.read_raw() == b"*-1\r\n"
        assert c.call("LPOP", "x", "-1") == "ERR value is out of range, must be positive"


def test_encoding_conversions(r):
    r.config_set("list-max-listpack-size", 4)
    try:
        r.rpush("enc", *"abcd")
        assert r.object("encoding", "enc") == "listpack"
        r.rpush("enc", "e")
        assert r.object("encoding", "enc") == "quicklist"
        r.rpop("enc", 3)  # two left: within half the limit, back to the compact form
        assert r.object("encoding", "enc") == "listpack"
        assert r.lrange("enc", 0, -1) == ["a", "b"]
    finally:
        r.config_set("list-max-listpack-size", -2)
    r.rpush("bytes", "x" * 9000)  # over the default 8 KB
    assert r.object("encoding", "bytes") == "quicklist"


def test_long_list_round_trip(r):
    values = [str(i) for i in range(5000)]
    r.rpush("long", *values)
    assert r.lrange("long", 0, -1) == values
    assert r.lindex("long", 2500) == "2500"
    assert r.copy("long", "long2") == 1
    r.lpop("long2")
    assert r.llen("long") == 5000 and r.llen("long2") == 4999
