"""RDB snapshots: SAVE/BGSAVE/LASTSAVE, save points, restart without loss, memory-only mode,
SHUTDOWN SAVE/NOSAVE and SIGTERM, -LOADING while a dump loads, corrupt and truncated dumps,
MISCONF after a failed background save, DEBUG RELOAD, and interoperability with Debian's
redis-server and redis-check-rdb in both directions."""

import os
import shutil
import signal
import subprocess
import time

import pytest
import redis

from harness import REFERENCE_BIN, WAIT, wait_until
from test_dump import KEYS, contents, fill


def persistence(c):
    return c.info("persistence")


def start_with_dir(server_factory, directory, *args, binary=None, wait=True):
    return server_factory.start("--dir", str(directory), *args, binary=binary, wait=wait)


def snapshot_of(c):
    return {key: contents(c, key) for key in KEYS}


def test_save_and_restart_keeps_everything(server_factory, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    s = start_with_dir(server_factory, data)
    c = s.client()
    fill(c)
    c.set("ttl", "v", px=600000)
    c.set("short", "v", px=1)
    c.select(5)
    c.set("in-db-5", "x")
    c.select(0)
    before = snapshot_of(c)
    wait_until(lambda: c.exists("short") == 0, message="the short key to expire")
    assert c.save()
    assert (data / "dump.rdb").exists()
    assert persistence(c)["rdb_changes_since_last_save"] == 0
    s.stop()

    s2 = start_with_dir(server_factory, data)
    c2 = s2.client()
    assert snapshot_of(c2) == before
    assert 500000 < c2.pttl("ttl") <= 600000
    assert c2.exists("short") == 0
    c2.select(5)
    assert c2.get("in-db-5") == "x"
    info = persistence(c2)
    assert info["rdb_last_load_keys_loaded"] == len(KEYS) + 2
    assert "Done loading RDB, keys loaded" in (s2.workdir / "server.log").read_text()


def test_bgsave_and_lastsave(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path, "--rdb-key-save-delay", "2000")
    c = s.client()
    for i in range(200):
        c.set(f"k{i}", i)
    before = c.lastsave()
    assert c.bgsave() is True
    assert persistence(c)["rdb_bgsave_in_progress"] == 1
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        c.bgsave()
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        c.save()
    c.set("during", "the save")  # the server keeps serving while the child writes
    wait_until(lambda: persistence(c)["rdb_bgsave_in_progress"] == 0, message="BGSAVE to end")
    info = persistence(c)
    assert info["rdb_last_bgsave_status"] == "ok"
    assert info["rdb_changes_since_last_save"] == 1  # the write made during the save
    assert c.lastsave() >= before
    assert "Background saving terminated with success" in (s.workdir / "server.log").read_text()


def test_save_points_trigger_a_background_save(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path, "--save", "1 3")
    c = s.client()
    assert c.config_get("save") == {"save": "1 3"}
    c.mset({"a": 1, "b": 2, "c": 3})
    wait_until(lambda: (tmp_path / "dump.rdb").exists()
               and persistence(c)["rdb_changes_since_last_save"] == 0,
               message="the save point to fire")
    assert "3 changes in 1 seconds. Saving..." in (s.workdir / "server.log").read_text()


def test_memory_only_mode_touches_no_disk(server_factory, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    s = start_with_dir(server_factory, data, "--save", "")
    c = s.client()
    c.set("k", "v")
    s.expect_exit = True
    c.shutdown()  # no save points: nothing is written
    wait_until(lambda: s.proc.poll() is not None, message="the server to exit")
    assert sorted(p.name for p in data.iterdir()) == []


def test_shutdown_save_nosave_and_sigterm(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path, "--save", "")
    c = s.client()
    c.set("k", "saved on shutdown")
    s.expect_exit = True
    c.shutdown(save=True)
    wait_until(lambda: s.proc.poll() is not None, message="the server to exit")
    assert s.proc.returncode == 0

    s = start_with_dir(server_factory, tmp_path, "--save", "3600 1")
    c = s.client()
    assert c.get("k") == "saved on shutdown"
    c.set("k", "not saved")
    s.expect_exit = True
    c.shutdown(nosave=True)
    wait_until(lambda: s.proc.poll() is not None, message="the server to exit")

    s = start_with_dir(server_factory, tmp_path, "--save", "3600 1")
    c = s.client()
    assert c.get("k") == "saved on shutdown"
    c.set("k", "saved by SIGTERM")
    s.expect_exit = True
    s.proc.send_signal(signal.SIGTERM)  # save points are configured: SIGTERM saves
    wait_until(lambda: s.proc.poll() is not None, message="the server to exit")

    s = start_with_dir(server_factory, tmp_path)
    assert s.client().get("k") == "saved by SIGTERM"


def test_clients_get_loading_while_a_dump_loads(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path)
    c = s.client()
    pipe = c.pipeline(transaction=False)
    for i in range(2000):
        pipe.set(f"key:{i}", i)
    pipe.execute()
    c.save()
    s.stop()
    # 2000 keys at 1 ms each: about two seconds of loading.
    s = start_with_dir(server_factory, tmp_path, "--key-load-delay", "1000", wait=False)
    wait_until(lambda: s.proc.poll() is None and s._answers(), message="the port to open")
    c = s.client()
    with pytest.raises(redis.exceptions.BusyLoadingError):
        c.get("key:1")
    info = persistence(c)  # INFO works while loading
    assert info["loading"] == 1 and info["loading_total_bytes"] > 0
    wait_until(lambda: persistence(c)["loading"] == 0, message="loading to finish")
    assert c.get("key:1999") == "1999"
    assert c.dbsize() == 2000


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_corrupt_dump_stops_the_server_and_is_kept(server_factory, tmp_path, damage):
    s = start_with_dir(server_factory, tmp_path)
    c = s.client()
    fill(c)
    c.save()
    s.stop()
    dump = tmp_path / "dump.rdb"
    good = dump.read_bytes()
    bad = good[: len(good) // 2] if damage == "truncate" else (
        good[:200] + bytes([good[200] ^ 0x5A]) + good[201:])
    dump.write_bytes(bad)
    # The server listens while it loads (answering -LOADING), then exits on the bad data.
    s = start_with_dir(server_factory, tmp_path, wait=False)
    s.expect_exit = True
    wait_until(lambda: s.proc.poll() is not None, message="the server to exit")
    assert s.proc.returncode != 0
    output = s.output()
    assert "offset" in output, output
    assert dump.read_bytes() == bad  # never replaced by an empty dataset


def test_failed_bgsave_refuses_writes_until_a_save_succeeds(server_factory, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    s = start_with_dir(server_factory, work, "--save", "3600 1",
                       "--enable-protected-configs", "yes")
    c = s.client()
    c.set("k", "v")
    shutil.rmtree(work)  # the save has nowhere to go
    assert c.bgsave()
    wait_until(lambda: persistence(c)["rdb_bgsave_in_progress"] == 0, message="BGSAVE to end")
    assert persistence(c)["rdb_last_bgsave_status"] == "err"
    with pytest.raises(redis.ResponseError, match="^MISCONF"):
        c.set("k", "v2")
    assert c.get("k") == "v"  # reads still work
    work.mkdir()
    c.config_set("dir", str(work))  # the old working directory is gone for good
    assert c.save()
    assert c.set("k", "v3")


def test_debug_reload(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path)
    c = s.client()
    fill(c)
    before = snapshot_of(c)
    assert c.execute_command("DEBUG", "RELOAD") == "OK"
    assert snapshot_of(c) == before
    c.set("extra", "1")
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE") == "OK"
    assert c.exists("extra") == 0  # the dump did not have it
    with pytest.raises(redis.ResponseError, match="only supports the MERGE, NOFLUSH and NOSAVE"):
        c.execute_command("DEBUG", "RELOAD", "BOGUS")


def test_dumps_move_between_cachet_and_redis(server_factory, tmp_path):
    ours, theirs = tmp_path / "cachet", tmp_path / "redis"
    ours.mkdir()
    theirs.mkdir()
    s = start_with_dir(server_factory, ours)
    c = s.client()
    fill(c)
    c.set("ttl", "v", px=600000)
    expected = snapshot_of(c)
    c.save()
    check = subprocess.run(["redis-check-rdb", str(ours / "dump.rdb")], capture_output=True,
                           text=True, timeout=WAIT)
    assert check.returncode == 0 and "RDB looks OK" in check.stdout, check.stdout + check.stderr

    shutil.copy(ours / "dump.rdb", theirs / "dump.rdb")
    ref = start_with_dir(server_factory, theirs, binary=REFERENCE_BIN)
    rc = ref.client()
    assert snapshot_of(rc) == expected
    assert 500000 < rc.pttl("ttl") <= 600000
    # And back: redis-server writes its own encodings (listpack, quicklist, intset).
    rc.set("from-redis", "yes")
    rc.save()
    ref.stop()
    back = tmp_path / "back"
    back.mkdir()
    shutil.copy(theirs / "dump.rdb", back / "dump.rdb")
    s2 = start_with_dir(server_factory, back)
    c2 = s2.client()
    assert snapshot_of(c2) == expected
    assert c2.get("from-redis") == "yes"


def test_digest_survives_reload_and_populate(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path)
    c = s.client()
    assert c.execute_command("DEBUG", "DIGEST") == "0" * 40  # empty dataset
    assert c.execute_command("DEBUG", "POPULATE", 100, "pop", 20) == "OK"
    assert c.dbsize() == 100 and c.strlen("pop:7") == 20
    fill(c)
    digest = c.execute_command("DEBUG", "DIGEST")
    values = c.execute_command("DEBUG", "DIGEST-VALUE", "zset", "hash", "missing")
    assert values[2] == "0" * 40 and values[0] != values[1]
    c.execute_command("DEBUG", "RELOAD")
    assert c.execute_command("DEBUG", "DIGEST") == digest
    c.zadd("zset", {"a": 42})
    assert c.execute_command("DEBUG", "DIGEST") != digest


def test_flushall_stops_a_background_save(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path, "--rdb-key-save-delay", "100000")
    c = s.client()
    c.mset({f"k{i}": i for i in range(50)})
    c.bgsave()
    assert persistence(c)["rdb_bgsave_in_progress"] == 1
    c.flushall()
    assert persistence(c)["rdb_bgsave_in_progress"] == 0
    assert not any(p.name.startswith("temp-") for p in tmp_path.iterdir())


def test_kill_during_bgsave_keeps_the_previous_dump(server_factory, tmp_path):
    s = start_with_dir(server_factory, tmp_path)
    c = s.client()
    c.mset({f"old{i}": i for i in range(20)})
    c.save()
    good = (tmp_path / "dump.rdb").read_bytes()
    c.mset({f"new{i}": i for i in range(200)})
    c.config_set("rdb-key-save-delay", 20000)  # about 4 s of saving
    c.bgsave()
    wait_until(lambda: any(p.name.startswith("temp-") for p in tmp_path.iterdir()),
               message="the child to start writing")
    s.expect_exit = True
    s.proc.kill()  # kill -9 mid-save: the child goes too
    s.proc.wait()
    wait_until(lambda: subprocess.run(["pgrep", "-f", f"--dir {tmp_path}"],
                                      capture_output=True).returncode != 0,
               message="the save child to be gone")
    assert (tmp_path / "dump.rdb").read_bytes() == good
    c2 = start_with_dir(server_factory, tmp_path).client()
    assert c2.dbsize() == 20 and c2.get("old7") == "7"


def test_changes_are_counted_as_valkey_counts_them(r):
    def changes():
        return persistence(r)["rdb_changes_since_last_save"]

    before = changes()
    r.rpush("l", "a", "b", "c")
    assert changes() == before + 3  # per element
    r.sadd("s", "x", "y")
    r.hset("h", mapping={"f": 1, "g": 2})
    r.zadd("z", {"m": 1, "n": 2})
    assert changes() == before + 9
    r.lmove("l", "l2", "LEFT", "RIGHT")
    assert changes() == before + 10  # a list move counts once
    r.smove("s", "s2", "x")
    assert changes() == before + 12  # a set move: the removal, and the addition


@pytest.mark.parametrize("binary", [None, REFERENCE_BIN], ids=["cachet", "reference"])
def test_second_sigint_abandons_the_shutdown_save(server_factory, tmp_path, binary):
    s = start_with_dir(server_factory, tmp_path, "--save", "900 1", binary=binary)
    c = s.client()
    c.mset({f"k{i}": i for i in range(40)})
    c.config_set("rdb-key-save-delay", 100000)  # about 4 s of saving
    s.expect_exit = True
    s.proc.send_signal(signal.SIGINT)  # shutdown, saving first
    temp = tmp_path / f"temp-{s.proc.pid}.rdb"
    wait_until(temp.exists, message="the shutdown save to start")
    s.proc.send_signal(signal.SIGINT)  # "you insist": out now, without the half-made file
    s.proc.wait(timeout=WAIT)
    assert s.proc.returncode != 0
    assert not temp.exists() and not (tmp_path / "dump.rdb").exists()
