"""Hostile or careless clients must not take the server down or corrupt data."""

import random
import socket
import threading

import pytest

from harness import wait_until
from resp import RawConn, encode


def connected_clients(r):
    return r.info("clients")["connected_clients"]


@pytest.fixture
def seeded(r):
    """A few known keys that must survive whatever the test does."""
    data = {f"safe:{i}": f"value-{i}" for i in range(100)}
    r.mset(data)
    r.set("safe:ttl", "x", ex=1000)
    return data


def assert_intact(r, data):
    assert r.mget(list(data)) == list(data.values())
    assert r.ttl("safe:ttl") > 900


def test_random_garbage(server, r, seeded):
    rng = random.Random(1234)  # fixed seed: failures are reproducible
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        try:
            for _ in range(5):
                sock.sendall(rng.randbytes(rng.randrange(1, 4096)))
        except OSError:
            pass  # the server may hang up on us: that is fine
        finally:
            sock.close()
    assert r.ping()
    assert_intact(r, seeded)


def test_garbage_that_looks_like_resp(server, r, seeded):
    rng = random.Random(99)
    # commands assembled by chance can only touch key "x", never the seeded keys
    pieces = [b"*", b"$", b"+", b"-", b":", b"\r\n", b"\n", b"-1", b"0", b"3", b"99999",
              b"SET", b"GET", b"INCR", b"x", b"\"", b"'", b"\\x", b" ", b"\x00"]
    for _ in range(30):
        blob = b"".join(rng.choice(pieces) for _ in range(rng.randrange(5, 200)))
        with RawConn(server.port) as c:
            try:
                c.send(blob)
            except OSError:
                pass
    assert_intact(r, seeded)


def test_disconnect_mid_command(server, r, seeded):
    for partial in (b"*3\r\n$3\r\nSET\r\n$6\r\nsafe:1\r\n$100\r\nhalf",
                    b"*2\r\n$3\r\nDEL\r\n$6\r\nsaf", b"SET safe:2 trunc"):
        with RawConn(server.port) as c:
            c.send(partial)
    assert_intact(r, seeded)


def test_disconnect_with_unread_replies(server, r, seeded):
    r.set("big", "x" * 1_000_000)
    for _ in range(5):
        with RawConn(server.port) as c:
            c.send(encode("GET", "big") * 50)  # ~50 MB of replies nobody reads
    assert r.strlen("big") == 1_000_000
    assert_intact(r, seeded)


def test_many_connections_open_and_close(server, r):
    baseline = connected_clients(r)
    conns = [RawConn(server.port) for _ in range(200)]
    for c in conns:
        c.send(b"PING\r\n")
    assert all(c.read() == "PONG" for c in conns)
    assert connected_clients(r) >= baseline + 200
    for c in conns:
        c.close()
    wait_until(lambda: connected_clients(r) <= baseline, message="closed clients to go away")


def test_slow_clients_do_not_block_others(server, r):
    # many clients each holding half a command must not stall a normal client
    stalled = [RawConn(server.port) for _ in range(50)]
    try:
        for c in stalled:
            c.send(b"*2\r\n$4\r\nECHO\r\n$10\r\nhal")
        r.set("k", "v")
        assert r.get("k") == "v"
        for c in stalled:  # and each completes fine later
            c.send(b"f-done!\r\n")
            assert c.read() == b"half-done!"
    finally:
        for c in stalled:
            c.close()


def test_concurrent_increments_are_atomic(server, r):
    def worker():
        client = server.client()
        for _ in range(300):
            client.incr("counter")
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert r.get("counter") == "2400"


def test_command_with_many_arguments(server, r):
    keys = [f"many:{i}" for i in range(20000)]
    with RawConn(server.port) as c:
        args = ["MSET"]
        for k in keys:
            args += [k, "1"]
        assert c.call(*args) == "OK"
        assert c.call("DEL", *keys) == len(keys)
    assert r.dbsize() == 0


def test_large_value_roundtrip(server, r):
    value = random.Random(7).randbytes(8 << 20)  # 8 MB
    raw = server.client(decode_responses=False)
    raw.set("large", value)
    assert raw.get("large") == value
    assert raw.strlen("large") == len(value)
    assert raw.getrange("large", 1 << 22, (1 << 22) + 99) == value[1 << 22:(1 << 22) + 100]
