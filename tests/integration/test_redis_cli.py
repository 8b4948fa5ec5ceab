"""The stock redis-cli (redis-tools) against the server, plaintext and TLS."""

import subprocess

import pytest

CLI = "redis-cli"


def cli(port, *args, stdin=None, tls_certs=None):
    argv = [CLI, "-h", "127.0.0.1", "-p", str(port)]
    if tls_certs is not None:
        # absolute paths, so the working directory never matters
        argv += ["--tls", "--cacert", str(tls_certs.ca.resolve()),
                 "--cert", str(tls_certs.client_crt.resolve()),
                 "--key", str(tls_certs.client_key.resolve())]
    proc = subprocess.run(argv + [str(a) for a in args], input=stdin, capture_output=True,
                          text=True, timeout=20)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def tls_server(module_server_factory, certs):
    return module_server_factory.start(
        "--tls-cert-file", certs.server_crt, "--tls-key-file", certs.server_key,
        "--tls-ca-cert-file", certs.ca, tls_port="auto")


def test_set_get(server, r):
    assert cli(server.port, "SET", "k", "v") == "OK\n"
    assert cli(server.port, "GET", "k") == "v\n"
    assert cli(server.port, "GET", "missing") == "\n"
    assert r.get("k") == "v"


def test_value_with_spaces_and_mget(server, r):
    assert cli(server.port, "SET", "greeting", "hello world") == "OK\n"
    assert cli(server.port, "MGET", "greeting", "missing", "greeting") == \
        "hello world\n\nhello world\n"


def test_integer_and_error_replies(server, r):
    assert cli(server.port, "INCRBY", "n", "5") == "5\n"
    out = cli(server.port, "NOSUCHCMD", "x")
    assert out.startswith("ERR unknown command 'NOSUCHCMD'")


def test_select_db_option(server, r):
    assert cli(server.port, "-n", "2", "SET", "in2", "yes") == "OK\n"
    assert cli(server.port, "-n", "2", "GET", "in2") == "yes\n"
    assert cli(server.port, "GET", "in2") == "\n"


def test_commands_from_stdin(server, r):
    out = cli(server.port, stdin="SET a 1\nINCR a\nGET a\nPING\n")
    assert out == "OK\n2\n2\nPONG\n"


def test_pipe_mode(server, r):
    lines = "".join(f"*3\r\n$3\r\nSET\r\n${len(f'k{i}')}\r\nk{i}\r\n$1\r\n{i % 10}\r\n"
                    for i in range(1000))
    out = cli(server.port, "--pipe", stdin=lines)
    assert "errors: 0, replies: 1000" in out
    assert r.dbsize() == 1000


def test_scan_option(server, r):
    r.mset({"user:1": 1, "user:2": 2, "other": 3})
    out = cli(server.port, "--scan", "--pattern", "user:*")
    assert sorted(out.split()) == ["user:1", "user:2"]


def test_info(server):
    out = cli(server.port, "INFO", "server")
    assert "# Server" in out and f"tcp_port:{server.port}" in out


def test_tls(tls_server, certs):
    assert cli(tls_server.tls_port, "PING", tls_certs=certs) == "PONG\n"
    assert cli(tls_server.tls_port, "SET", "via", "tls", tls_certs=certs) == "OK\n"
    # same data through the plaintext port
    assert cli(tls_server.port, "GET", "via") == "tls\n"
    out = cli(tls_server.tls_port, stdin="INCR c\nINCR c\n", tls_certs=certs)
    assert out == "1\n2\n"


def test_auth_option(server_factory):
    s = server_factory.start("--requirepass", "pw")
    assert cli(s.port, "GET", "k").startswith("NOAUTH")
    assert cli(s.port, "-a", "pw", "--no-auth-warning", "PING") == "PONG\n"
