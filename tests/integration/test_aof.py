"""The append-only file (multi-part AOF, as Valkey 8 / Redis 7): the directives and their
defaults, the appendonlydir layout and manifest, writes recorded as RESP, restart replay,
BGREWRITEAOF and automatic rewrites, CONFIG SET appendonly, INFO fields, SHUTDOWN/SIGTERM,
memory-only mode, and AOF dirs exchanged with Debian's redis-server. Recording in replay-safe
form is test_aof_recording.py; damaged files and crashes are test_aof_loading.py.

Behavioural tests take the `binary` fixture and run against Cachet and against Debian's
redis-server 7.0 (ids "cachet" and "reference"), so `-k reference` checks the tests themselves.
"""

import os
import re
import time

import pytest
import redis

from harness import REFERENCE_BIN, wait_until
from test_dump import KEYS, fill
from aof_files import (
    DEFAULT_MANIFEST, REWRITTEN_MANIFEST, assert_same_data, bgrewriteaof_reply, fill_everything,
    incr_commands, manifest_entries, names_in, parse_aof, persistence, shutdown, start_aof, state,
    wait_rewrite_done)


# -- directives ----------------------------------------------------------------------------


def test_directive_defaults_and_immutables(server_factory, data, binary):
    c = server_factory.start("--dir", str(data), binary=binary).client()
    defaults = {
        "appendonly": "no", "appendfsync": "everysec", "appendfilename": "appendonly.aof",
        "appenddirname": "appendonlydir", "auto-aof-rewrite-percentage": "100",
        "auto-aof-rewrite-min-size": str(64 * 1024 * 1024), "aof-load-truncated": "yes",
        "aof-use-rdb-preamble": "yes", "aof-timestamp-enabled": "no",
    }
    for name, value in defaults.items():
        assert c.config_get(name) == {name: value}, name
    for name in ("appendfilename", "appenddirname"):
        with pytest.raises(redis.ResponseError, match="can't set immutable config"):
            c.config_set(name, "other")
    for mode in ("always", "no", "everysec"):
        assert c.config_set("appendfsync", mode)
        assert c.config_get("appendfsync") == {"appendfsync": mode}
    with pytest.raises(redis.ResponseError):
        c.config_set("appendfsync", "sometimes")
    assert c.config_set("auto-aof-rewrite-min-size", "1mb")
    assert c.config_get("auto-aof-rewrite-min-size") == {"auto-aof-rewrite-min-size": "1048576"}
    assert c.config_set("auto-aof-rewrite-percentage", 50)
    assert c.config_get("auto-aof-rewrite-percentage") == {"auto-aof-rewrite-percentage": "50"}
    for name in ("aof-load-truncated", "aof-use-rdb-preamble", "aof-timestamp-enabled"):
        assert c.config_set(name, "no" if defaults[name] == "yes" else "yes")
    assert names_in(data) == []  # appendonly no: nothing on disk


# -- layout, recording, replay -------------------------------------------------------------


def test_startup_creates_the_multi_part_layout(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    aofdir = data / "appendonlydir"
    assert names_in(aofdir) == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                                "appendonly.aof.manifest"]
    assert (aofdir / "appendonly.aof.manifest").read_text() == DEFAULT_MANIFEST
    assert (aofdir / "appendonly.aof.1.base.rdb").read_bytes().startswith(b"REDIS")
    assert (aofdir / "appendonly.aof.1.incr.aof").read_bytes() == b""
    c = s.client()
    assert c.config_get("appendonly") == {"appendonly": "yes"}
    assert persistence(c)["aof_enabled"] == 1


def test_custom_file_and_dir_names(server_factory, data, binary):
    args = ("--appendfilename", "foo.aof", "--appenddirname", "mydir")
    s = start_aof(server_factory, data, *args, binary=binary)
    aofdir = data / "mydir"
    assert names_in(data) == ["mydir"]
    assert names_in(aofdir) == ["foo.aof.1.base.rdb", "foo.aof.1.incr.aof", "foo.aof.manifest"]
    assert (aofdir / "foo.aof.manifest").read_text() == (
        "file foo.aof.1.base.rdb seq 1 type b\nfile foo.aof.1.incr.aof seq 1 type i\n")
    c = s.client()
    c.set("k", "v")
    wait_until(lambda: ["SET", "k", "v"] in incr_commands(aofdir, "foo.aof"),
               message="the SET in foo.aof.1.incr.aof")
    s.stop()
    assert start_aof(server_factory, data, *args, binary=binary).client().get("k") == "v"


def test_writes_are_appended_as_resp_with_select(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    c.set("a", "1")
    c.select(3)
    c.set("b", "22")
    c.select(0)
    c.set("c", "3")
    expected = [["SELECT", "0"], ["SET", "a", "1"], ["SELECT", "3"], ["SET", "b", "22"],
                ["SELECT", "0"], ["SET", "c", "3"]]
    aofdir = data / "appendonlydir"
    wait_until(lambda: incr_commands(aofdir) == expected, message="the writes in the incr file")
    raw = (aofdir / "appendonly.aof.1.incr.aof").read_bytes()
    assert raw.startswith(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\n")
    assert raw.endswith(b"\r\n$1\r\nc\r\n$1\r\n3\r\n")


def test_debug_loadaof_replays_and_records_nothing(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    c.set("gone", "x")
    c.flushall()  # replaying it must not make DEBUG LOADAOF a recorded write
    c.rpush("list", "a", "b")
    c.set("ttl", "v", ex=1000)
    expected = {"list": c.lrange("list", 0, -1), "ttl": c.get("ttl")}
    aofdir = data / "appendonlydir"
    wait_until(lambda: incr_commands(aofdir)[-1][0] == "SET", message="the writes")
    before = incr_commands(aofdir)
    assert c.execute_command("DEBUG", "LOADAOF") == "OK"
    assert {"list": c.lrange("list", 0, -1), "ttl": c.get("ttl")} == expected
    assert c.exists("gone") == 0 and 0 < c.ttl("ttl") <= 1000
    c.set("after", "1")  # a marker: everything before it has been written
    wait_until(lambda: incr_commands(aofdir)[-1] == ["SET", "after", "1"], message="the marker")
    assert incr_commands(aofdir) == before + [["SET", "after", "1"]]


def test_restart_replays_every_db_and_ttl(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    fill_everything(c)
    c.set("extra", "gone", px=1)  # expired long before the restart
    expected = state(c)
    expected["extra"] = "none"
    s.stop()
    assert names_in(data) == ["appendonlydir"]  # no dump.rdb: it all comes from the AOF
    c2 = start_aof(server_factory, data, binary=binary).client()
    assert_same_data(c2, expected)


# -- rewrites ------------------------------------------------------------------------------


def test_bgrewriteaof_moves_to_seq_2(server_factory, data, binary):
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    fill_everything(c)
    assert bgrewriteaof_reply(s) == "Background append only file rewriting started"
    wait_rewrite_done(c)
    aofdir = data / "appendonlydir"
    assert (aofdir / "appendonly.aof.manifest").read_text() == REWRITTEN_MANIFEST
    wait_until(lambda: names_in(aofdir) == ["appendonly.aof.2.base.rdb",
                                            "appendonly.aof.2.incr.aof",
                                            "appendonly.aof.manifest"],
               message="the seq-1 files to be removed")
    assert (aofdir / "appendonly.aof.2.base.rdb").read_bytes().startswith(b"REDIS")
    info = persistence(c)
    assert info["aof_rewrites"] == 1 and info["aof_last_bgrewrite_status"] == "ok"
    c.set("extra", "after the rewrite")
    c.rpush("list", "appended")
    expected = state(c)
    wait_until(lambda: ["SET", "extra", "after the rewrite"] in incr_commands(aofdir),
               message="the write in appendonly.aof.2.incr.aof")
    s.stop()
    c2 = start_aof(server_factory, data, binary=binary).client()
    assert_same_data(c2, expected)


def slow_rewrite_setup(server_factory, data, binary, keys=300):
    """A server with `keys` keys whose next rewrite takes about keys * 10 ms."""
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    c.mset({f"k{i}": i for i in range(keys)})
    c.config_set("rdb-key-save-delay", 10000)  # microseconds per key
    return s, c


def write_during_rewrite(c):
    c.set("during", "the rewrite")
    c.incr("k1")
    c.delete("k2")
    c.rpush("list", "x", "y")
    c.select(4)
    c.set("db4", "during")
    c.select(0)


def assert_writes_during_rewrite_kept(c, keys=300):
    assert c.dbsize() == keys + 1  # k2 deleted; "during" and "list" added
    assert c.get("during") == "the rewrite"
    assert c.get("k1") == "2" and c.exists("k2") == 0 and c.get(f"k{keys - 1}") == str(keys - 1)
    assert c.lrange("list", 0, -1) == ["x", "y"]
    c.select(4)
    assert c.get("db4") == "during"
    c.select(0)


def test_writes_during_a_rewrite_are_kept(server_factory, data, binary):
    s, c = slow_rewrite_setup(server_factory, data, binary)
    assert bgrewriteaof_reply(s) == "Background append only file rewriting started"
    assert persistence(c)["aof_rewrite_in_progress"] == 1
    with pytest.raises(redis.ResponseError,
                       match="^Background append only file rewriting already in progress$"):
        c.execute_command("BGREWRITEAOF")
    write_during_rewrite(c)
    assert persistence(c)["aof_rewrite_in_progress"] == 1  # the writes really were during it
    wait_rewrite_done(c)
    assert persistence(c)["aof_last_bgrewrite_status"] == "ok"
    assert (data / "appendonlydir/appendonly.aof.manifest").read_text() == REWRITTEN_MANIFEST
    c.config_set("rdb-key-save-delay", 0)
    s.stop()
    assert_writes_during_rewrite_kept(start_aof(server_factory, data, binary=binary).client())


def test_sigterm_during_a_rewrite_keeps_everything(server_factory, data, binary):
    s, c = slow_rewrite_setup(server_factory, data, binary)
    assert bgrewriteaof_reply(s) == "Background append only file rewriting started"
    write_during_rewrite(c)
    assert persistence(c)["aof_rewrite_in_progress"] == 1
    s.stop()  # SIGTERM: the rewrite is abandoned, the manifest still names every write
    wait_until(lambda: not [p for d in (data, data / "appendonlydir") for p in d.iterdir()
                            if p.name.startswith("temp-")],
               message="the rewrite's temporary files to be removed")
    assert_writes_during_rewrite_kept(start_aof(server_factory, data, binary=binary).client())


def test_bgrewriteaof_during_bgsave_is_scheduled(server_factory, data, binary):
    s, c = slow_rewrite_setup(server_factory, data, binary, keys=100)
    assert c.bgsave()
    assert bgrewriteaof_reply(s) == "Background append only file rewriting scheduled"
    info = persistence(c)
    assert info["aof_rewrite_scheduled"] == 1 and info["aof_rewrite_in_progress"] == 0
    c.config_set("rdb-key-save-delay", 0)
    wait_until(lambda: persistence(c)["aof_rewrites"] == 1, message="the scheduled rewrite")
    wait_rewrite_done(c)
    wait_until(lambda: persistence(c)["rdb_bgsave_in_progress"] == 0, message="BGSAVE to end")
    assert (data / "appendonlydir/appendonly.aof.manifest").read_text() == REWRITTEN_MANIFEST


def test_automatic_rewrite(server_factory, data, binary):
    s = start_aof(server_factory, data, "--auto-aof-rewrite-min-size", "100kb",
                  "--auto-aof-rewrite-percentage", "100", binary=binary)
    c = s.client()
    assert c.config_get("auto-aof-rewrite-min-size") == {"auto-aof-rewrite-min-size": "102400"}
    values = {f"big{i}": os.urandom(4000).hex() for i in range(40)}  # 320 KB, incompressible
    pipe = c.pipeline(transaction=False)
    for key, value in values.items():
        pipe.set(key, value)
    pipe.execute()
    wait_until(lambda: persistence(c)["aof_rewrites"] >= 1, message="an automatic rewrite")
    wait_rewrite_done(c)
    entries = manifest_entries(data / "appendonlydir")
    assert [kind for _, _, kind in entries] == ["b", "i"] and entries[0][1] >= 2
    assert persistence(c)["aof_base_size"] > 250000
    c.set("after", "auto")
    s.stop()
    c2 = start_aof(server_factory, data, binary=binary).client()
    assert c2.dbsize() == 41 and c2.get("after") == "auto"
    assert c2.mget(list(values)) == list(values.values())


def test_shutdown_waits_for_the_first_aof_base(server_factory, data, binary):
    # 20 keys at 50 ms each: the first base takes about a second to write.
    s = server_factory.start("--dir", str(data), "--rdb-key-save-delay", "50000", binary=binary)
    c = s.client()
    c.mset({f"k{i}": str(i) for i in range(20)})
    assert c.config_set("appendonly", "yes")
    assert persistence(c)["aof_rewrite_in_progress"] == 1
    # Exiting now would leave an AOF without the data: refused, as Valkey refuses it.
    with pytest.raises(redis.ResponseError, match="Errors trying to SHUTDOWN"):
        c.execute_command("SHUTDOWN")
    assert c.ping()
    wait_rewrite_done(c)
    shutdown(s, c)
    c2 = start_aof(server_factory, data, binary=binary).client()
    assert c2.dbsize() == 20


def test_config_set_appendonly(server_factory, data, binary):
    s = server_factory.start("--dir", str(data), binary=binary)
    c = s.client()
    fill_everything(c)
    assert persistence(c)["aof_enabled"] == 0
    assert c.config_set("appendonly", "yes")
    wait_rewrite_done(c)
    aofdir = data / "appendonlydir"
    wait_until(lambda: (aofdir / "appendonly.aof.manifest").exists(), message="the manifest")
    assert (aofdir / "appendonly.aof.manifest").read_text() == DEFAULT_MANIFEST
    assert (aofdir / "appendonly.aof.1.base.rdb").read_bytes().startswith(b"REDIS")
    info = persistence(c)
    assert info["aof_enabled"] == 1 and info["aof_last_bgrewrite_status"] == "ok"
    c.set("extra", "appended")
    expected = state(c)
    wait_until(lambda: ["SET", "extra", "appended"] in incr_commands(aofdir),
               message="the write in the incr file")

    assert c.config_set("appendonly", "no")
    assert persistence(c)["aof_enabled"] == 0
    files = {p.name: p.read_bytes() for p in aofdir.iterdir()}
    c.set("not-appended", "x")
    c.rpush("list", "not appended")
    assert c.ping()
    assert {p.name: p.read_bytes() for p in aofdir.iterdir()} == files
    s.stop()
    c2 = start_aof(server_factory, data, binary=binary).client()
    assert_same_data(c2, expected)
    assert c2.exists("not-appended") == 0


def test_info_persistence_fields(server_factory, data, binary):
    c = server_factory.start("--dir", str(data), binary=binary).client()
    info = persistence(c)
    assert info["aof_enabled"] == 0
    for field in ("aof_rewrite_in_progress", "aof_rewrite_scheduled", "aof_rewrites"):
        assert info[field] == 0, field
    assert info["aof_last_bgrewrite_status"] == "ok" and info["aof_last_write_status"] == "ok"
    for field in ("aof_current_size", "aof_base_size", "aof_buffer_length"):
        assert field not in info, field

    on = data / "on"
    on.mkdir()
    c2 = start_aof(server_factory, on, binary=binary).client()
    info = persistence(c2)
    assert info["aof_enabled"] == 1 and info["aof_last_write_status"] == "ok"
    for field in ("aof_current_size", "aof_base_size", "aof_buffer_length"):
        assert isinstance(info[field], int) and info[field] >= 0, field
    size = info["aof_current_size"]
    c2.set("k", "v" * 1000)
    wait_until(lambda: persistence(c2)["aof_current_size"] >= size + 1000,
               message="aof_current_size to grow")
    c2.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c2)
    info = persistence(c2)
    assert info["aof_rewrites"] == 1 and info["aof_base_size"] > 0


def test_rdb_preamble_off_writes_a_resp_base(server_factory, data, binary):
    s = start_aof(server_factory, data, "--aof-use-rdb-preamble", "no", binary=binary)
    aofdir = data / "appendonlydir"
    assert manifest_entries(aofdir) == [("appendonly.aof.1.base.aof", 1, "b"),
                                        ("appendonly.aof.1.incr.aof", 1, "i")]
    c = s.client()
    fill_everything(c)
    expected = state(c)
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    assert manifest_entries(aofdir) == [("appendonly.aof.2.base.aof", 2, "b"),
                                        ("appendonly.aof.2.incr.aof", 2, "i")]
    base = (aofdir / "appendonly.aof.2.base.aof").read_bytes()
    assert base.startswith(b"*")
    assert len(parse_aof(base)) > len(KEYS)
    s.stop()
    assert_same_data(start_aof(server_factory, data, binary=binary).client(), expected)


def test_timestamp_annotations(server_factory, data, binary):
    s = start_aof(server_factory, data, "--aof-timestamp-enabled", "yes", binary=binary)
    c = s.client()
    c.set("a", "1")
    c.set("b", "2")
    aofdir = data / "appendonlydir"
    wait_until(lambda: ["SET", "b", "2"] in incr_commands(aofdir), message="the writes")
    raw = (aofdir / "appendonly.aof.1.incr.aof").read_bytes()
    stamps = [int(t) for t in re.findall(rb"^#TS:(\d+)\r\n", raw, re.M)]
    assert stamps and all(abs(t - time.time()) < 60 for t in stamps), raw[:200]
    s.stop()
    c2 = start_aof(server_factory, data, binary=binary).client()
    assert c2.mget("a", "b") == ["1", "2"]


# -- interoperability ----------------------------------------------------------------------


def write_aof_dir(server_factory, directory, binary):
    """An AOF dir with data in both the base (rewritten) and the incr file; returns the data."""
    s = start_aof(server_factory, directory, binary=binary)
    c = s.client()
    fill(c)
    c.execute_command("BGREWRITEAOF")
    wait_rewrite_done(c)
    c.set("ttl", "v", px=600000)
    c.select(5)
    c.set("in-db-5", "x")
    c.select(0)
    c.rpush("list", "after-rewrite")
    c.hset("hash", "f3", "v3")
    c.srem("set", "a")
    c.zincrby("zset", 10, "a")
    c.set("extra", "1.5")
    c.incrbyfloat("extra", 1)
    expected = state(c)
    shutdown(s, c)
    return expected


@pytest.mark.parametrize("direction", ["to-redis", "from-redis"])
def test_aof_dirs_move_to_and_from_redis(server_factory, data, binary, direction):
    writer, reader = (binary, REFERENCE_BIN) if direction == "to-redis" else (REFERENCE_BIN,
                                                                               binary)
    expected = write_aof_dir(server_factory, data, writer)
    c = start_aof(server_factory, data, binary=reader).client()
    assert_same_data(c, expected)
    assert c.get("extra") == "2.5"
