"""maxmemory: honest used_memory, eviction under every policy, OOM refusals (also inside
MULTI/EXEC), OBJECT FREQ / IDLETIME, and the INFO fields around them."""

import pytest
import redis

from harness import is_reference_server, wait_until
from resp import RespError

OOM = "OOM command not allowed when used memory > 'maxmemory'."
VALUE = "x" * 1000
# How far over maxmemory INFO may see the server: the command that reads it (INFO builds its
# reply while measuring) and what one write adds before the next eviction check.
SLACK = 64 * 1024

POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
            "volatile-random", "volatile-ttl"]
VOLATILE = [p for p in POLICIES if p.startswith("volatile-")]


@pytest.fixture
def r(server):
    """A client on the shared server, with no memory limit and an empty keyspace, and left
    that way afterwards (a limit left behind would break the next test)."""
    client = server.client()

    def reset():
        client.config_set("maxmemory", 0)
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("lfu-log-factor", 10)
        client.config_set("maxmemory-samples", 5)
        client.flushall()
        client.config_resetstat()

    reset()
    yield client
    reset()
    client.close()


def used(r):
    return r.info("memory")["used_memory"]


def evicted(r):
    return r.info("stats")["evicted_keys"]


def limit_at(r, extra):
    """Sets maxmemory to current usage plus `extra` bytes and returns it."""
    limit = used(r) + extra
    r.config_set("maxmemory", limit)
    return limit


def write(r, prefix, count, ttl=None, batch=50, check_limit=None):
    """SETs prefix0..prefix{count-1} to 1 KB values in small pipelines (a big pipeline would
    itself be memory the limit counts). Returns the error replies seen."""
    errors = []
    pipe = r.pipeline(transaction=False)
    for i in range(count):
        pipe.set(f"{prefix}{i}", VALUE, ex=ttl)
        if (i + 1) % batch == 0 or i == count - 1:
            errors += [e for e in pipe.execute(raise_on_error=False) if isinstance(e, Exception)]
            if check_limit is not None and (i + 1) % (batch * 10) == 0:
                assert used(r) <= check_limit + SLACK
    return errors


def write_until_oom(r, prefix, limit=20_000):
    """Single SETs (no pipeline buffer counted against the limit) until one is refused;
    returns how many succeeded."""
    for i in range(limit):
        try:
            r.set(f"{prefix}{i}", VALUE)
        except redis.exceptions.ResponseError as e:
            assert str(e) == OOM
            return i
    pytest.fail("no OOM error")


def present(r, keys):
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.exists(k)
    return sum(pipe.execute())


# -- accounting ------------------------------------------------------------------------------

def memory_usage_sum(r, keys):
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.memory_usage(k)
    return sum(pipe.execute())


def bucket_bytes(n):
    """The keyspace table's bucket array for n keys: a power of two slots of 8 bytes."""
    size = 4
    while size < n:
        size *= 2
    return size * 8


LOADS = {
    # kind: (number of keys, how to write key i)
    "strings": (200_000, lambda p, k, i: p.set(k, f"value-{i:010d}")),
    "hashes": (20_000, lambda p, k, i: p.hset(k, mapping={f"f{j}": f"v{i}-{j}" for j in range(10)})),
    "sets": (20_000, lambda p, k, i: p.sadd(k, *[f"m{i}-{j}" for j in range(10)])),
    "lists": (20_000, lambda p, k, i: p.rpush(k, *[f"e{i}-{j}" for j in range(10)])),
    "zsets": (20_000, lambda p, k, i: p.zadd(k, {f"m{i}-{j}": j for j in range(10)})),
    "big-hashes": (200, lambda p, k, i: p.hset(k, mapping={f"f{j}": "v" * 20 for j in range(500)})),
    "big-lists": (100, lambda p, k, i: p.rpush(k, *[f"element-{j}" for j in range(1000)])),
    "big-zsets": (100, lambda p, k, i: p.zadd(k, {f"member-{j}": j for j in range(1000)})),
}


@pytest.mark.parametrize("kind", list(LOADS))
def test_used_memory_tracks_the_data_and_returns_after_flushall(r, kind):
    count, add = LOADS[kind]
    before = used(r)
    keys = [f"{kind}:{i:08d}" for i in range(count)]
    pipe = r.pipeline(transaction=False)
    for i, k in enumerate(keys):
        add(pipe, k, i)
        if i % 500 == 499:
            pipe.execute()
    pipe.execute()
    grown = used(r) - before
    assert grown > 0
    # The estimate: what MEMORY USAGE reports for every key, with the one bucket slot it counts
    # per key replaced by the keyspace's real (power of two) bucket array.
    # (Redis's MEMORY USAGE leaves out allocator rounding, so against the reference this only
    # checks that memory comes back.)
    estimate = memory_usage_sum(r, keys) - 8 * count + bucket_bytes(count)
    if not is_reference_server():
        assert abs(grown - estimate) <= 0.10 * estimate, (grown, estimate)
    r.flushall()
    # Back to where it started, within 1% of what was loaded plus what this client's buffers may
    # keep between commands (up to 64 KB each for input and output).
    assert abs(used(r) - before) <= 0.01 * grown + 128 * 1024, (before, used(r), grown)


def test_info_reports_the_memory_fields(r):
    mem = r.info("memory")
    for field in ("used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak",
                  "used_memory_overhead", "used_memory_startup", "used_memory_dataset",
                  "mem_fragmentation_ratio", "mem_not_counted_for_evict", "mem_clients_normal",
                  "maxmemory", "maxmemory_human", "maxmemory_policy", "mem_allocator"):
        assert field in mem, field
    assert mem["maxmemory"] == 0 and mem["maxmemory_human"] == "0B"
    assert mem["maxmemory_policy"] == "noeviction"
    assert mem["used_memory_peak"] >= mem["used_memory"]
    assert mem["used_memory_overhead"] + mem["used_memory_dataset"] == mem["used_memory"]
    r.config_set("maxmemory", "100mb")
    r.config_set("maxmemory-policy", "allkeys-lru")
    mem = r.info("memory")
    assert mem["maxmemory"] == 100 * 1024 * 1024
    assert mem["maxmemory_human"] == "100.00M"
    assert mem["maxmemory_policy"] == "allkeys-lru"
    stats = r.info("stats")
    for field in ("evicted_keys", "total_eviction_exceeded_time",
                  "current_eviction_exceeded_time"):
        assert stats[field] == 0, field


def test_dataset_grows_with_the_data(r):
    before = r.info("memory")["used_memory_dataset"]
    write(r, "k", 2000)
    assert r.info("memory")["used_memory_dataset"] - before >= 2000 * 1000


# -- eviction per policy ---------------------------------------------------------------------

@pytest.mark.parametrize("policy", POLICIES)
def test_policy_keeps_used_memory_under_the_limit(r, policy):
    r.config_set("maxmemory-policy", policy)
    limit = limit_at(r, 2 * 1024 * 1024)
    # About three times the limit, every key with a TTL so volatile policies have candidates.
    errors = write(r, "k", 6000, ttl=100_000, check_limit=limit)
    assert errors == []
    assert used(r) <= limit + SLACK
    assert evicted(r) > 0
    assert 0 < r.dbsize() < 6000
    # Most of what was written had to go, but not more than the limit demands.
    assert r.dbsize() >= 1000


@pytest.mark.parametrize("policy", VOLATILE)
def test_volatile_policies_evict_only_keys_with_a_ttl(r, policy):
    r.config_set("maxmemory-policy", policy)
    limit = limit_at(r, 2 * 1024 * 1024)
    write(r, "keep:", 1000)
    errors = write(r, "tmp:", 4000, ttl=100_000, check_limit=limit)
    assert errors == []
    assert evicted(r) > 0
    assert present(r, [f"keep:{i}" for i in range(1000)]) == 1000
    assert used(r) <= limit + SLACK


@pytest.mark.parametrize("policy", VOLATILE)
def test_volatile_policy_with_no_volatile_keys_refuses_writes(r, policy):
    r.config_set("maxmemory-policy", policy)
    limit_at(r, 1024 * 1024)
    errors = write(r, "k", 3000)
    assert errors and all(str(e) == OOM for e in errors)
    assert evicted(r) == 0
    assert r.get("k0") == VALUE


def test_volatile_ttl_evicts_the_shortest_ttls_first(r):
    r.config_set("maxmemory-policy", "volatile-ttl")
    limit_at(r, 2 * 1024 * 1024)
    n = 4000
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        pipe.set(f"t{i}", VALUE, ex=10_000 + 10 * i)  # later keys live longer
        if i % 50 == 49:
            pipe.execute()
    pipe.execute()
    assert evicted(r) > n // 4
    quarter = n // 4
    first = present(r, [f"t{i}" for i in range(quarter)])
    last = present(r, [f"t{i}" for i in range(n - quarter, n)])
    assert first <= 0.25 * quarter, (first, last)
    assert last >= 0.90 * quarter, (first, last)


def test_allkeys_lru_keeps_recently_read_keys(r):
    write(r, "cold:", 3000)
    write(r, "hot:", 300)
    # The LRU clock ticks in seconds: wait until the cold keys are visibly idle.
    wait_until(lambda: r.object("idletime", "cold:0") >= 2, message="cold keys to age")
    hot = [f"hot:{i}" for i in range(300)]
    for k in hot:
        r.get(k)
    r.config_set("maxmemory-policy", "allkeys-lru")
    limit_at(r, 256 * 1024)
    write(r, "new:", 1500)
    assert evicted(r) >= 1000
    assert present(r, hot) >= 0.95 * len(hot)
    assert present(r, [f"cold:{i}" for i in range(3000)]) <= 3000 - 1000


def test_allkeys_lfu_keeps_frequently_read_keys(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    write(r, "cold:", 3000)
    write(r, "hot:", 300)
    hot = [f"hot:{i}" for i in range(300)]
    for _ in range(100):
        r.touch(*hot)  # an access, as a read, without moving the values
    assert r.object("freq", "hot:0") > r.object("freq", "cold:0")
    limit_at(r, 256 * 1024)
    write(r, "new:", 1500)
    assert evicted(r) >= 1000
    assert present(r, hot) >= 0.95 * len(hot)


def test_noeviction_refuses_writes_but_serves_reads_and_deletes(r):
    limit_at(r, 1024 * 1024)
    written = write_until_oom(r, "k")
    assert written > 100
    assert evicted(r) == 0
    with pytest.raises(redis.exceptions.ResponseError, match=r"^OOM command not allowed"):
        r.set("one-more", "v")
    with pytest.raises(redis.exceptions.ResponseError, match="^OOM"):
        r.incr("counter")
    assert r.get("k0") == VALUE
    assert r.exists("k1") == 1
    oom_errors = r.info("errorstats")["errorstat_OOM"]  # "count=N"; redis-py leaves it a string
    assert int(str(oom_errors).split("=")[-1].strip("}")) >= 2 if isinstance(oom_errors, str) \
        else oom_errors["count"] >= 2
    stats = r.info("commandstats")["cmdstat_set"]
    assert stats["rejected_calls"] >= 2
    assert r.info("stats")["current_eviction_exceeded_time"] >= 0
    # Freeing memory makes room again.
    keys = [f"k{i}" for i in range(written)]
    for start in range(0, len(keys), 500):
        r.delete(*keys[start:start + 500])
    assert r.set("one-more", "v") is True
    # While over the limit the stats count the time; back under, the current interval ends.
    assert r.info("stats")["current_eviction_exceeded_time"] == 0


def test_lowering_maxmemory_evicts_at_once(r):
    r.config_set("maxmemory-policy", "allkeys-random")
    write(r, "k", 4000)
    limit = used(r) - 2 * 1024 * 1024
    r.config_set("maxmemory", limit)
    # The CONFIG SET reply is out; the eviction runs without waiting for a write.
    wait_until(lambda: used(r) <= limit + SLACK, message="eviction down to the new limit")
    assert evicted(r) > 0
    assert r.dbsize() < 4000


def test_maxmemory_one_byte_evicts_everything_then_refuses(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.config_set("maxmemory", 1)
    wait_until(lambda: r.dbsize() == 0, message="every key evicted")
    assert evicted(r) == 3
    with pytest.raises(redis.exceptions.ResponseError, match="^OOM"):
        r.set("d", 4)
    assert r.get("a") is None


# -- transactions and WATCH ----------------------------------------------------------------

def test_oom_while_queueing_aborts_exec(server, r):
    r.set("k", "v")
    r.config_set("maxmemory", 1)  # noeviction: nothing can be freed
    with server.raw() as c:
        assert c.call("MULTI") == "OK"
        assert c.call("SET", "x", "1") == RespError(OOM)
        assert c.call("GET", "k") == "QUEUED"
        assert c.call("EXEC") == "EXECABORT Transaction discarded because of previous errors."


def test_exec_of_a_write_is_refused_when_memory_ran_out_after_queueing(server, r):
    with server.raw() as c:
        assert c.call("MULTI") == "OK"
        assert c.call("SET", "x", "1") == "QUEUED"
        r.config_set("maxmemory", 1)
        assert c.call("EXEC") == RespError("EXECABORT Transaction discarded because of: " + OOM)
        assert c.call("EXEC") == RespError("ERR EXEC without MULTI")
    assert r.exists("x") == 0


def test_exec_of_reads_runs_when_out_of_memory(server, r):
    r.set("k", "v")
    r.config_set("maxmemory", 1)
    with server.raw() as c:
        c.call("MULTI")
        assert c.call("GET", "k") == "QUEUED"
        assert c.call("EXEC") == [b"v"]


def test_eviction_of_a_watched_key_fails_the_transaction(server, r):
    r.set("watched", "v")
    with server.raw() as c:
        assert c.call("WATCH", "watched") == "OK"
        r.config_set("maxmemory-policy", "allkeys-random")
        r.config_set("maxmemory", 1)
        wait_until(lambda: r.dbsize() == 0, message="the watched key to be evicted")
        c.call("MULTI")
        assert c.call("GET", "watched") == "QUEUED"
        assert c.call("EXEC") is None


# -- access metadata -------------------------------------------------------------------------

def test_object_freq_needs_an_lfu_policy(r):
    r.set("k", "v")
    with pytest.raises(redis.exceptions.ResponseError, match="An LFU maxmemory policy is not "
                       "selected, access frequency not tracked"):
        r.object("freq", "k")
    r.config_set("maxmemory-policy", "volatile-lfu")
    with pytest.raises(redis.exceptions.ResponseError, match="An LFU maxmemory policy is "
                       "selected, idle time not tracked"):
        r.object("idletime", "k")


def test_object_freq_counts_accesses(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.config_set("lfu-log-factor", 0)  # every access counts: exact numbers
    r.set("k", "v")
    assert r.object("freq", "k") == 5  # new keys start at 5
    for _ in range(10):
        r.get("k")
    assert r.object("freq", "k") == 15
    assert r.object("freq", "k") == 15  # OBJECT itself is not an access
    r.exists("k")  # nor is EXISTS
    assert r.object("freq", "k") == 15
    r.set("k", "w")  # an overwrite keeps the history and counts as an access
    assert r.object("freq", "k") == 16
    assert r.object("freq", "missing") is None
    r.config_set("lfu-log-factor", 10)
    r.set("fresh", "v")
    for _ in range(100):
        r.get("fresh")
    # Logarithmic with factor 10: 100 hits give about 10, far below 105.
    assert 8 <= r.object("freq", "fresh") <= 13


def test_object_idletime_ages_and_resets_on_access(r):
    r.set("k", "v")
    assert r.object("idletime", "k") <= 1
    wait_until(lambda: r.object("idletime", "k") >= 2, message="the key to age")
    info = r.debug_object("k")
    assert info["lru_seconds_idle"] >= 2
    r.get("k")
    assert r.object("idletime", "k") <= 1


def test_small_integers_are_shared_unless_lru_or_lfu_limits_memory(r):
    r.set("a", 1)
    assert r.object("refcount", "a") > 1
    r.config_set("maxmemory", "1gb")
    r.config_set("maxmemory-policy", "allkeys-random")
    assert r.object("refcount", "a") > 1
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.get("a")  # in Valkey the access is what gives the key its own copy
    assert r.object("refcount", "a") == 1
    r.config_set("maxmemory-policy", "volatile-lfu")
    r.set("b", 2)
    assert r.object("refcount", "b") == 1


def test_lfu_and_tenacity_directives(r):
    assert r.config_get("lfu-log-factor") == {"lfu-log-factor": "10"}
    assert r.config_get("lfu-decay-time") == {"lfu-decay-time": "1"}
    assert r.config_get("maxmemory-eviction-tenacity") == {"maxmemory-eviction-tenacity": "10"}
    r.config_set("lfu-decay-time", 5)
    assert r.config_get("lfu-decay-time") == {"lfu-decay-time": "5"}
    r.config_set("lfu-decay-time", 1)
    with pytest.raises(redis.exceptions.ResponseError, match="argument must be between 0 and 100"):
        r.config_set("maxmemory-eviction-tenacity", 101)
    with pytest.raises(redis.exceptions.ResponseError):
        r.config_set("lfu-log-factor", -1)


def test_a_full_table_does_not_grow_past_maxmemory(r):
    # Valkey puts off growing the keyspace table while that alone would break the limit, so a
    # resize does not evict keys by itself.
    r.config_set("maxmemory-policy", "allkeys-random")
    pipe = r.pipeline(transaction=False)
    for i in range(4095):
        pipe.set(f"key:{i}", "v")
    pipe.execute()
    limit_at(r, 10 * 1024)
    r.set("k0", "v0")
    r.set("k1", "v1")
    r.set("k2", "v2")
    assert r.dbsize() == 4098
    assert evicted(r) == 0


def test_client_no_touch_leaves_access_stamps_alone(server, r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.config_set("lfu-log-factor", 0)
    r.set("k", "v")
    other = server.client()
    assert other.execute_command("CLIENT", "NO-TOUCH", "ON") == "OK"
    assert "T" in other.client_info()["flags"]
    other.get("k")
    assert r.object("freq", "k") == 5
    other.touch("k")  # TOUCH still touches: that is what it is for
    assert r.object("freq", "k") == 6
    assert other.execute_command("CLIENT", "NO-TOUCH", "OFF") == "OK"
    other.get("k")
    assert r.object("freq", "k") == 7
    with pytest.raises(redis.exceptions.ResponseError, match="syntax error"):
        other.execute_command("CLIENT", "NO-TOUCH", "maybe")
    other.close()


def test_client_no_touch_inside_exec_still_lets_touch_touch(server, r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.config_set("lfu-log-factor", 0)
    r.set("k", "v")
    with server.raw() as c:
        assert c.call("CLIENT", "NO-TOUCH", "ON") == "OK"
        c.call("MULTI")
        c.call("GET", "k")
        c.call("TOUCH", "k")
        c.call("GET", "k")
        assert c.call("EXEC") == [b"v", 1, b"v"]
    assert r.object("freq", "k") == 6  # only the TOUCH counted


def test_evicted_keys_are_announced_as_keyspace_events(server, r):
    r.config_set("notify-keyspace-events", "KEe")
    try:
        r.set("victim", "v")
        sub = server.client().pubsub()
        sub.subscribe("__keyevent@0__:evicted", "__keyspace@0__:victim")
        for _ in range(2):  # the subscribe confirmations
            assert sub.get_message(timeout=5)["type"] == "subscribe"
        r.config_set("maxmemory-policy", "allkeys-lru")
        r.config_set("maxmemory", 1)
        wait_until(lambda: r.dbsize() == 0, message="the key to be evicted")
        r.config_set("maxmemory", 0)
        seen = []
        wait_until(lambda: seen.append(sub.get_message(timeout=0.1)) or
                   {"__keyevent@0__:evicted", "__keyspace@0__:victim"} <=
                   {m["channel"] for m in seen if m}, message="both evicted events")
        messages = {m["channel"]: m["data"] for m in seen if m}
        assert messages["__keyevent@0__:evicted"] == "victim"
        assert messages["__keyspace@0__:victim"] == "evicted"
        sub.close()
    finally:
        r.config_set("notify-keyspace-events", "")
