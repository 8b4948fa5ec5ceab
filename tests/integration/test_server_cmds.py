"""Server commands: COMMAND, INFO, CONFIG, DBSIZE, FLUSH*, TIME, DEBUG, MEMORY, SHUTDOWN."""

import re
import time

import pytest
import redis

from harness import wait_until


def info_text(server, *sections):
    """Raw INFO text (redis-py's INFO parser would hide the exact lines)."""
    with server.raw() as c:
        return c.call("INFO", *sections).decode()


def info_fields(text):
    return dict(line.split(":", 1) for line in text.splitlines()
                if line and not line.startswith("#"))


# -- COMMAND -----------------------------------------------------------------

# raw connections here: redis-py parses every COMMAND reply as COMMAND INFO

def test_command_count_and_list(server):
    with server.raw() as c:
        count = c.call("COMMAND", "COUNT")
        names = [n.decode() for n in c.call("COMMAND", "LIST")]
        assert count > 0
        top_level = [n for n in names if "|" not in n]  # LIST also names subcommands
        assert len(top_level) == count
        for name in ("get", "set", "ping", "config", "client", "scan"):
            assert name in names
        assert c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "getd*") == [b"getdel"]


def test_command_info(server):
    with server.raw() as c:
        [get] = c.call("COMMAND", "INFO", "get")
        name, arity, flags, first, last, step = get[:6]
        assert (name, arity, first, last, step) == (b"get", 2, 1, 1, 1)
        assert "readonly" in flags
        [setcmd] = c.call("COMMAND", "INFO", "SET")
        assert setcmd[1] == -3 and "write" in setcmd[2]
        assert c.call("COMMAND", "INFO", "no-such-command") == [None]


def test_command_docs(server):
    with server.raw() as c:
        docs = c.call("COMMAND", "DOCS", "get")
        assert docs[0] == b"get"
        fields = dict(zip(docs[1][::2], docs[1][1::2]))
        assert fields[b"summary"]
        assert fields[b"group"] == b"string"
        assert c.call("COMMAND", "DOCS", "no-such-command") == []


def test_command_getkeys(server):
    with server.raw() as c:
        assert c.call("COMMAND", "GETKEYS", "SET", "a", "b") == [b"a"]
        assert c.call("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2") == [b"a", b"b"]
        assert c.call("COMMAND", "GETKEYS", "GET").startswith("ERR")  # bad arity


# -- INFO --------------------------------------------------------------------

def test_info_default_sections(server, r):
    text = info_text(server)
    for section in ("Server", "Clients", "Memory", "Stats", "Replication", "CPU", "Keyspace"):
        assert f"# {section}\r\n" in text
    fields = info_fields(text)
    assert re.fullmatch(r"\d+\.\d+\.\d+", fields["redis_version"])
    assert fields["tcp_port"] == str(server.port)
    assert int(fields["connected_clients"]) >= 1
    assert int(fields["used_memory"]) > 0
    assert int(fields["total_commands_processed"]) > 0
    assert "expired_keys" in fields
    assert fields["role"] == "master"
    assert "used_cpu_sys" in fields and "used_cpu_user" in fields
    assert int(fields["process_id"]) == server.proc.pid


def test_info_single_and_multiple_sections(server):
    text = info_text(server, "server")
    assert text.startswith("# Server") and "# Clients" not in text
    text = info_text(server, "clients", "memory")
    assert "# Clients" in text and "# Memory" in text and "# Server" not in text
    assert "# Replication" in info_text(server, "replication")
    assert info_text(server, "no-such-section") == ""


def test_info_keyspace_line(server, r):
    assert "db0:" not in info_text(server, "keyspace")
    r.set("k", "v")
    assert "db0:keys=1,expires=0,avg_ttl=0" in info_text(server, "keyspace")
    r.set("t", "v", ex=1000)
    line = re.search(r"db0:keys=2,expires=1,avg_ttl=(\d+)", info_text(server, "keyspace"))
    assert line


def test_info_keyspace_hits_misses(server, r):
    before = info_fields(info_text(server, "stats"))
    r.set("k", "v")
    r.get("k")
    r.get("missing")
    after = info_fields(info_text(server, "stats"))
    assert int(after["keyspace_hits"]) == int(before["keyspace_hits"]) + 1
    assert int(after["keyspace_misses"]) == int(before["keyspace_misses"]) + 1


# -- CONFIG ------------------------------------------------------------------

def test_config_get_set(r, server):
    assert r.config_get("port") == {"port": str(server.port)}
    assert "maxclients" in r.config_get("max*")
    old = r.config_get("timeout")["timeout"]
    try:
        assert r.config_set("timeout", 321) is True
        assert r.config_get("timeout") == {"timeout": "321"}
    finally:
        r.config_set("timeout", old)
    assert r.config_get("no-such-parameter") == {}


def test_config_set_errors(r):
    with pytest.raises(redis.ResponseError, match="Unknown option"):
        r.config_set("no-such-parameter", "1")
    with pytest.raises(redis.ResponseError, match="^CONFIG SET failed"):
        r.config_set("maxclients", "not-a-number")


def test_config_resetstat(server, r):
    for _ in range(20):
        r.ping()
    assert r.config_resetstat() is True
    assert int(info_fields(info_text(server, "stats"))["total_commands_processed"]) < 5


def test_config_rewrite(server_factory):
    config = "# my comment\ntimeout 0\n"
    s = server_factory.start(config=config)
    conf = s.workdir / "server.conf"
    r = s.client()
    r.config_set("timeout", 77)
    r.config_set("maxclients", 123)
    assert r.execute_command("CONFIG", "REWRITE") == "OK"
    text = conf.read_text()
    assert "# my comment" in text  # comments survive
    assert re.search(r"^timeout 77$", text, re.M)
    assert re.search(r"^maxclients 123$", text, re.M)
    # the rewritten file is valid: a new server started from it sees the values
    s2 = server_factory.start(config=text)
    assert s2.client().config_get("timeout") == {"timeout": "77"}


def test_config_rewrite_without_file(r):
    with pytest.raises(redis.ResponseError, match="without a config file"):
        r.execute_command("CONFIG", "REWRITE")


# -- keyspace-wide commands ---------------------------------------------------

def test_dbsize_flushdb_flushall(r, server):
    db1 = server.client(db=1)
    r.mset({"a": 1, "b": 2, "c": 3})
    db1.set("x", 1)
    assert r.dbsize() == 3
    assert r.flushdb() is True
    assert r.dbsize() == 0 and db1.dbsize() == 1
    r.set("a", 1)
    assert r.execute_command("FLUSHALL", "SYNC") is True
    assert r.dbsize() == 0 and db1.dbsize() == 0
    r.set("a", 1)
    db1.set("x", 1)
    assert r.execute_command("FLUSHALL", "ASYNC") is True
    assert r.dbsize() == 0 and db1.dbsize() == 0
    assert r.execute_command("FLUSHDB", "ASYNC") is True
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("FLUSHALL", "SOMETIMES")


def test_time(r):
    seconds, micros = r.execute_command("TIME")
    assert abs(int(seconds) - time.time()) < 60
    assert 0 <= int(micros) < 1_000_000


# -- DEBUG / MEMORY ----------------------------------------------------------

def test_debug_sleep_zero(r):
    assert r.execute_command("DEBUG", "SLEEP", 0) == "OK"


def test_debug_set_active_expire(r):
    assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0) == "OK"
    assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1) == "OK"


def test_debug_object(r):
    r.set("k", "hello")
    obj = r.debug_object("k")
    assert obj["encoding"] == "embstr" and obj["refcount"] == 1
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.debug_object("missing")


def test_memory_usage(r):
    r.set("small", "x")
    r.set("large", "x" * 100_000)
    small, large = r.memory_usage("small"), r.memory_usage("large")
    assert 0 < small < large and large >= 100_000
    assert r.memory_usage("missing") is None


def test_shutdown_exits_process(server_factory):
    s = server_factory.start()
    s.expect_exit = True
    s.client().shutdown()  # redis-py treats the dropped connection as success
    wait_until(lambda: s.proc.poll() is not None, message="server to exit")
    assert s.proc.returncode == 0
