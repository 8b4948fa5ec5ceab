"""Shared by the AOF tests (test_aof*.py): starting servers with appendonly yes, and reading
what they wrote (the manifest, the incr files' commands). Their `data` and `binary` fixtures
are in conftest.py."""

import os
import signal

import pytest

from harness import REFERENCE_BIN, wait_until
from resp import RawConn
from test_dump import KEYS, contents, fill

BINARIES = [None, REFERENCE_BIN]
BINARY_IDS = ["cachet", "reference"]

DEFAULT_MANIFEST = ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                    "file appendonly.aof.1.incr.aof seq 1 type i\n")
REWRITTEN_MANIFEST = ("file appendonly.aof.2.base.rdb seq 2 type b\n"
                      "file appendonly.aof.2.incr.aof seq 2 type i\n")



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
