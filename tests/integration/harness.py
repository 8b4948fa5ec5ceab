"""Test harness: start/stop real server processes, ports, polling, clients.

The binary is $CACHET_SERVER, else <repo>/build/bin/cachet-server.
"""

import atexit
import os
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import redis

from resp import RawConn

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_BIN = os.environ.get("CACHET_SERVER") or str(REPO_ROOT / "build/bin/cachet-server")
WAIT = 20.0  # generous upper bound for every poll loop


REFERENCE_BIN = "/usr/bin/redis-server"  # Debian's, for interoperability tests


def is_reference_server(binary=None):
    return os.path.basename(binary or SERVER_BIN) in ("redis-server", "valkey-server")


def reference_only_args(binary=None):
    """Args every test server gets: DEBUG allowed (refused by default, as in Valkey) and no
    save points, so a server behaves like a fresh memory-only one unless a test asks for
    persistence (later arguments win)."""
    if not is_reference_server(binary):
        return ["--enable-debug-command", "yes", "--save", ""]
    return ["--save", "", "--appendonly", "no", "--enable-debug-command", "yes"]


def free_ports(n):
    """n distinct free ports (all held open together, so no duplicates)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port():
    return free_ports(1)[0]


def wait_until(predicate, timeout=WAIT, interval=0.02, message="condition"):
    """Poll predicate() until truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def port_accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


_PROCESSES = set()  # every server process we started, for the atexit safety net


@atexit.register
def _kill_leftovers():
    """Last resort (e.g. an interrupted run): never leave a server behind."""
    for proc in _PROCESSES:
        if proc.poll() is None:
            proc.kill()


class Server:
    """One running server process with its own work dir and log file."""

    def __init__(self, workdir: Path, argv, port, tls_port):
        self.workdir = workdir
        self.argv = argv
        self.port = port
        self.tls_port = tls_port
        self.logfile = workdir / "server.log"
        self.stdout_path = workdir / "stdout.txt"
        self.stderr_path = workdir / "stderr.txt"
        self.expect_exit = False  # set by tests that SHUTDOWN the server
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err)
        _PROCESSES.add(self.proc)

    def output(self):
        """stdout + stderr + log file: everything the server said."""
        parts = []
        for p in (self.stdout_path, self.stderr_path, self.logfile):
            if p.exists():
                parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)

    def _fail_if_exited(self):
        if self.proc.poll() is not None:
            pytest.fail(f"server exited early with code {self.proc.returncode}\n"
                        f"argv: {self.argv}\n{self.output()}")

    def _answers(self):
        self._fail_if_exited()
        if self.port:
            try:
                with RawConn(self.port, timeout=2) as c:
                    c.send(b"PING\r\n")
                    return c.read() is not None  # +PONG, or -NOAUTH with requirepass
            except OSError:
                return False
        return port_accepts(self.tls_port)

    def wait_ready(self):
        wait_until(self._answers, message=f"server {self.argv} to answer")
        return self

    def stop(self):
        self.expect_exit = True  # a deliberate stop is not a crash
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.check_sanitizer_reports()

    def check_sanitizer_reports(self):
        """Under the ASan/UBSan build a memory error or leak is a failure even when every reply
        was right."""
        if not self.stderr_path.exists():
            return
        err = self.stderr_path.read_text(errors="replace")
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in err:
                pytest.fail(f"sanitizer report from {self.argv}:\n{err[-8000:]}")

    # -- clients ---------------------------------------------------------
    def client(self, **kw):
        kw.setdefault("decode_responses", True)
        kw.setdefault("socket_timeout", WAIT)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def tls_client(self, ca, cert=None, key=None, **kw):
        kw.setdefault("decode_responses", True)
        kw.setdefault("socket_timeout", WAIT)
        return redis.Redis(host="localhost", port=self.tls_port, ssl=True,
                           ssl_ca_certs=str(ca), ssl_cert_reqs="required",
                           ssl_certfile=str(cert) if cert else None,
                           ssl_keyfile=str(key) if key else None, **kw)

    def raw(self, **kw):
        return RawConn(self.port, **kw)


def ssl_context(ca, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=str(ca))
    if cert:
        ctx.load_cert_chain(str(cert), str(key))
    return ctx


LIVE_FACTORIES = []  # live factories, so a failing test can show crashed servers' logs


class ServerFactory:
    """Starts servers in a temp dir and guarantees they are killed afterwards."""

    def __init__(self, tmpdir: Path):
        self.tmpdir = Path(tmpdir)
        self.servers = []
        LIVE_FACTORIES.append(self)

    def _argv(self, workdir, args, config, port, tls_port, binary=None):
        argv = [binary or SERVER_BIN]
        if isinstance(config, Path):  # an existing (or deliberately missing) file
            argv.append(str(config))
        elif config is not None:  # config text: written to server.conf
            conf = workdir / "server.conf"
            conf.write_text(config)
            argv.append(str(conf))
        argv += ["--bind", "127.0.0.1", "--logfile", str(workdir / "server.log")]
        if port is not None:
            argv += ["--port", str(port)]
        if tls_port is not None:
            argv += ["--tls-port", str(tls_port)]
        return argv + reference_only_args(binary) + [str(a) for a in args]

    def _workdir(self):
        workdir = self.tmpdir / f"server{len(self.servers)}"
        workdir.mkdir(parents=True)
        return workdir

    def start(self, *args, config=None, port="auto", tls_port=None, wait=True, binary=None):
        """Start a server; port/tls_port 'auto' pick a free port, None omits it.

        config is the text of a config file, or a Path passed as is. binary defaults to the
        server under test; REFERENCE_BIN starts Debian's redis-server.
        """
        a, b = free_ports(2)
        port = a if port == "auto" else port
        tls_port = b if tls_port == "auto" else tls_port
        workdir = self._workdir()
        server = Server(workdir, self._argv(workdir, args, config, port, tls_port, binary),
                        port, tls_port)
        self.servers.append(server)
        return server.wait_ready() if wait else server

    def run_expect_exit(self, *args, config=None, port="auto", tls_port=None):
        """Start a server that must refuse to start; return (exit code, output).

        Fails fast (instead of waiting) if the server comes up and listens.
        """
        server = self.start(*args, config=config, port=port, tls_port=tls_port,
                            wait=False)
        server.expect_exit = True
        listen_port = server.port or server.tls_port

        def exited_or_listening():
            if server.proc.poll() is not None:
                return True
            if listen_port and port_accepts(listen_port):
                pytest.fail("server started instead of exiting with an error\n"
                            + server.output())
            return False

        wait_until(exited_or_listening, message="server to exit")
        return server.proc.returncode, server.output()

    def crashed(self):
        return [s for s in self.servers if s.proc.poll() is not None and not s.expect_exit]

    def stop_all(self):
        LIVE_FACTORIES.remove(self)
        died = self.crashed()
        for s in self.servers:
            s.stop()
        if died:
            s = died[0]
            pytest.fail(f"server exited unexpectedly (code {s.proc.returncode})\n"
                        f"argv: {s.argv}\n{s.output()}")
