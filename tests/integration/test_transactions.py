"""MULTI / EXEC / DISCARD / WATCH / UNWATCH, including WATCH races between clients."""

import threading

import pytest
import redis

from harness import wait_until
from resp import RespError, encode


def test_multi_exec_queues_and_runs(server, r):
    with server.raw() as c:
        assert c.call("MULTI") == "OK"
        assert c.call("SET", "a", "1") == "QUEUED"
        assert c.call("INCR", "a") == "QUEUED"
        assert c.call("GET", "a") == "QUEUED"
        assert c.call("EXEC") == ["OK", 2, b"2"]


def test_errors_while_queueing_abort_exec(server, r):
    with server.raw() as c:
        c.call("MULTI")
        assert c.call("SET", "never", "1") == "QUEUED"
        assert c.call("NOSUCHCOMMAND").startswith("ERR unknown command")
        assert c.call("GET") == "ERR wrong number of arguments for 'get' command"
        assert c.call("EXEC") == \
            "EXECABORT Transaction discarded because of previous errors."
    assert r.exists("never") == 0


def test_runtime_errors_do_not_stop_the_rest(server, r):
    r.set("s", "text")
    with server.raw() as c:
        c.call("MULTI")
        c.call("INCR", "s")
        c.call("SET", "after", "yes")
        reply = c.call("EXEC")
    assert reply[0] == RespError("ERR value is not an integer or out of range") or \
        str(reply[0]).startswith("ERR value is not an integer")
    assert reply[1] == "OK"
    assert r.get("after") == "yes"


def test_control_errors(server):
    with server.raw() as c:
        assert c.call("EXEC") == "ERR EXEC without MULTI"
        assert c.call("DISCARD") == "ERR DISCARD without MULTI"
        c.call("MULTI")
        # MULTI and WATCH are refused inside a transaction, which dooms it (as in Valkey 8).
        assert c.call("MULTI") == "ERR Command not allowed inside a transaction"
        assert c.call("WATCH", "x") == "ERR Command not allowed inside a transaction"
        assert c.call("EXEC").startswith("EXECABORT")
        assert c.call("PING") == "PONG"  # out of the transaction again


def test_discard_drops_the_queue(server, r):
    with server.raw() as c:
        c.call("MULTI")
        c.call("SET", "discarded", "1")
        assert c.call("DISCARD") == "OK"
    assert r.exists("discarded") == 0


def test_watch_detects_another_clients_write(server, r):
    r.set("w", "1")
    other = server.client()
    with server.raw() as c:
        assert c.call("WATCH", "w") == "OK"
        other.set("w", "2")
        c.call("MULTI")
        c.call("SET", "w", "mine")
        assert c.call("EXEC") is None  # null: the transaction did not run
    assert r.get("w") == "2"


def test_watch_untouched_key_lets_exec_run(server, r):
    r.set("calm", "1")
    with server.raw() as c:
        c.call("WATCH", "calm")
        r.set("unrelated", "1")
        c.call("MULTI")
        c.call("SET", "calm", "2")
        assert c.call("EXEC") == ["OK"]


def test_unwatch_forgets(server, r):
    r.set("u", "1")
    with server.raw() as c:
        c.call("WATCH", "u")
        assert c.call("UNWATCH") == "OK"
        r.set("u", "2")
        c.call("MULTI")
        c.call("SET", "u", "3")
        assert c.call("EXEC") == ["OK"]


def test_watch_detects_expiry(server, r):
    r.set("ttl", "1", px=50)
    with server.raw() as c:
        c.call("WATCH", "ttl")
        set_at = r.time()
        wait_until(lambda: (lambda t: (t[0] - set_at[0]) * 10**6 + t[1] - set_at[1])(r.time())
                   > 100_000, message="the watched key to pass its TTL")
        c.call("MULTI")
        c.call("SET", "ttl", "2")
        assert c.call("EXEC") is None


@pytest.mark.parametrize("flush", [["FLUSHALL"], ["FLUSHDB"], ["SWAPDB", "0", "1"]])
def test_watch_detects_flush_and_swap(server, r, flush):
    r.set("f", "1")
    with server.raw() as c:
        c.call("WATCH", "f")
        r.execute_command(*flush)
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") is None


def test_flush_of_absent_watched_key_does_not_abort(server, r):
    with server.raw() as c:
        c.call("WATCH", "absent")
        r.flushall()
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") == ["PONG"]


def test_watch_race_between_clients_keeps_every_increment(server, r):
    # Optimistic locking: several clients add to a counter with WATCH/MULTI/EXEC, retrying on
    # conflict; no increment may be lost.
    r.set("counter", 0)
    per_client, clients = 50, 4

    def worker():
        client = server.client()
        for _ in range(per_client):
            with client.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch("counter")
                        value = int(pipe.get("counter"))
                        pipe.multi()
                        pipe.set("counter", value + 1)
                        pipe.execute()
                        break
                    except redis.WatchError:
                        continue

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert int(r.get("counter")) == per_client * clients


def test_client_list_shows_transaction_state(server):
    with server.raw() as c:
        c.call("WATCH", "k1", "k2")
        c.call("MULTI")
        c.call("SET", "k1", "v")
        c.send(encode("CLIENT", "INFO"))
        assert c.read() == "QUEUED"
        c.call("DISCARD")
        fields = dict(f.split("=", 1) for f in c.call("CLIENT", "INFO").decode().split())
        assert fields["multi"] == "-1" and fields["watch"] == "0"


def test_reset_leaves_the_transaction(server, r):
    with server.raw() as c:
        c.call("WATCH", "rk")
        c.call("MULTI")
        c.call("SET", "rk", "1")
        assert c.call("RESET") == "RESET"
        assert c.call("EXEC") == "ERR EXEC without MULTI"
    assert r.exists("rk") == 0
