"""AOF: loading damaged files (a truncated last command with aof-load-truncated yes and no,
garbage, unknown commands, bad manifests), redis-check-aof accepting what the server wrote,
and kill -9 with appendfsync always / everysec losing no acknowledged write; each also run
against Debian's redis-server 7.0.
"""

import signal
import subprocess
import threading
import time

import pytest
import redis

from harness import WAIT, wait_until
from aof_files import (
    assert_same_data, fill_everything, incr_commands, kill9, names_in, parse_aof, persistence,
    shutdown, start_aof, start_expecting_exit, state, wait_rewrite_done)


# -- loading damaged files -----------------------------------------------------------------


def three_sets(server_factory, data, binary):
    """An AOF dir whose incr file holds SELECT 0 and SET k1/k2/k3; returns the incr path."""
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    for i in (1, 2, 3):
        c.set(f"k{i}", f"v{i}")
    s.stop()
    incr = data / "appendonlydir/appendonly.aof.1.incr.aof"
    names = [args[0].upper() for args, _ in parse_aof(incr.read_bytes())]
    assert names == [b"SELECT", b"SET", b"SET", b"SET"]
    return incr


def test_truncated_last_command(server_factory, data, binary):
    incr = three_sets(server_factory, data, binary)
    raw = incr.read_bytes()
    whole = parse_aof(raw)
    cut = raw[:whole[-2][1] + (whole[-1][1] - whole[-2][1]) // 2]  # half of SET k3
    incr.write_bytes(cut)

    code, _ = start_expecting_exit(server_factory, data, "--aof-load-truncated", "no",
                                   binary=binary)
    assert code != 0
    assert incr.read_bytes() == cut  # left alone

    s = start_aof(server_factory, data, binary=binary)  # aof-load-truncated yes: default
    c = s.client()
    assert c.mget("k1", "k2", "k3") == ["v1", "v2", None]
    assert incr.read_bytes() == raw[:whole[-2][1]]  # cut back to the last whole command
    c.set("k4", "v4")  # appended after the cut: the file stays loadable
    s.stop()
    c2 = start_aof(server_factory, data, "--aof-load-truncated", "no",
                   binary=binary).client()
    assert c2.mget("k1", "k2", "k3", "k4") == ["v1", "v2", None, "v4"]


def test_garbage_in_the_incr_file_stops_the_server(server_factory, data, binary):
    incr = three_sets(server_factory, data, binary)
    raw = incr.read_bytes()
    first = parse_aof(raw)[1][1]  # after SELECT and SET k1
    incr.write_bytes(raw[:first] + b"garbage line\r\n" + raw[first:])
    code, output = start_expecting_exit(server_factory, data, binary=binary)
    assert code != 0
    assert "Bad file format" in output, output


def test_unknown_command_in_the_incr_file_stops_the_server(server_factory, data, binary):
    incr = three_sets(server_factory, data, binary)
    with open(incr, "ab") as f:
        f.write(b"*2\r\n$5\r\nBOGUS\r\n$1\r\nx\r\n")
    code, output = start_expecting_exit(server_factory, data, binary=binary)
    assert code != 0
    assert "Unknown command" in output, output


@pytest.mark.parametrize("second_line", [
    "this is not a manifest line",
    "file appendonly.aof.1.incr.aof seq 1 type x",
    "file appendonly.aof.1.incr.aof type i",
    "file appendonly.aof.9.incr.aof seq 9 type i",  # names a file that does not exist
], ids=["garbage", "unknown-type", "no-seq", "missing-file"])
def test_bad_manifest_stops_the_server(server_factory, data, binary, second_line):
    three_sets(server_factory, data, binary)
    (data / "appendonlydir/appendonly.aof.manifest").write_text(
        f"file appendonly.aof.1.base.rdb seq 1 type b\n{second_line}\n")
    code, _ = start_expecting_exit(server_factory, data, binary=binary)
    assert code != 0


# -- redis-check-aof -----------------------------------------------------------------------


def check_aof(manifest):
    result = subprocess.run(["redis-check-aof", str(manifest)], capture_output=True, text=True,
                            timeout=WAIT)
    return result.returncode, result.stdout + result.stderr


def test_redis_check_aof_accepts_the_dir(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    fill_everything(c)
    manifest = data / "appendonlydir/appendonly.aof.manifest"
    wait_until(lambda: ["SET", "in-db-5", "x"] in incr_commands(manifest.parent),
               message="the writes in the incr file")
    code, output = check_aof(manifest)  # data in the incr file only
    assert code == 0 and "All AOF files and manifest are valid" in output, output
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    c.rpush("list", "after")
    shutdown(s, c)
    code, output = check_aof(manifest)  # data in the base and the incr file
    assert code == 0 and "All AOF files and manifest are valid" in output, output
    assert "BASE AOF appendonly.aof.2.base.rdb is valid" in output, output
    assert "INCR AOF appendonly.aof.2.incr.aof is valid" in output, output


# -- crash safety --------------------------------------------------------------------------


def incr_until_killed(c, acks):
    """INCR in a loop, recording (value, monotonic time) of every acknowledged reply."""
    try:
        while True:
            acks.append((c.incr("counter"), time.monotonic()))
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        pass


@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_kill_9_loses_no_acknowledged_write(server_factory, data, binary, fsync):
    s = start_aof(server_factory, data, "--appendfsync", fsync, binary=binary)
    c = s.client(socket_timeout=WAIT)
    acks = []
    writer = threading.Thread(target=incr_until_killed, args=(c, acks), daemon=True)
    writer.start()
    # everysec promises at most about a second of loss: run long enough to have acks older
    # than that.
    run_for = 0.3 if fsync == "always" else 2.5
    wait_until(lambda: len(acks) >= 100 and time.monotonic() - acks[0][1] >= run_for,
               message="acknowledged writes")
    killed_at = time.monotonic()
    kill9(s)
    writer.join(WAIT)
    assert not writer.is_alive()
    last = acks[-1][0]
    assert [v for v, _ in acks] == list(range(1, last + 1))

    c2 = start_aof(server_factory, data, binary=binary).client()
    counter = int(c2.get("counter"))
    assert counter <= last + 1  # at most the one command in flight
    if fsync == "always":
        assert counter >= last
    else:
        old = [v for v, t in acks if t <= killed_at - 2.0]
        assert old and counter >= old[-1], (counter, old[-1] if old else None, last)


def test_shutdown_and_sigterm_keep_everything(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    fill_everything(c)
    expected = state(c)
    shutdown(s, c)  # no SAVE argument and no save points: only the AOF has the data
    assert names_in(data) == ["appendonlydir"]

    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    assert_same_data(c, expected)
    c.set("extra", "before SIGTERM")
    c.lpush("list", "head")
    expected = state(c)
    s.expect_exit = True
    s.proc.send_signal(signal.SIGTERM)
    wait_until(lambda: s.proc.poll() is not None, message="the server to exit")
    assert s.proc.returncode == 0
    assert names_in(data) == ["appendonlydir"]

    assert_same_data(start_aof(server_factory, data, binary=binary).client(), expected)


def test_memory_only_mode_writes_no_aof(server_factory, data, binary):
    s = server_factory.start("--dir", str(data), "--save", "", "--appendonly", "no",
                             binary=binary)
    c = s.client()
    assert c.config_get("appendonly") == {"appendonly": "no"}
    c.config_set("appendfsync", "always")
    fill_everything(c)
    c.incr("n")
    assert persistence(c)["aof_enabled"] == 0
    shutdown(s, c)
    assert names_in(data) == []
