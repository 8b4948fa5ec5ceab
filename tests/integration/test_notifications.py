"""Keyspace notifications: the notify-keyspace-events directive, the two channel forms, class
filtering, and Valkey's event names for every family, expiry (lazy and active) and key
creation.

Events are collected without sleeping: after the commands under test, a marker message is
published to a channel the listener also subscribes to; everything before it is the events."""

import pytest
import redis

from harness import wait_until
from resp import RawConn, RespError, encode

MARKER = "notifications-test-marker"


class EventLog:
    """A raw subscriber to every keyspace and keyevent channel of every database."""

    def __init__(self, server):
        self.server = server
        self.conn = server.raw()
        self.conn.send(encode("PSUBSCRIBE", "__keyspace@*__:*", "__keyevent@*__:*"))
        self.conn.read(), self.conn.read()
        self.conn.send(encode("SUBSCRIBE", MARKER))
        self.conn.read()

    def drain(self, publisher):
        """All (channel, message) pairs delivered before now."""
        publisher.publish(MARKER, "end")
        out = []
        while True:
            frame = self.conn.read()
            if frame[0] == b"message" and frame[1] == MARKER.encode():
                return out
            assert frame[0] == b"pmessage", frame
            out.append((frame[2].decode(), frame[3].decode()))

    def keyevents(self, publisher, db=0):
        """(event, key) pairs from the __keyevent@<db>__ channels, in order."""
        prefix = f"__keyevent@{db}__:"
        return [(ch[len(prefix):], msg) for ch, msg in self.drain(publisher)
                if ch.startswith(prefix)]

    def close(self):
        self.conn.close()


@pytest.fixture
def events(server, r):
    r.config_set("notify-keyspace-events", "KEA")
    log = EventLog(server)
    yield log
    log.close()
    r.config_set("notify-keyspace-events", "")


def test_config_get_returns_the_normalised_classes(r):
    cases = {"": "", "KEA": "AKE", "Kg$": "g$K", "Elx": "lxE", "AKEm": "AKEm",
             "g$lshzxetdKE": "AKE", "nE": "nE", "AnK": "AK", "KKgg": "gK"}
    try:
        for given, expected in cases.items():
            r.config_set("notify-keyspace-events", given)
            assert r.config_get("notify-keyspace-events") == {
                "notify-keyspace-events": expected}, given
    finally:
        r.config_set("notify-keyspace-events", "")


def test_invalid_class_letter_is_refused(r):
    r.config_set("notify-keyspace-events", "KE$")
    with pytest.raises(redis.ResponseError) as err:
        r.config_set("notify-keyspace-events", "KEq")
    assert str(err.value) == (
        "CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid "
        "event class character. Use 'Ag$lshzxeKEtmdn'.")
    assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] == "$KE"
    r.config_set("notify-keyspace-events", "")


def test_directive_in_config_file_and_command_line(server_factory):
    s = server_factory.start(config="notify-keyspace-events Elg\n")
    assert s.client().config_get("notify-keyspace-events")["notify-keyspace-events"] == "glE"
    s2 = server_factory.start("--notify-keyspace-events", "KA")
    assert s2.client().config_get("notify-keyspace-events")["notify-keyspace-events"] == "AK"
    code, output = server_factory.run_expect_exit("--notify-keyspace-events", "K?")
    assert code != 0
    assert "Invalid event class character" in output


def test_both_channel_forms(server, r, events):
    r.set("k", "v")
    assert events.drain(r) == [("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k")]
    r.execute_command("SELECT", 5)  # this client only; the pool has one connection here
    r.set("k5", "v")
    assert events.drain(r) == [("__keyspace@5__:k5", "set"), ("__keyevent@5__:set", "k5")]
    r.execute_command("SELECT", 0)


def test_classes_filter_events(server, r):
    log = EventLog(server)
    try:
        r.config_set("notify-keyspace-events", "Kl")  # list events, keyspace form only
        r.set("s", "v")
        r.rpush("l", "a")
        assert log.drain(r) == [("__keyspace@0__:l", "rpush")]
        r.config_set("notify-keyspace-events", "E$")
        r.set("s", "v")
        r.rpush("l", "b")
        assert log.drain(r) == [("__keyevent@0__:set", "s")]
        # A class without K or E publishes nothing.
        r.config_set("notify-keyspace-events", "A")
        r.set("s", "v")
        assert log.drain(r) == []
        r.config_set("notify-keyspace-events", "")
        r.set("s", "v")
        assert log.drain(r) == []
    finally:
        r.config_set("notify-keyspace-events", "")
        log.close()


def test_string_events(r, events):
    r.set("s", "1")
    r.set("s", "2", ex=100)
    r.setrange("s", 0, "x")
    r.append("s", "y")
    r.incr("n")
    r.decrby("n", 2)
    r.incrbyfloat("f", 1.5)
    r.getset("s", "z")
    r.mset({"a": "1", "b": "2"})
    r.getdel("a")
    r.execute_command("GETEX", "b", "PX", 100000)
    r.execute_command("GETEX", "b", "PERSIST")
    r.execute_command("GETEX", "b", "PERSIST")  # no TTL left: no event
    r.setnx("s", "q")  # exists: no event
    r.setnx("c", "1")
    r.psetex("p", 100000, "v")
    r.set("s", "gone", pxat=1)  # already past: the key is deleted
    assert events.keyevents(r) == [
        ("set", "s"), ("set", "s"), ("expire", "s"), ("setrange", "s"), ("append", "s"),
        ("incrby", "n"), ("incrby", "n"), ("incrbyfloat", "f"), ("set", "s"), ("set", "a"),
        ("set", "b"), ("del", "a"), ("expire", "b"), ("persist", "b"), ("set", "c"),
        ("set", "p"), ("expire", "p"), ("del", "s")]


def test_generic_events(r, events):
    r.set("a", "1")
    r.set("b", "2")
    r.delete("a", "missing")
    r.unlink("b")
    r.set("k", "v")
    r.expire("k", 100)
    r.persist("k")
    r.persist("k")  # nothing to remove: no event
    r.rename("k", "k2")
    r.copy("k2", "k3")
    r.move("k3", 1)
    r.pexpire("k2", -1)  # a time in the past deletes
    assert events.keyevents(r, 0) == [
        ("set", "a"), ("set", "b"), ("del", "a"), ("del", "b"), ("set", "k"), ("expire", "k"),
        ("persist", "k"), ("rename_from", "k"), ("rename_to", "k2"), ("copy_to", "k3"),
        ("move_from", "k3"), ("del", "k2")]
    r.set("x", "1")
    r.move("x", 2)
    drained = events.drain(r)
    assert ("__keyevent@2__:move_to", "x") in drained
    assert ("__keyspace@2__:x", "move_to") in drained
    r.flushall()


def test_list_events(r, events):
    r.rpush("l", "a", "b", "c")
    r.lpush("l", "z")
    r.rpushx("l", "d")
    r.lpushx("nolist", "x")  # absent: no event
    r.linsert("l", "before", "b", "ab")
    r.lset("l", 0, "Z")
    r.lrem("l", 1, "ab")
    r.ltrim("l", 0, 10)
    r.lpop("l")
    r.rpop("l", 2)
    r.lmove("l", "l2", "LEFT", "RIGHT")
    r.lmove("l2", "l2", "LEFT", "LEFT")  # rotation: never emptied, never deleted
    r.rpop("l2")
    assert events.keyevents(r) == [
        ("rpush", "l"), ("lpush", "l"), ("rpush", "l"), ("linsert", "l"), ("lset", "l"),
        ("lrem", "l"), ("ltrim", "l"), ("lpop", "l"), ("rpop", "l"), ("rpush", "l2"),
        ("lpop", "l"), ("lpush", "l2"), ("lpop", "l2"), ("rpop", "l2"),
        ("del", "l2")]


def test_list_trim_to_nothing_and_blocking_pop(server, r, events):
    r.rpush("l", "a")
    r.ltrim("l", 5, 10)
    assert events.keyevents(r) == [("rpush", "l"), ("ltrim", "l"), ("del", "l")]
    waiter = server.client()
    r.rpush("q", "x")
    assert waiter.blpop(["q"], timeout=1) == ("q", "x")
    assert events.keyevents(r) == [("rpush", "q"), ("lpop", "q"), ("del", "q")]
    waiter.close()


def test_hash_events(r, events):
    r.hset("h", mapping={"a": "1", "b": "2"})
    r.hsetnx("h", "a", "x")  # exists: no event
    r.hsetnx("h", "c", "3")
    r.hincrby("h", "a", 5)
    r.hincrbyfloat("h", "b", 0.5)
    r.hdel("h", "a", "missing")
    r.hdel("h", "nothing")  # nothing removed: no event
    r.hdel("h", "b", "c")
    assert events.keyevents(r) == [
        ("hset", "h"), ("hset", "h"), ("hincrby", "h"), ("hincrbyfloat", "h"), ("hdel", "h"),
        ("hdel", "h"), ("del", "h")]


def test_set_events(r, events):
    r.sadd("s", "a", "b", "c")
    r.sadd("s", "a")  # nothing added: no event
    r.srem("s", "a")
    r.spop("s")
    r.sadd("t", "x")
    r.smove("s", "t", r.smembers("s").pop())
    r.sadd("u", "x", "y")
    r.sinterstore("i", ["t", "u"])
    r.sunionstore("un", ["t", "u"])
    r.sdiffstore("d", ["u", "t"])
    r.sdiffstore("i", ["t", "t"])  # empty result replaces the destination: deleted
    assert events.keyevents(r) == [
        ("sadd", "s"), ("srem", "s"), ("spop", "s"), ("sadd", "t"), ("srem", "s"), ("del", "s"),
        ("sadd", "t"), ("sadd", "u"), ("sinterstore", "i"), ("sunionstore", "un"),
        ("sdiffstore", "d"), ("del", "i")]


def test_new_key_events(r, server):
    log = EventLog(server)
    try:
        r.config_set("notify-keyspace-events", "En")  # n alone, not part of A
        r.set("k", "1")
        r.set("k", "2")
        r.rpush("l", "a")
        r.rpush("l", "b")
        r.hset("h", "f", "v")
        r.sadd("s", "m")
        r.incr("n")
        r.rename("k", "k2")
        assert log.keyevents(r) == [("new", "k"), ("new", "l"), ("new", "h"), ("new", "s"),
                                    ("new", "n"), ("new", "k2")]
    finally:
        r.config_set("notify-keyspace-events", "")
        log.close()


def test_key_miss_events(server, r):
    log = EventLog(server)
    try:
        r.config_set("notify-keyspace-events", "Em")
        r.set("present", "v")
        r.get("present")
        r.get("absent")
        r.hget("nohash", "f")
        r.set("absent2", "v")  # writes never report a miss
        assert log.keyevents(r) == [("keymiss", "absent"), ("keymiss", "nohash")]
        r.config_set("notify-keyspace-events", "EA")  # m is not part of A
        r.get("absent")
        assert log.keyevents(r) == []
    finally:
        r.config_set("notify-keyspace-events", "")
        log.close()


def test_lazy_and_active_expiry(server, r):
    log = EventLog(server)
    try:
        r.config_set("notify-keyspace-events", "Ex")
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
        r.set("lazy", "v", px=1)
        # Touching the key after its time deletes it and reports "expired".
        wait_until(lambda: r.get("lazy") is None, message="lazy expiry")
        assert log.keyevents(r) == [("expired", "lazy")]
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)
        r.set("active", "v", px=1)
        wait_until(lambda: r.dbsize() == 0, message="active expiry")
        assert log.keyevents(r) == [("expired", "active")]
        # The expire event belongs to g, which is off here.
        r.set("x", "v", ex=100)
        assert log.keyevents(r) == []
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)
        r.config_set("notify-keyspace-events", "")
        log.close()


def test_resp3_client_hears_its_own_write_after_the_reply(server, r):
    r.config_set("notify-keyspace-events", "K$")
    try:
        with RawConn(server.port) as c:
            c.call("HELLO", "3")
            c.send(encode("SUBSCRIBE", "__keyspace@0__:mine"))
            c.read()
            c.send(encode("SET", "mine", "v"))
            assert c.read_raw() == b"+OK\r\n"
            assert c.read_raw() == (b">3\r\n$7\r\nmessage\r\n$19\r\n__keyspace@0__:mine\r\n"
                                    b"$3\r\nset\r\n")
    finally:
        r.config_set("notify-keyspace-events", "")


def test_redis_py_keyspace_listener(server, r):
    r.config_set("notify-keyspace-events", "KEA")
    try:
        p = server.client().pubsub(ignore_subscribe_messages=True)
        p.psubscribe("__keyspace@0__:watched*")
        wait_until(lambda: p.get_message(timeout=0.1) is None and r.pubsub_numpat() == 1,
                   message="pattern subscription")
        r.hset("watched:1", "f", "v")
        got = []
        wait_until(lambda: got.append(p.get_message(timeout=0.1)) or any(got),
                   message="keyspace event")
        msg = next(m for m in got if m)
        assert msg["channel"] == "__keyspace@0__:watched:1" and msg["data"] == "hset"
        p.close()
    finally:
        r.config_set("notify-keyspace-events", "")


def test_sorted_set_and_sort_events(r, events):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    r.zadd("z", {"a": 1})  # unchanged: no event
    r.zadd("z", {"a": 5}, incr=True)
    r.zincrby("z", 1, "b")
    r.zrem("z", "c")
    r.zremrangebyscore("z", 100, 200)  # nothing removed: no event
    r.zrangestore("zr", "z", 0, -1)
    r.zunionstore("zu", ["z", "zr"])
    r.zpopmin("z")
    r.zpopmax("z")
    r.zremrangebyrank("zr", 0, 0)
    r.rpush("l", 3, 1, 2)
    r.sort("l", store="sorted")
    assert events.keyevents(r) == [
        ("zadd", "z"), ("zincr", "z"), ("zincr", "z"), ("zrem", "z"), ("zrangestore", "zr"),
        ("zunionstore", "zu"), ("zpopmin", "z"), ("zpopmax", "z"), ("del", "z"),
        ("zremrangebyrank", "zr"), ("rpush", "l"), ("sortstore", "sorted")]
