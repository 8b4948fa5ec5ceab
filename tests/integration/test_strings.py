"""String commands, their options and their exact error messages."""

import time

import pytest
import redis

NOT_INT = "^value is not an integer or out of range$"
SYNTAX = "^syntax error$"


def test_set_get_basic(r, server):
    assert r.get("missing") is None
    assert r.set("k", "v") is True
    assert r.get("k") == "v"
    assert r.set("k", "") is True and r.get("k") == ""
    # binary safe, including CR LF and NUL
    raw = server.client(decode_responses=False)
    value = bytes(range(256)) * 4
    raw.set(b"bin\r\n\x00", value)
    assert raw.get(b"bin\r\n\x00") == value


def test_set_expire_options(r):
    r.set("ex", "v", ex=100)
    assert 99 <= r.ttl("ex") <= 100
    r.set("px", "v", px=100_000)
    assert 99_000 < r.pttl("px") <= 100_000
    now = int(time.time())
    r.set("exat", "v", exat=now + 100)
    assert 98 <= r.ttl("exat") <= 100
    r.set("pxat", "v", pxat=(now + 100) * 1000)
    assert 98 <= r.ttl("pxat") <= 100
    # a plain SET clears the TTL, KEEPTTL keeps it
    r.set("ex", "v2")
    assert r.ttl("ex") == -1
    r.set("px", "v2", keepttl=True)
    assert r.pttl("px") > 0 and r.get("px") == "v2"


def test_set_nx_xx(r):
    assert r.set("k", "1", xx=True) is None
    assert r.get("k") is None
    assert r.set("k", "1", nx=True) is True
    assert r.set("k", "2", nx=True) is None
    assert r.get("k") == "1"
    assert r.set("k", "3", xx=True) is True
    assert r.get("k") == "3"


def test_set_get_option(r):
    assert r.set("k", "1", get=True) is None
    assert r.set("k", "2", get=True) == "1"
    assert r.get("k") == "2"
    # GET combined with XX on a missing key: returns nil, sets nothing
    assert r.set("absent", "x", xx=True, get=True) is None
    assert r.exists("absent") == 0


@pytest.mark.parametrize("args", [
    ["NX", "XX"], ["EX", "10", "PX", "100"], ["EX", "10", "KEEPTTL"],
    ["PXAT", "1", "EXAT", "1"], ["BOGUS"], ["EX"], ["KEEPTTL", "PX", "5"],
])
def test_set_syntax_errors(r, args):
    with pytest.raises(redis.ResponseError, match=SYNTAX):
        r.execute_command("SET", "k", "v", *args)


@pytest.mark.parametrize("args", [
    ["EX", "0"], ["EX", "-1"], ["PX", "0"], ["EXAT", "0"], ["PXAT", "-5"],
    ["EX", "99999999999999999"], ["PX", "9223372036854775807"],
])
def test_set_invalid_expire(r, args):
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'set' command$"):
        r.execute_command("SET", "k", "v", *args)
    assert r.exists("k") == 0


def test_set_expire_not_a_number(r):
    with pytest.raises(redis.ResponseError, match=NOT_INT):
        r.execute_command("SET", "k", "v", "EX", "abc")


def test_setnx_setex_psetex(r):
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.get("k") == "1"
    assert r.setex("e", 100, "v") is True
    assert 99 <= r.ttl("e") <= 100
    assert r.psetex("p", 100_000, "v") is True
    assert 99_000 < r.pttl("p") <= 100_000
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'setex' command$"):
        r.setex("e", 0, "v")
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'psetex' command$"):
        r.psetex("p", -1, "v")
    with pytest.raises(redis.ResponseError, match=NOT_INT):
        r.execute_command("SETEX", "e", "abc", "v")


def test_getset_getdel(r):
    assert r.getset("k", "1") is None
    assert r.getset("k", "2") == "1"
    r.expire("k", 100)
    r.getset("k", "3")
    assert r.ttl("k") == -1  # GETSET discards the TTL like SET
    assert r.getdel("k") == "3"
    assert r.exists("k") == 0
    assert r.getdel("k") is None


def test_getex(r):
    assert r.getex("missing", ex=10) is None
    r.set("k", "v")
    assert r.getex("k") == "v" and r.ttl("k") == -1
    assert r.getex("k", ex=100) == "v" and 99 <= r.ttl("k") <= 100
    assert r.getex("k", px=50_000) == "v" and 49_000 < r.pttl("k") <= 50_000
    assert r.getex("k", exat=int(time.time()) + 200) == "v" and r.ttl("k") > 150
    assert r.getex("k", persist=True) == "v" and r.ttl("k") == -1
    # an absolute time in the past deletes the key (but still returns it)
    assert r.getex("k", exat=1) == "v"
    assert r.exists("k") == 0


def test_getex_errors(r):
    r.set("k", "v")
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'getex' command$"):
        r.execute_command("GETEX", "k", "EX", "0")
    with pytest.raises(redis.ResponseError, match=SYNTAX):
        r.execute_command("GETEX", "k", "PERSIST", "EX", "10")
    with pytest.raises(redis.ResponseError, match=SYNTAX):
        r.execute_command("GETEX", "k", "BOGUS")


def test_mget_mset_msetnx(r):
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "missing", "b") == ["1", None, "2"]
    assert r.msetnx({"c": "3", "a": "x"}) is False  # all or nothing
    assert r.get("c") is None and r.get("a") == "1"
    assert r.msetnx({"c": "3", "d": "4"}) is True
    assert r.mget("c", "d") == ["3", "4"]
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'mset'"):
        r.execute_command("MSET", "a", "1", "b")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'msetnx'"):
        r.execute_command("MSETNX", "a")


def test_append_strlen(r):
    assert r.strlen("k") == 0
    assert r.append("k", "abc") == 3
    assert r.append("k", "def") == 6
    assert r.get("k") == "abcdef" and r.strlen("k") == 6
    r.set("n", 12)
    assert r.append("n", "3") == 3 and r.get("n") == "123"


def test_incr_decr(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 15) == -5
    assert r.incrby("n", -5) == -10
    r.set("big", "9223372036854775806")
    assert r.incr("big") == 9223372036854775807


@pytest.mark.parametrize("value", ["abc", " 1", "1 ", "01", "1.5", "", "99999999999999999999"])
def test_incr_not_an_integer(r, value):
    r.set("n", value)
    with pytest.raises(redis.ResponseError, match=NOT_INT):
        r.incr("n")
    assert r.get("n") == value


def test_incr_overflow(r):
    r.set("n", "9223372036854775807")
    with pytest.raises(redis.ResponseError, match="^increment or decrement would overflow$"):
        r.incr("n")
    r.set("n", "-9223372036854775808")
    with pytest.raises(redis.ResponseError, match="^increment or decrement would overflow$"):
        r.decr("n")
    with pytest.raises(redis.ResponseError, match=NOT_INT):
        r.incrby("n", "9223372036854775808")
    with pytest.raises(redis.ResponseError, match=NOT_INT):
        r.incrby("n", "abc")


def test_incrbyfloat(server, r):
    with server.raw() as c:  # raw: redis-py converts the reply to a float
        assert c.call("INCRBYFLOAT", "f", "1.5") == b"1.5"
        c.call("SET", "f", "10.50")
        assert c.call("INCRBYFLOAT", "f", "0.1") == b"10.6"
        c.call("SET", "f", "5.0e3")
        assert c.call("INCRBYFLOAT", "f", "200") == b"5200"  # no trailing ".0"
        assert c.call("GET", "f") == b"5200"
        assert c.call("INCRBYFLOAT", "f", "-5200") == b"0"
        c.call("SET", "i", "3")
        assert c.call("INCRBYFLOAT", "i", "1.5e1") == b"18"


def test_incrbyfloat_errors(r):
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="^value is not a valid float$"):
        r.incrbyfloat("s", 1)
    r.set("f", "1")
    with pytest.raises(redis.ResponseError, match="^value is not a valid float$"):
        r.execute_command("INCRBYFLOAT", "f", "abc")
    with pytest.raises(redis.ResponseError, match="^increment would produce NaN or Infinity$"):
        r.execute_command("INCRBYFLOAT", "f", "inf")
    assert r.get("f") == "1"


def test_getrange_substr(r):
    r.set("k", "Hello, World")
    assert r.getrange("k", 0, 4) == "Hello"
    assert r.getrange("k", -5, -1) == "World"
    assert r.getrange("k", 0, -1) == "Hello, World"
    assert r.getrange("k", 5, 2) == ""
    assert r.getrange("k", 0, 1000) == "Hello, World"
    assert r.getrange("missing", 0, -1) == ""
    assert r.execute_command("SUBSTR", "k", 7, 11) == "World"


def test_setrange(r, server):
    r.set("k", "Hello World")
    assert r.setrange("k", 6, "Redis") == 11
    assert r.get("k") == "Hello Redis"
    # writing past the end pads with zero bytes
    assert r.setrange("new", 3, "ab") == 5
    assert server.client(decode_responses=False).get("new") == b"\x00\x00\x00ab"
    # an empty value on a missing key creates nothing
    assert r.setrange("none", 5, "") == 0 and r.exists("none") == 0
    with pytest.raises(redis.ResponseError, match="^offset is out of range$"):
        r.setrange("k", -1, "x")
    with pytest.raises(redis.ResponseError, match="maximum allowed size"):
        r.setrange("k", 536870912, "x")


def test_lcs(r, server):
    r.mset({"k1": "ohmytext", "k2": "mynewtext"})
    assert r.execute_command("LCS", "k1", "k2") == "mytext"
    assert r.execute_command("LCS", "k1", "k2", "LEN") == 6
    assert r.execute_command("LCS", "k1", "missing") == ""
    with server.raw() as c:
        reply = c.call("LCS", "k1", "k2", "IDX")
        assert reply == [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
        reply = c.call("LCS", "k1", "k2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
        assert reply == [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
        assert c.call("LCS", "k1", "k2", "LEN", "IDX").startswith(
            "ERR If you want both the length and indexes")
        assert c.call("LCS", "k1", "k2", "BOGUS") == "ERR syntax error"
