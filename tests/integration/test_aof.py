"""The append-only file (multi-part AOF, as Valkey 8 / Redis 7): the directives and their
defaults, the appendonlydir layout and manifest, writes recorded as RESP in a replay-safe form,
restart replay, BGREWRITEAOF and automatic rewrites, CONFIG SET appendonly, INFO fields,
truncated and corrupt files, redis-check-aof, kill -9 with appendfsync always/everysec,
SHUTDOWN/SIGTERM, memory-only mode, and AOF dirs exchanged with Debian's redis-server.

Behavioural tests take the `binary` fixture and run against Cachet and against Debian's
redis-server 7.0 (ids "cachet" and "reference"), so `-k reference` checks the tests themselves.
"""

import os
import re
import signal
import subprocess
import threading
import time
import uuid

import pytest
import redis

from harness import REFERENCE_BIN, WAIT, wait_until
from resp import RawConn
from test_dump import KEYS, contents, fill

BINARIES = [None, REFERENCE_BIN]
BINARY_IDS = ["cachet", "reference"]

DEFAULT_MANIFEST = ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                    "file appendonly.aof.1.incr.aof seq 1 type i\n")
REWRITTEN_MANIFEST = ("file appendonly.aof.2.base.rdb seq 2 type b\n"
                      "file appendonly.aof.2.incr.aof seq 2 type i\n")


@pytest.fixture
def data(tmp_path):
    """An empty --dir (tmp_path also holds the servers' work dirs)."""
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


@pytest.fixture(params=BINARIES, ids=BINARY_IDS)
def binary(request):
    """The server under test: Cachet, or redis-server to check the test itself."""
    return request.param


# -- helpers -----------------------------------------------------------------------------


def persistence(c):
    return c.info("persistence")


def start_aof(server_factory, directory, *args, binary=None, wait=True):
    """A server on `directory` with appendonly yes (later args win); with wait, once it has
    loaded its data (it answers, with -LOADING, while it loads)."""
    s = server_factory.start("--dir", str(directory), "--appendonly", "yes", *args,
                             binary=binary, wait=wait)
    if wait:
        c = s.client()
        wait_until(lambda: persistence(c)["loading"] == 0, message="the AOF to load")
        c.close()
    return s


def shutdown(server, c):
    """SHUTDOWN (no argument) and wait for a clean exit."""
    server.expect_exit = True
    c.shutdown()
    wait_until(lambda: server.proc.poll() is not None, message="the server to exit")
    assert server.proc.returncode == 0, server.output()


def kill9(server):
    server.expect_exit = True
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait()


def serves(port):
    """True when the port answers PING with PONG (not -LOADING, not refused)."""
    try:
        with RawConn(port, timeout=2) as conn:
            return conn.call("PING") == "PONG"
    except OSError:
        return False


def start_expecting_exit(server_factory, directory, *args, binary=None):
    """Start a server with appendonly yes that must refuse to load; return (code, output).

    Unlike run_expect_exit, the port may open (a server listens while it loads); only a server
    that answers PING with PONG has wrongly started.
    """
    s = start_aof(server_factory, directory, *args, binary=binary, wait=False)
    s.expect_exit = True

    def exited():
        if s.proc.poll() is not None:
            return True
        if s.port and serves(s.port):
            pytest.fail("server started instead of exiting with an error\n" + s.output())
        return False

    wait_until(exited, message="the server to exit")
    return s.proc.returncode, s.output()


def wait_rewrite_done(c):
    wait_until(lambda: (lambda i: i["aof_rewrite_in_progress"] == 0
                        and i["aof_rewrite_scheduled"] == 0)(persistence(c)),
               message="the AOF rewrite to finish")


def bgrewriteaof_reply(server):
    """The exact BGREWRITEAOF reply (redis-py turns it into True)."""
    with server.raw() as conn:
        return conn.call("BGREWRITEAOF")


def names_in(directory):
    return sorted(p.name for p in directory.iterdir())


def manifest_entries(aofdir, filename="appendonly.aof"):
    """[(file, seq, type)] from the manifest, in order."""
    entries = []
    for line in (aofdir / f"{filename}.manifest").read_text().splitlines():
        if not line.strip():
            continue
        fields = line.split()
        attrs = dict(zip(fields[::2], fields[1::2]))
        entries.append((attrs["file"], int(attrs["seq"]), attrs["type"]))
    return entries


class BadAof(Exception):
    pass


def parse_aof(data, partial=False):
    """[(command as a list of bytes, end offset)] of a RESP AOF, skipping #TS annotations.

    A truncated last command is an error unless partial (then it is left out).
    """
    commands, pos = [], 0

    def line_at(p):
        end = data.find(b"\r\n", p)
        if end < 0:
            raise EOFError
        return data[p:end], end + 2

    while pos < len(data):
        try:
            if data[pos:pos + 1] == b"#":
                _, pos = line_at(pos)
                continue
            if data[pos:pos + 1] != b"*":
                raise BadAof(f"expected '*' at offset {pos}: {data[pos:pos + 40]!r}")
            header, p = line_at(pos + 1)
            args = []
            for _ in range(int(header)):
                if data[p:p + 1] != b"$":
                    if p >= len(data):
                        raise EOFError
                    raise BadAof(f"expected '$' at offset {p}")
                length, p = line_at(p + 1)
                n = int(length)
                if len(data) < p + n + 2:
                    raise EOFError
                if data[p + n:p + n + 2] != b"\r\n":
                    raise BadAof(f"bulk not ended by CRLF at offset {p + n}")
                args.append(data[p:p + n])
                p += n + 2
        except EOFError:
            if partial:
                break
            raise BadAof(f"truncated command at offset {pos}")
        commands.append((args, p))
        pos = p
    return commands


def incr_commands(aofdir, filename="appendonly.aof"):
    """Every command of the incr files the manifest names, in order, as str lists with the
    command name upper-cased (servers record the name as the client spelled it)."""
    out = []
    for name, _, kind in manifest_entries(aofdir, filename):
        if kind == "i":
            for args, _ in parse_aof((aofdir / name).read_bytes()):
                words = [a.decode(errors="replace") for a in args]
                out.append([words[0].upper()] + words[1:])
    return out


def state(c):
    """Contents of every test_dump key, a TTL key and a key in db 5."""
    snap = {key: contents(c, key) for key in KEYS + ["ttl", "extra"]}
    c.select(5)
    snap["db5"] = c.get("in-db-5")
    c.select(0)
    return snap


def fill_everything(c):
    """fill() plus a TTL key and a key in another db."""
    fill(c)
    c.set("ttl", "v", px=600000)
    c.select(5)
    c.set("in-db-5", "x")
    c.select(0)


def assert_same_data(c, expected):
    assert state(c) == expected
    assert 500000 < c.pttl("ttl") <= 600000


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


# -- replay-safe recording: one shared server per binary ------------------------------------


@pytest.fixture(scope="module", params=BINARIES, ids=BINARY_IDS)
def recording_server(request, module_server_factory):
    directory = module_server_factory.tmpdir / f"recording-{BINARY_IDS[request.param_index]}"
    directory.mkdir()
    server = module_server_factory.start("--dir", str(directory), "--appendonly", "yes",
                                         binary=request.param)
    return server, directory / "appendonlydir"


class Recorder:
    """What a client action adds to the AOF: actions are bracketed by marker SETs, and the
    commands between two markers are what the action wrote."""

    def __init__(self, c, aofdir):
        self.c, self.aofdir = c, aofdir
        self.last = None
        self.mark()

    def _marker(self, token):
        return ["SET", "aof:marker", token]

    def mark(self):
        token = uuid.uuid4().hex
        self.c.set("aof:marker", token)
        wait_until(lambda: self._marker(token) in incr_commands(self.aofdir),
                   message="the marker in the incr file")
        self.last = token

    def record(self, action):
        """(commands written by action(), ms before it, ms after it)."""
        previous = self.last
        before = time.time() * 1000
        action()
        after = time.time() * 1000
        self.mark()
        commands = incr_commands(self.aofdir)
        start = commands.index(self._marker(previous))
        end = commands.index(self._marker(self.last))
        return commands[start + 1:end], before, after


@pytest.fixture
def recorder(recording_server):
    server, aofdir = recording_server
    c = server.client()
    c.flushall()
    yield Recorder(c, aofdir)
    c.close()


class In:
    """An absolute unix time in ms, `ms` after the command ran."""

    def __init__(self, ms):
        self.ms = ms

    def __repr__(self):
        return f"<now + {self.ms} ms>"


class OneOf:
    def __init__(self, *words):
        self.words = words

    def __repr__(self):
        return "|".join(self.words)


def matches(expected, actual, before, after, slack=1000):
    if isinstance(expected, In):
        return (actual.isdigit()
                and before + expected.ms - slack <= int(actual) <= after + expected.ms + slack)
    if isinstance(expected, OneOf):
        return actual.upper() in expected.words
    if expected.isalpha() and expected.isupper():  # a command name or keyword (PXAT, KEEPTTL)
        return actual.upper() == expected
    return actual == expected


def assert_recorded(expected, recorded):
    commands, before, after = recorded
    ok = len(commands) == len(expected) and all(
        len(cmd) == len(exp) and all(matches(e, a, before, after) for e, a in zip(exp, cmd))
        for exp, cmd in zip(expected, commands))
    assert ok, f"recorded {commands}, expected {expected}"


AT_SECONDS = int(time.time()) + 100000  # an absolute EXPIREAT time

RECORDING_CASES = {
    "set-ex": ([], ("SET", "k", "v", "EX", 100), [["SET", "k", "v", "PXAT", In(100000)]]),
    "set-px": ([], ("SET", "k", "v", "PX", 100000), [["SET", "k", "v", "PXAT", In(100000)]]),
    "setex": ([], ("SETEX", "k", 100, "v"), [["SET", "k", "v", "PXAT", In(100000)]]),
    "psetex": ([], ("PSETEX", "k", 100000, "v"), [["SET", "k", "v", "PXAT", In(100000)]]),
    "expire": ([("SET", "k", "v")], ("EXPIRE", "k", 100), [["PEXPIREAT", "k", In(100000)]]),
    "pexpire": ([("SET", "k", "v")], ("PEXPIRE", "k", 100000),
                [["PEXPIREAT", "k", In(100000)]]),
    "expireat": ([("SET", "k", "v")], ("EXPIREAT", "k", AT_SECONDS),
                 [["PEXPIREAT", "k", str(AT_SECONDS * 1000)]]),
    "getex-ex": ([("SET", "k", "v")], ("GETEX", "k", "EX", 100),
                 [["PEXPIREAT", "k", In(100000)]]),
    "getex-persist": ([("SET", "k", "v", "EX", 100)], ("GETEX", "k", "PERSIST"),
                      [["PERSIST", "k"]]),
    "incrbyfloat": ([("SET", "f", "1")], ("INCRBYFLOAT", "f", "1.5"),
                    [["SET", "f", "2.5", "KEEPTTL"]]),
    "hincrbyfloat": ([("HSET", "h", "f", "1")], ("HINCRBYFLOAT", "h", "f", "1.5"),
                     [["HSET", "h", "f", "2.5"]]),
    "spop": ([("SADD", "s", "x")], ("SPOP", "s"), [["SREM", "s", "x"]]),
    "blpop": ([("RPUSH", "l", "a", "b")], ("BLPOP", "l", 0), [["LPOP", "l"]]),
    "expireat-past": ([("SET", "k", "v")], ("EXPIREAT", "k", 1), [[OneOf("DEL", "UNLINK"), "k"]]),
    "expire-negative": ([("SET", "k", "v")], ("EXPIRE", "k", -5),
                        [[OneOf("DEL", "UNLINK"), "k"]]),
    "del-missing": ([], ("DEL", "missing"), []),
    "set-nx-existing": ([("SET", "k", "v")], ("SET", "k", "w", "NX"), []),
    "expire-missing": ([], ("EXPIRE", "missing", 100), []),
}


@pytest.mark.parametrize("case", list(RECORDING_CASES))
def test_commands_are_recorded_replay_safe(recorder, case):
    setup, command, expected = RECORDING_CASES[case]
    for cmd in setup:
        recorder.c.execute_command(*cmd)
    recorder.mark()
    assert_recorded(expected, recorder.record(lambda: recorder.c.execute_command(*command)))


def test_transactions_are_recorded_between_multi_and_exec(recorder):
    def transaction():
        pipe = recorder.c.pipeline(transaction=True)
        pipe.set("m1", "1")
        pipe.get("m1")
        pipe.execute_command("INCR", "m2")
        assert pipe.execute() == [True, "1", 1]

    assert_recorded([["MULTI"], ["SET", "m1", "1"], ["INCR", "m2"], ["EXEC"]],
                    recorder.record(transaction))

    def read_only_transaction():
        pipe = recorder.c.pipeline(transaction=True)
        pipe.get("m1")
        pipe.exists("m2")
        assert pipe.execute() == ["1", 1]

    assert_recorded([], recorder.record(read_only_transaction))


def test_recorded_forms_replay_to_the_same_data(server_factory, data, binary):
    """The rewritten forms (PXAT, PEXPIREAT, SET KEEPTTL, SREM, LPOP, DEL) replay correctly."""
    s = start_aof(server_factory, data, binary=binary)
    c = s.client()
    c.set("ex", "v", ex=100)
    c.setex("setex", 200, "v")
    c.set("expire", "v")
    c.expire("expire", 300)
    c.set("past", "v")
    c.expireat("past", 1)
    c.set("f", "1", ex=400)
    c.incrbyfloat("f", 1.5)
    c.hincrbyfloat("h", "f", 2.25)
    c.sadd("s", "only")
    c.spop("s")
    c.rpush("l", "a", "b")
    c.blpop("l", 0)
    c.set("persisted", "v", ex=100)
    c.getex("persisted", persist=True)
    s.stop()
    c2 = start_aof(server_factory, data, binary=binary).client()
    for key, low, high in (("ex", 90, 100), ("setex", 190, 200), ("expire", 290, 300),
                           ("f", 390, 400)):
        assert low < c2.ttl(key) <= high, key
    assert c2.get("f") == "2.5"
    assert c2.hget("h", "f") == "2.25"
    assert c2.exists("past", "s") == 0
    assert c2.lrange("l", 0, -1) == ["b"]
    assert c2.get("persisted") == "v" and c2.ttl("persisted") == -1


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
