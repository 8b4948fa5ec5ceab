"""TLS material beyond the basics: encrypted keys, CA directories, clients that vanish or stall
mid-handshake."""

import shutil
import socket
import subprocess

import pytest

from harness import ssl_context, wait_until
from resp import RawConn


def encrypt_key(src, dst, passphrase):
    subprocess.run(["openssl", "pkey", "-in", str(src), "-out", str(dst), "-aes256",
                    "-passout", f"pass:{passphrase}"], check=True, capture_output=True)


def base_args(certs, key, **extra):
    args = ["--tls-cert-file", certs.server_crt, "--tls-key-file", key,
            "--tls-ca-cert-file", certs.ca, "--tls-auth-clients", "no"]
    for name, value in extra.items():
        args += [f"--{name.replace('_', '-')}", value]
    return args


def tls_ping(server, certs):
    with RawConn(server.tls_port, ssl_context=ssl_context(certs.ca)) as c:
        return c.call("PING")


def test_encrypted_key_with_passphrase(server_factory, certs, tmp_path):
    key = tmp_path / "encrypted.key"
    encrypt_key(certs.server_key, key, "s3cret")
    s = server_factory.start(*base_args(certs, key, tls_key_file_pass="s3cret"), tls_port="auto")
    assert tls_ping(s, certs) == "PONG"


def test_encrypted_key_with_wrong_passphrase_is_fatal(server_factory, certs, tmp_path):
    key = tmp_path / "encrypted.key"
    encrypt_key(certs.server_key, key, "s3cret")
    rc, out = server_factory.run_expect_exit(*base_args(certs, key, tls_key_file_pass="wrong"),
                                             port=0, tls_port="auto")
    assert rc != 0
    assert str(key) in out and "passphrase" in out


def test_ca_cert_dir_verifies_clients(server_factory, certs, tmp_path):
    ca_dir = tmp_path / "cadir"
    ca_dir.mkdir()
    shutil.copy(certs.ca, ca_dir / "ca.pem")
    subprocess.run(["openssl", "rehash", str(ca_dir)], check=True, capture_output=True)
    s = server_factory.start("--tls-cert-file", certs.server_crt, "--tls-key-file",
                             certs.server_key, "--tls-ca-cert-dir", ca_dir,
                             "--tls-auth-clients", "yes", tls_port="auto")
    c = s.tls_client(certs.ca, certs.client_crt, certs.client_key)
    assert c.ping() is True


def test_empty_ca_cert_dir_is_fatal(server_factory, certs, tmp_path):
    ca_dir = tmp_path / "empty-cadir"
    ca_dir.mkdir()
    rc, out = server_factory.run_expect_exit("--tls-cert-file", certs.server_crt,
                                             "--tls-key-file", certs.server_key,
                                             "--tls-ca-cert-dir", ca_dir, port=0, tls_port="auto")
    assert rc != 0
    assert str(ca_dir) in out and "is empty" in out


@pytest.fixture(scope="module")
def tls_only(module_server_factory, certs):
    return module_server_factory.start(*base_args(certs, certs.server_key), tls_port="auto")


def test_client_vanishing_mid_handshake(tls_only, certs):
    # Half a ClientHello, then gone; then a handshake that never starts. Neither may hurt the
    # server or its other clients.
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", tls_only.tls_port)) as sock:
            sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    stalled = socket.create_connection(("127.0.0.1", tls_only.tls_port))
    try:
        assert tls_ping(tls_only, certs) == "PONG"
        assert tls_only.client().ping() is True
    finally:
        stalled.close()


def test_unix_socket(server_factory, tmp_path):
    path = tmp_path / "cachet.sock"
    s = server_factory.start("--unixsocket", path, "--unixsocketperm", "700")
    wait_until(path.exists, message="the unix socket to appear")
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(path))
    sock.sendall(b"*1\r\n$4\r\nPING\r\n")
    assert sock.recv(64) == b"+PONG\r\n"
    sock.close()
    assert (path.stat().st_mode & 0o777) == 0o700


def s_client(port, *extra):
    """One openssl s_client handshake, PING and QUIT; returns (exit code, output).
    -quiet implies -ign_eof, so s_client runs until the server closes after QUIT."""
    proc = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-quiet",
                           *extra],
                          input=b"PING\r\nQUIT\r\n", capture_output=True, timeout=20)
    return proc.returncode, (proc.stdout + proc.stderr).decode(errors="replace")


def test_tls_protocols_restricts_versions(server_factory, certs):
    s = server_factory.start(*base_args(certs, certs.server_key, tls_protocols="TLSv1.3"),
                             tls_port="auto")
    rc, out = s_client(s.tls_port, "-tls1_3")
    assert "+PONG" in out
    rc, out = s_client(s.tls_port, "-tls1_2")
    assert "+PONG" not in out


def test_tls_ciphersuites_and_ciphers(server_factory, certs):
    s = server_factory.start(*base_args(certs, certs.server_key,
                                        tls_ciphersuites="TLS_CHACHA20_POLY1305_SHA256",
                                        tls_ciphers="ECDHE-ECDSA-AES256-GCM-SHA384:"
                                                    "ECDHE-RSA-AES256-GCM-SHA384",
                                        tls_prefer_server_ciphers="yes"),
                             tls_port="auto")
    rc, out = s_client(s.tls_port, "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
    assert "+PONG" in out
    rc, out = s_client(s.tls_port, "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256")
    assert "+PONG" not in out
    rc, out = s_client(s.tls_port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")
    assert "+PONG" not in out
    c = s.client()
    assert c.config_get("tls-ciphersuites") == {"tls-ciphersuites": "TLS_CHACHA20_POLY1305_SHA256"}


def test_invalid_tls_protocols_refused_by_config_set(server_factory, certs):
    s = server_factory.start(*base_args(certs, certs.server_key), tls_port="auto")
    with pytest.raises(Exception, match="tls-protocols"):
        s.client().config_set("tls-protocols", "SSLv3")
    assert tls_ping(s, certs) == "PONG"
