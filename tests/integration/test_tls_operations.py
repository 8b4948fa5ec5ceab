"""TLS in operation: hot reload from disk, chain validation, expired client certificates,
session resumption, INFO tls, CLIENT LIST TLS fields, stalled handshakes, TLS sent to the
plaintext port, handshake storms."""

import re
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

from harness import ssl_context, wait_until
from resp import RawConn


def serial_of(path):
    out = subprocess.run(["openssl", "x509", "-in", str(path), "-noout", "-serial"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].upper().lstrip("0")


def presented_serial(port, ca):
    """Serial of the certificate a new TLS connection is shown."""
    ctx = ssl_context(ca)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            der = tls.getpeercert(binary_form=True)
    pem = ssl.DER_cert_to_PEM_cert(der)
    out = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem,
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].upper().lstrip("0")


def info_tls(server):
    with server.raw() as c:
        text = c.call("INFO", "tls").decode()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


@pytest.fixture
def rotating(server_factory, certs, tmp_path):
    """A server reading its certificate from copies the test can overwrite."""
    crt, key = tmp_path / "live.crt", tmp_path / "live.key"
    shutil.copy(certs.server_crt, crt)
    shutil.copy(certs.server_key, key)
    s = server_factory.start("--tls-cert-file", crt, "--tls-key-file", key,
                             "--tls-ca-cert-file", certs.ca, "--tls-auth-clients", "no",
                             "--tls-auto-reload-interval", "1", tls_port="auto")
    return s, crt, key


def replace_file(src, dst):
    tmp = dst.with_suffix(".tmp")
    shutil.copy(src, tmp)
    tmp.replace(dst)  # atomic, as a deploy tool would do it


def test_rotation_on_disk_is_picked_up_and_old_connections_survive(rotating, certs):
    s, crt, key = rotating
    old_serial, new_serial = serial_of(certs.server_crt), serial_of(certs.rotated_server_crt)
    assert presented_serial(s.tls_port, certs.ca) == old_serial
    with RawConn(s.tls_port, ssl_context=ssl_context(certs.ca)) as old_conn:
        assert old_conn.call("SET", "k", "v") == "OK"
        replace_file(certs.rotated_server_key, key)
        replace_file(certs.rotated_server_crt, crt)
        wait_until(lambda: presented_serial(s.tls_port, certs.ca) == new_serial,
                   message="the rotated certificate to be served")
        assert old_conn.call("GET", "k") == b"v"  # the connection made before keeps working
    info = info_tls(s)
    assert int(info["tls_reloads"]) >= 1
    assert info["tls_last_reload_status"] == "ok"
    assert info["tls_server_cert_serial"].lstrip("0") == new_serial


def test_reload_with_mismatched_key_keeps_old_material(rotating, certs):
    s, crt, key = rotating
    old_serial = serial_of(certs.server_crt)
    replace_file(certs.other_key, key)
    wait_until(lambda: int(info_tls(s)["tls_reload_failures"]) >= 1,
               message="the bad reload to be noticed")
    info = info_tls(s)
    assert info["tls_last_reload_status"] == "failed"
    assert "does not match" in info["tls_last_reload_error"]
    assert presented_serial(s.tls_port, certs.ca) == old_serial
    log = s.output()
    assert log.count("does not match") == 1  # reported once per change, not every interval


def test_config_set_reload_answers_the_fault(server_factory, certs):
    s = server_factory.start("--tls-cert-file", certs.server_crt, "--tls-key-file",
                             certs.server_key, "--tls-ca-cert-file", certs.ca,
                             "--tls-auth-clients", "no", tls_port="auto")
    with s.raw() as c:
        reply = c.call("CONFIG", "SET", "tls-cert-file", str(certs.expired_crt),
                       "tls-key-file", str(certs.expired_key))
        assert reply.startswith("ERR") and "expired" in reply and str(certs.expired_crt) in reply
    assert presented_serial(s.tls_port, certs.ca) == serial_of(certs.server_crt)


def test_server_certificate_must_chain_to_the_ca(server_factory, certs):
    rc, out = server_factory.run_expect_exit(
        "--tls-cert-file", certs.untrusted_server_crt, "--tls-key-file",
        certs.untrusted_server_key, "--tls-ca-cert-file", certs.ca, port=0, tls_port="auto")
    assert rc != 0
    assert str(certs.untrusted_server_crt) in out and "is not signed by a CA" in out


def test_outgoing_client_pair_is_validated(server_factory, certs):
    rc, out = server_factory.run_expect_exit(
        "--tls-cert-file", certs.server_crt, "--tls-key-file", certs.server_key,
        "--tls-ca-cert-file", certs.ca, "--tls-client-cert-file", certs.client_crt,
        "--tls-client-key-file", certs.other_key, port=0, tls_port="auto")
    assert rc != 0 and "does not match" in out and str(certs.other_key) in out


@pytest.fixture(scope="module")
def mtls(module_server_factory, certs):
    return module_server_factory.start(
        "--tls-cert-file", certs.server_crt, "--tls-key-file", certs.server_key,
        "--tls-ca-cert-file", certs.ca, "--tls-auth-clients", "optional",
        "--tls-client-cert-file", certs.client_crt, "--tls-client-key-file", certs.client_key,
        tls_port="auto")


def test_expired_client_certificate_is_refused(mtls, certs):
    ctx = ssl_context(certs.ca, certs.expired_client_crt, certs.expired_client_key)
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        with RawConn(mtls.tls_port, ssl_context=ctx) as c:
            c.call("PING")
    wait_until(lambda: "certificate_verify_failed" in
               info_tls(mtls)["tls_handshake_failures_by_reason"],
               message="the refusal to be counted")


def test_info_tls_and_client_list(mtls, certs):
    ctx = ssl_context(certs.ca, certs.client_crt, certs.client_key)
    with RawConn(mtls.tls_port, ssl_context=ctx) as c:
        line = c.call("CLIENT", "INFO").decode()
        assert re.search(r"tls-version=TLSv1\.[23] ", line)
        assert "tls-cipher=" in line and "tls-peer-subject=CN=cachet-test-client" in line
    info = info_tls(mtls)
    assert info["tls_server_cert_subject"] == "CN=localhost"
    assert info["tls_server_cert_issuer"] == "CN=Cachet Test CA"
    assert int(info["tls_server_cert_days_until_expiry"]) > 300
    assert info["tls_client_cert_subject"] == "CN=cachet-test-client"
    assert info["tls_listener"] == "on"
    assert int(info["tls_handshakes_ok"]) >= 1
    assert "TLSv1.3=" in info["tls_connections_by_version"]


@pytest.mark.parametrize("version", ["-tls1_3", "-tls1_2"])
def test_session_resumption(mtls, certs, tmp_path, version):
    session = tmp_path / "session.pem"
    base = ["openssl", "s_client", "-connect", f"127.0.0.1:{mtls.tls_port}", "-CAfile",
            str(certs.ca), version]
    # -ign_eof keeps the connection until QUIT, long enough for TLS 1.3 tickets to arrive.
    first = subprocess.run(base + ["-sess_out", str(session), "-ign_eof"],
                           input=b"PING\r\nQUIT\r\n", capture_output=True, timeout=20)
    assert b"+PONG" in first.stdout
    before = int(info_tls(mtls)["tls_sessions_resumed"])
    second = subprocess.run(base + ["-sess_in", str(session), "-ign_eof"],
                            input=b"PING\r\nQUIT\r\n", capture_output=True, timeout=20)
    assert b"Reused, TLSv1." in second.stdout, second.stdout.decode(errors="replace")
    assert b"+PONG" in second.stdout
    assert int(info_tls(mtls)["tls_sessions_resumed"]) == before + 1


def test_stalled_handshake_is_dropped(server_factory, certs):
    s = server_factory.start("--tls-cert-file", certs.server_crt, "--tls-key-file",
                             certs.server_key, "--tls-auth-clients", "no",
                             "--tls-handshake-timeout", "300", tls_port="auto")
    with socket.create_connection(("127.0.0.1", s.tls_port)) as stalled:
        stalled.settimeout(20)
        assert s.client().ping() is True  # nobody waits on the stalled peer
        assert stalled.recv(1024) == b""  # closed by the server after the timeout
    wait_until(lambda: "timeout=1" in info_tls(s)["tls_handshake_failures_by_reason"],
               message="the timeout to be counted")


def test_tls_sent_to_plaintext_port_is_closed(server_factory, certs):
    s = server_factory.start()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", s.port), timeout=20) as sock:
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            ctx.wrap_socket(sock, server_hostname="localhost")
    assert int(info_tls(s)["tls_on_plaintext_port"]) == 1
    assert s.client().ping() is True


def test_handshake_storm_does_not_stall_served_clients(mtls, certs):
    # Many clients handshake at once while an established client keeps issuing commands;
    # every handshake must complete and the established client must get every reply.
    ctx = ssl_context(certs.ca)
    errors = []

    def connect():
        try:
            with RawConn(mtls.tls_port, ssl_context=ctx) as c:
                assert c.call("PING") == "PONG"
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append(e)

    threads = [threading.Thread(target=connect) for _ in range(200)]
    with mtls.raw() as served:
        for t in threads:
            t.start()
        for i in range(200):
            assert served.call("INCR", "storm-counter") == i + 1
        for t in threads:
            t.join(30)
    assert not errors


def test_config_rewrite_persists_listener_changes(server_factory, certs):
    s = server_factory.start("--tls-cert-file", certs.server_crt, "--tls-key-file",
                             certs.server_key, "--tls-auth-clients", "no",
                             config="# cachet\n", tls_port="auto")
    c = s.tls_client(certs.ca)
    assert c.config_set("port", 0) is True
    assert c.config_rewrite() == "OK"
    text = (s.workdir / "server.conf").read_text()
    assert re.search(r"^port 0$", text, re.M)
    assert re.search(r"^tls-port %d$" % s.tls_port, text, re.M)


def test_certificate_close_to_expiry_is_warned_about(server_factory, certs):
    s = server_factory.start("--tls-cert-file", certs.expiring_crt, "--tls-key-file",
                             certs.expiring_key, "--tls-auth-clients", "no", tls_port="auto")
    assert re.search(r"TLS certificate .*expiring\.crt .* expires in [45] days", s.output())
    assert int(info_tls(s)["tls_server_cert_days_until_expiry"]) in (4, 5)
