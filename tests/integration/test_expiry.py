"""Key expiry: passive (on access) and active (background) deletion."""

import pytest

from harness import wait_until


def expired_keys(r):
    return r.info("stats")["expired_keys"]


def server_ms(r):
    seconds, micros = r.time()
    return seconds * 1000 + micros // 1000


@pytest.fixture
def no_active_expire(r):
    """Disable the background expire cycle for the test, always re-enabling it."""
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    yield
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)


def test_short_ttl_key_disappears(r):
    r.set("k", "v", px=50)
    r.set("stays", "v")
    wait_until(lambda: r.exists("k") == 0, message="key with PX 50 to expire")
    assert r.get("k") is None and r.ttl("k") == -2
    assert r.get("stays") == "v"


def test_lazy_expiry_on_access(r, no_active_expire):
    before = expired_keys(r)
    start = server_ms(r)
    r.set("lazy", "v", px=30)
    r.set("lazy2", "v", px=30)
    # wait on the server's clock, not a fixed sleep
    wait_until(lambda: server_ms(r) > start + 60, message="server clock to pass TTL")
    # with active expiry off, the logically expired keys are still stored...
    assert r.dbsize() == 2
    # ...until something touches them
    assert r.get("lazy") is None
    assert r.dbsize() == 1
    assert r.exists("lazy2") == 0
    assert r.dbsize() == 0
    assert expired_keys(r) >= before + 2


def test_expired_key_is_invisible_to_every_read(r, no_active_expire):
    start = server_ms(r)
    for name in ("a", "b", "c", "d", "e"):
        r.set(name, "value", px=20)
    wait_until(lambda: server_ms(r) > start + 50, message="server clock to pass TTL")
    assert r.mget("a") == [None]
    assert r.strlen("b") == 0
    assert r.ttl("c") == -2
    assert r.type("d") == "none"
    assert r.keys("*") == []  # KEYS skips logically expired keys
    # writes to an expired key start from scratch
    assert r.incr("e") == 1 and r.ttl("e") == -1


def test_active_expiry_removes_untouched_keys(r):
    before = expired_keys(r)
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"short:{i}", "v", px=100)
    pipe.execute()
    r.set("long", "v", ex=1000)
    # never read the keys: only the background cycle may delete them
    wait_until(lambda: r.dbsize() == 1, message="active expiry to delete 500 keys")
    assert expired_keys(r) >= before + 500
    assert r.get("long") == "v"


def test_persist_cancels_expiry(r):
    r.set("k", "v", px=100)
    r.set("probe", "v", px=100)
    assert r.persist("k") is True
    wait_until(lambda: r.exists("probe") == 0, message="probe key to expire")
    assert r.get("k") == "v"


def test_overwrite_clears_ttl(r):
    r.set("k", "v", px=100)
    r.set("k", "v2")  # SET without KEEPTTL drops the TTL
    r.set("probe", "v", px=100)
    wait_until(lambda: r.exists("probe") == 0, message="probe key to expire")
    assert r.get("k") == "v2"


def test_expiry_in_other_databases(server, r):
    db3 = server.client(db=3)
    db3.set("k", "v", px=50)
    wait_until(lambda: db3.dbsize() == 0, message="key in db3 to expire")
    assert db3.get("k") is None


def test_info_keyspace_counts_expires(server, r):
    r.set("a", "v", ex=1000)
    r.set("b", "v")
    assert r.info("keyspace")["db0"]["expires"] == 1
    assert r.info("keyspace")["db0"]["keys"] == 2
