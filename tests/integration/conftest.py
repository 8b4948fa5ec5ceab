"""Shared fixtures: real server processes, clients, certificates.

Run against Cachet (build/bin/cachet-server) or, to check the tests
themselves, against the reference implementation:

    CACHET_SERVER=/usr/bin/redis-server /usr/bin/python3 -m pytest tests/integration -q
"""

import os

import pytest

import certs as certs_mod
from aof_files import BINARIES, BINARY_IDS
from harness import LIVE_FACTORIES, SERVER_BIN, ServerFactory


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the output of any server that died to a failing test's report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for factory in LIVE_FACTORIES:
            for s in factory.crashed():
                report.sections.append(
                    (f"server exited with code {s.proc.returncode}: {' '.join(s.argv)}",
                     s.output()[-10000:]))


@pytest.fixture(scope="session", autouse=True)
def _check_binary():
    if not os.access(SERVER_BIN, os.X_OK):
        pytest.exit(f"server binary not found or not executable: {SERVER_BIN} "
                    f"(build it, or set CACHET_SERVER)", returncode=4)


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return certs_mod.generate(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def server_factory(tmp_path):
    factory = ServerFactory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def module_server_factory(tmp_path_factory):
    factory = ServerFactory(tmp_path_factory.mktemp("srv"))
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def server(module_server_factory):
    """A plain-TCP server shared by the tests of one module."""
    return module_server_factory.start()


@pytest.fixture
def r(server):
    """A redis-py client on a clean shared server (all DBs flushed)."""
    client = server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def data(tmp_path):
    """An empty --dir (tmp_path also holds the servers' work dirs)."""
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


@pytest.fixture(params=BINARIES, ids=BINARY_IDS)
def binary(request):
    """The server under test: Cachet, or redis-server to check the test itself (the AOF
    tests take it)."""
    return request.param
