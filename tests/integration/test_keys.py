"""Generic key commands: DEL EXISTS TYPE EXPIRE* TTL KEYS SCAN RENAME COPY MOVE OBJECT ..."""

import time

import pytest
import redis

# WRONGTYPE cannot be exercised yet: only strings exist in the server.


def test_del_unlink_exists(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.exists("a", "a", "missing") == 2  # duplicates count twice
    assert r.delete("a", "missing") == 1
    assert r.unlink("b", "c", "b") == 2
    assert r.exists("a", "b", "c") == 0
    assert r.delete("nothing") == 0


def test_type(r):
    r.set("s", "v")
    assert r.type("s") == "string"
    assert r.type("missing") == "none"


def test_expire_ttl_pttl(r):
    assert r.ttl("missing") == -2 and r.pttl("missing") == -2
    r.set("k", "v")
    assert r.ttl("k") == -1 and r.pttl("k") == -1
    assert r.expire("k", 100) is True
    assert 99 <= r.ttl("k") <= 100
    assert r.pexpire("k", 50_000) is True
    assert 49_000 < r.pttl("k") <= 50_000
    assert r.expire("missing", 100) is False


def test_expireat_pexpireat_expiretime(r):
    at = int(time.time()) + 500
    r.set("k", "v")
    assert r.expireat("k", at) is True
    assert r.execute_command("EXPIRETIME", "k") == at
    assert r.execute_command("PEXPIRETIME", "k") == at * 1000
    assert r.pexpireat("k", at * 1000 + 123) is True
    assert r.execute_command("PEXPIRETIME", "k") == at * 1000 + 123
    r.set("p", "v")
    assert r.execute_command("EXPIRETIME", "p") == -1
    assert r.execute_command("EXPIRETIME", "missing") == -2
    assert r.execute_command("PEXPIRETIME", "missing") == -2


def test_expire_in_the_past_deletes(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.expire("a", -1) is True
    assert r.execute_command("PEXPIRE", "b", 0) == 1
    assert r.expireat("c", 100) is True
    assert r.exists("a", "b", "c") == 0


def test_expire_nx_xx(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "XX") == 0  # no TTL yet
    assert r.execute_command("EXPIRE", "k", 100, "NX") == 1
    assert r.execute_command("EXPIRE", "k", 200, "NX") == 0  # already has one
    assert r.ttl("k") <= 100
    assert r.execute_command("EXPIRE", "k", 200, "XX") == 1
    assert r.ttl("k") > 100


def test_expire_gt_lt(r):
    r.set("k", "v")
    # a key without TTL counts as infinite: GT never applies, LT always does
    assert r.execute_command("EXPIRE", "k", 100, "GT") == 0
    assert r.execute_command("EXPIRE", "k", 100, "LT") == 1
    assert r.execute_command("EXPIRE", "k", 50, "GT") == 0
    assert r.execute_command("EXPIRE", "k", 200, "GT") == 1
    assert r.execute_command("EXPIRE", "k", 300, "LT") == 0
    assert r.execute_command("PEXPIRE", "k", 10_000, "LT") == 1
    assert r.pttl("k") <= 10_000


@pytest.mark.parametrize("opts,msg", [
    (["NX", "XX"], "NX and XX, GT or LT options at the same time are not compatible"),
    (["GT", "LT"], "GT and LT options at the same time are not compatible"),
    (["NX", "GT"], "NX and XX, GT or LT options at the same time are not compatible"),
    (["BOGUS"], "Unsupported option BOGUS"),
])
def test_expire_option_errors(r, opts, msg):
    r.set("k", "v")
    with pytest.raises(redis.ResponseError, match=f"^{msg}$"):
        r.execute_command("EXPIRE", "k", 100, *opts)


def test_expire_errors(r):
    r.set("k", "v")
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        r.execute_command("EXPIRE", "k", "abc")
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'expire' command$"):
        r.execute_command("EXPIRE", "k", "9223372036854775807")
    with pytest.raises(redis.ResponseError, match="^invalid expire time in 'pexpire' command$"):
        r.execute_command("PEXPIRE", "k", "9223372036854775807")
    assert r.ttl("k") == -1


def test_persist(r):
    r.set("k", "v", ex=100)
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.persist("k") is False
    assert r.persist("missing") is False


def test_keys_glob_patterns(r):
    r.mset({k: 1 for k in ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "other"]})
    assert sorted(r.keys("*")) == sorted(["hello", "hallo", "hxllo", "hllo", "heeeello",
                                          "h*llo", "other"])
    assert sorted(r.keys("h?llo")) == ["h*llo", "hallo", "hello", "hxllo"]
    assert sorted(r.keys("h*llo")) == ["h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]
    assert sorted(r.keys("h[ae]llo")) == ["hallo", "hello"]
    assert sorted(r.keys("h[^e]llo")) == ["h*llo", "hallo", "hxllo"]
    assert sorted(r.keys("h[a-b]llo")) == ["hallo"]
    assert r.keys("h\\*llo") == ["h*llo"]
    assert r.keys("nomatch*") == []


def scan_all(r, **kw):
    cursor, seen = 0, []
    while True:
        cursor, keys = r.scan(cursor, **kw)
        seen.extend(keys)
        if cursor == 0:
            return seen


def test_scan_full_iteration(r):
    keys = [f"key:{i}" for i in range(1500)]
    for start in range(0, len(keys), 500):
        r.mset({k: "v" for k in keys[start:start + 500]})
    seen = scan_all(r, count=100)
    assert len(seen) == len(keys)  # no duplicates while nothing changes
    assert set(seen) == set(keys)


def test_scan_match_count_type(r):
    r.mset({f"user:{i}": i for i in range(300)})
    r.mset({f"item:{i}": i for i in range(300)})
    seen = scan_all(r, match="user:1*", count=50)
    assert sorted(seen) == sorted(k for k in (f"user:{i}" for i in range(300))
                                  if k.startswith("user:1"))
    assert len(scan_all(r, _type="string")) == 600
    assert scan_all(r, _type="hash") == []
    # COUNT is a hint; one call may return more or fewer, but a cursor comes back
    cursor, batch = r.scan(0, count=10)
    assert isinstance(cursor, int) and len(batch) <= 600


def test_scan_errors(server):
    with server.raw() as c:
        assert c.call("SCAN", "abc") == "ERR invalid cursor"
        assert c.call("SCAN", "0", "COUNT", "0") == "ERR syntax error"
        assert c.call("SCAN", "0", "BOGUS", "1") == "ERR syntax error"


def test_randomkey(r):
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2})
    for _ in range(10):
        assert r.randomkey() in ("a", "b")


def test_rename(r):
    r.set("src", "v", ex=100)
    assert r.rename("src", "dst") is True
    assert r.exists("src") == 0
    assert r.get("dst") == "v" and r.ttl("dst") > 0  # TTL moves with the key
    r.set("other", "x")
    r.rename("other", "dst")  # overwrites
    assert r.get("dst") == "x" and r.ttl("dst") == -1
    assert r.rename("dst", "dst") is True
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.rename("missing", "x")


def test_renamenx(r):
    r.mset({"a": 1, "b": 2})
    assert r.renamenx("a", "b") is False
    assert r.renamenx("a", "c") is True
    assert r.mget("a", "b", "c") == [None, "2", "1"]
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.renamenx("missing", "x")


def test_copy(r, server):
    r.set("src", "v", ex=100)
    assert r.copy("src", "dst") is True
    assert r.get("dst") == "v" and r.ttl("dst") > 0 and r.get("src") == "v"
    r.set("dst", "old")
    assert r.copy("src", "dst") is False
    assert r.get("dst") == "old"
    assert r.copy("src", "dst", replace=True) is True
    assert r.get("dst") == "v"
    assert r.copy("src", "elsewhere", destination_db=2) is True
    assert server.client(db=2).get("elsewhere") == "v"
    assert r.copy("missing", "x") is False
    with pytest.raises(redis.ResponseError, match="^source and destination objects are the same$"):
        r.copy("src", "src")
    with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
        r.copy("src", "x", destination_db=16)


def test_move(r, server):
    db1 = server.client(db=1)
    r.set("k", "v", ex=100)
    assert r.move("k", 1) is True
    assert r.exists("k") == 0 and db1.get("k") == "v" and db1.ttl("k") > 0
    r.set("k", "again")
    assert r.move("k", 1) is False  # target already has it
    assert r.get("k") == "again"
    assert r.move("missing", 1) is False
    with pytest.raises(redis.ResponseError, match="^source and destination objects are the same$"):
        r.move("k", 0)
    with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
        r.move("k", 16)


def test_touch(r):
    r.mset({"a": 1, "b": 2})
    assert r.touch("a", "b", "missing") == 2


def test_object_encoding(r):
    r.set("int", "12345")
    r.set("neg", "-42")
    r.set("short", "hello")
    r.set("padded", "0123")  # not a canonical integer
    r.set("long", "x" * 200)
    assert r.object("encoding", "int") == "int"
    assert r.object("encoding", "neg") == "int"
    assert r.object("encoding", "short") == "embstr"
    assert r.object("encoding", "padded") == "embstr"
    assert r.object("encoding", "long") == "raw"
    r.append("short", "!")  # modified strings become raw
    assert r.object("encoding", "short") == "raw"
    assert r.object("encoding", "missing") is None


def test_object_refcount_idletime(r):
    r.set("k", "some text")
    assert r.object("refcount", "k") == 1
    assert r.object("idletime", "k") in (0, 1)
    assert r.object("refcount", "missing") is None


def test_object_freq_requires_lfu(server, r):
    r.set("k", "v")
    with server.raw() as c:
        assert c.call("OBJECT", "FREQ", "k") == (
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
            "Please note that when switching between policies at runtime LRU and LFU "
            "data will take some time to adjust.")
        assert c.call("OBJECT", "BOGUS", "k") == \
            "ERR unknown subcommand 'BOGUS'. Try OBJECT HELP."
