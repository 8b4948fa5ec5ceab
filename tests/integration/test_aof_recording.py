"""AOF: writes recorded in a replay-safe form (absolute expiry times, SPOP as SREM, blocking
pops as plain pops, INCRBYFLOAT as SET ...), transactions between MULTI and EXEC, and the
recorded forms replaying to the same data; each compared with Debian's redis-server 7.0.
"""

import time
import uuid

import pytest

from harness import wait_until
from aof_files import BINARIES, BINARY_IDS, incr_commands, start_aof


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
