"""TLS: client authentication modes, mixed listeners, runtime changes, bad material."""

import re
import ssl
import subprocess

import pytest
import redis

from harness import free_port, port_accepts, ssl_context, wait_until
from resp import RawConn, RespError

# what redis-py raises when the TLS layer refuses us (handshake or first read)
TLS_REFUSED = (redis.ConnectionError, ssl.SSLError, ConnectionError)


def tls_args(certs, auth="yes", cert=None, key=None):
    return ["--tls-cert-file", cert or certs.server_crt,
            "--tls-key-file", key or certs.server_key,
            "--tls-ca-cert-file", certs.ca,
            "--tls-auth-clients", auth]


@pytest.fixture(scope="module")
def tls_server(module_server_factory, certs):
    """Plaintext + TLS listeners, client certificates required."""
    return module_server_factory.start(*tls_args(certs, "yes"), tls_port="auto")


@pytest.fixture(scope="module")
def optional_server(module_server_factory, certs):
    return module_server_factory.start(*tls_args(certs, "optional"), tls_port="auto")


@pytest.fixture(scope="module")
def no_auth_server(module_server_factory, certs):
    return module_server_factory.start(*tls_args(certs, "no"), tls_port="auto")


def with_client_cert(server, certs):
    return server.tls_client(certs.ca, certs.client_crt, certs.client_key)


# -- tls-auth-clients ----------------------------------------------------------

def test_auth_yes_with_client_cert(tls_server, certs):
    c = with_client_cert(tls_server, certs)
    assert c.set("tls-key", "over tls") is True
    assert c.get("tls-key") == "over tls"


def test_auth_yes_without_client_cert_fails(tls_server, certs):
    with pytest.raises(TLS_REFUSED):
        tls_server.tls_client(certs.ca).ping()


def test_auth_yes_untrusted_client_cert_fails(tls_server, certs):
    c = tls_server.tls_client(certs.ca, certs.untrusted_client_crt, certs.untrusted_client_key)
    with pytest.raises(TLS_REFUSED):
        c.ping()


def test_auth_optional(optional_server, certs):
    assert with_client_cert(optional_server, certs).ping()
    assert optional_server.tls_client(certs.ca).ping()
    # a certificate that is presented must still verify
    c = optional_server.tls_client(certs.ca, certs.untrusted_client_crt,
                                   certs.untrusted_client_key)
    with pytest.raises(TLS_REFUSED):
        c.ping()


def test_auth_no(no_auth_server, certs):
    assert no_auth_server.tls_client(certs.ca).ping()


def test_client_rejects_server_signed_by_other_ca(tls_server, certs):
    # the server must present the configured certificate chain
    c = tls_server.tls_client(certs.untrusted_ca, certs.client_crt, certs.client_key)
    with pytest.raises(TLS_REFUSED):
        c.ping()


def test_server_cert_matches_hostname(tls_server, certs):
    ctx = ssl_context(certs.ca, certs.client_crt, certs.client_key)
    assert ctx.check_hostname  # 'localhost' must match the certificate's SAN
    with RawConn(tls_server.tls_port, ssl_context=ctx) as c:
        assert c.call("PING") == "PONG"
        assert c.sock.getpeercert()["subject"] == ((("commonName", "localhost"),),)


# -- both listeners at once --------------------------------------------------------

def test_plaintext_and_tls_share_data(tls_server, certs):
    plain = tls_server.client()
    secure = with_client_cert(tls_server, certs)
    plain.set("shared", "from-plain")
    assert secure.get("shared") == "from-plain"
    secure.set("shared", "from-tls")
    assert plain.get("shared") == "from-tls"
    # interleave on two long-lived connections
    for i in range(50):
        (plain if i % 2 else secure).incr("interleaved")
    assert plain.get("interleaved") == "50"


def test_large_values_and_pipeline_over_tls(tls_server, certs):
    c = with_client_cert(tls_server, certs)
    value = "x" * (4 * 1024 * 1024)  # many TLS records in each direction
    c.set("big", value)
    assert c.get("big") == value
    pipe = c.pipeline(transaction=False)
    for i in range(1000):
        pipe.set(f"p{i}", i)
    pipe.execute()
    assert c.mget([f"p{i}" for i in range(0, 1000, 100)]) == [str(i) for i in range(0, 1000, 100)]


def test_plaintext_on_tls_port_is_dropped(tls_server, certs):
    with RawConn(tls_server.tls_port) as c:
        c.send(b"PING\r\n")
        assert c.wait_closed()
    assert with_client_cert(tls_server, certs).ping()


def test_tls_only_server(server_factory, certs):
    s = server_factory.start(*tls_args(certs), port=0, tls_port="auto")
    assert with_client_cert(s, certs).ping()


# -- openssl s_client ----------------------------------------------------------------

def test_openssl_s_client_handshake_and_ping(tls_server, certs):
    # -quiet implies -ign_eof: s_client runs until the server closes after QUIT
    proc = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{tls_server.tls_port}",
         "-CAfile", str(certs.ca), "-cert", str(certs.client_crt),
         "-key", str(certs.client_key), "-verify_return_error",
         "-verify_hostname", "localhost", "-quiet"],
        input=b"PING\r\nQUIT\r\n", capture_output=True, timeout=20)
    assert b"+PONG\r\n" in proc.stdout, proc.stderr.decode()
    assert b"+OK\r\n" in proc.stdout


# -- runtime listener changes ----------------------------------------------------

def test_config_set_port_zero_and_back(server_factory, certs):
    s = server_factory.start(*tls_args(certs), tls_port="auto")
    secure = with_client_cert(s, certs)
    with s.raw() as existing:
        assert existing.call("PING") == "PONG"
        assert secure.config_set("port", 0) is True
        wait_until(lambda: not port_accepts(s.port), message="plaintext listener to close")
        assert existing.call("SET", "k", "still here") == "OK"  # open connections survive
        assert secure.get("k") == "still here"  # TLS keeps serving
        new_port = free_port()
        assert secure.config_set("port", new_port) is True
        with RawConn(new_port) as fresh:
            assert fresh.call("GET", "k") == b"still here"
        assert secure.config_get("port") == {"port": str(new_port)}


def test_config_set_tls_port_zero_and_back(server_factory, certs):
    s = server_factory.start(*tls_args(certs), tls_port="auto")
    plain = s.client()
    ctx = ssl_context(certs.ca, certs.client_crt, certs.client_key)
    with RawConn(s.tls_port, ssl_context=ctx) as existing:
        assert existing.call("PING") == "PONG"
        assert plain.config_set("tls-port", 0) is True
        wait_until(lambda: not port_accepts(s.tls_port), message="TLS listener to close")
        assert existing.call("SET", "k", "v") == "OK"  # open TLS connection survives
        new_port = free_port()
        assert plain.config_set("tls-port", new_port) is True
        with RawConn(new_port, ssl_context=ctx) as fresh:
            assert fresh.call("GET", "k") == b"v"


# -- bad certificate material -------------------------------------------------------

# (cert attr, key attr, ca attr, file(s) that may be named, phrase Cachet prints)
STARTUP_FAILURES = {
    "expired": ("expired_crt", "expired_key", "ca", "expired_crt", "expired"),
    "not-yet-valid": ("future_crt", "future_key", "ca", "future_crt", "not yet valid"),
    "key-mismatch": ("server_crt", "other_key", "ca", ("server_crt", "other_key"),
                     "does not match"),
    "empty-cert": ("empty", "server_key", "ca", "empty", "is empty"),
    "malformed-cert": ("malformed", "server_key", "ca", "malformed", "malformed"),
    "missing-cert": ("missing", "server_key", "ca", "missing", "No such file"),
    "missing-key": ("server_crt", "missing", "ca", "missing", "No such file"),
    "missing-ca": ("server_crt", "server_key", "missing", "missing", "No such file"),
    "empty-key": ("server_crt", "empty", "ca", "empty", "is empty"),
}


@pytest.mark.parametrize("case", STARTUP_FAILURES)
def test_bad_tls_material_prevents_startup(server_factory, certs, case):
    cert, key, ca, culprit, phrase = STARTUP_FAILURES[case]
    rc, out = server_factory.run_expect_exit(
        "--tls-cert-file", getattr(certs, cert), "--tls-key-file", getattr(certs, key),
        "--tls-ca-cert-file", getattr(certs, ca), port=0, tls_port="auto")
    assert rc != 0
    culprits = culprit if isinstance(culprit, tuple) else (culprit,)
    assert any(str(getattr(certs, c)) in out for c in culprits), out
    # look for the phrase outside file paths (file names like "expired.crt" would match)
    prose = re.sub(re.escape(str(certs.dir)) + r"\S*", "<path>", out)
    assert phrase.lower() in prose.lower(), out


@pytest.mark.parametrize("param,attr", [
    ("tls-cert-file", "malformed"), ("tls-cert-file", "empty"),
    ("tls-cert-file", "missing"), ("tls-key-file", "other_key"),
    ("tls-key-file", "missing"), ("tls-ca-cert-file", "missing"),
])
def test_config_set_bad_material_keeps_old(server_factory, certs, param, attr):
    # own server per case: a wrongly accepted change must not break other tests
    tls_server = server_factory.start(*tls_args(certs), tls_port="auto")
    plain = tls_server.client()
    before = plain.config_get(param)[param]
    with tls_server.raw() as c:  # raw: redis-py strips the "ERR " prefix
        reply = c.call("CONFIG", "SET", param, str(getattr(certs, attr)))
        assert isinstance(reply, RespError) and reply.startswith("ERR"), reply
    assert plain.config_get(param)[param] == before
    # the old certificate keeps serving new handshakes
    assert with_client_cert(tls_server, certs).ping()


def test_config_set_good_material_applies(server_factory, certs):
    s = server_factory.start(*tls_args(certs), tls_port="auto")
    ctx = ssl_context(certs.ca, certs.client_crt, certs.client_key)
    with RawConn(s.tls_port, ssl_context=ctx) as before:
        assert before.sock.getpeercert()["subject"] == ((("commonName", "localhost"),),)
        # both files in one CONFIG SET, so the pair is never mismatched
        assert s.client().execute_command(
            "CONFIG", "SET", "tls-cert-file", str(certs.alt_server_crt),
            "tls-key-file", str(certs.alt_server_key)) == "OK"
        with RawConn(s.tls_port, ssl_context=ctx) as after:
            assert after.sock.getpeercert()["subject"] == \
                ((("commonName", "cachet-alt-server"),),)
        assert before.call("PING") == "PONG"  # existing session unaffected


@pytest.mark.parametrize("pair", ["expired", "future"])
def test_config_set_out_of_validity_cert_rejected(server_factory, certs, pair):
    # Cachet validates CONFIG SET material like startup material (Redis 7.0 does not).
    # Own server: if the change were accepted it must not leak into other tests.
    tls_server = server_factory.start(*tls_args(certs), tls_port="auto")
    crt, key = getattr(certs, f"{pair}_crt"), getattr(certs, f"{pair}_key")
    with tls_server.raw() as c:
        reply = c.call("CONFIG", "SET", "tls-cert-file", str(crt), "tls-key-file", str(key))
        assert isinstance(reply, RespError) and reply.startswith("ERR"), reply
    assert tls_server.client().config_get("tls-cert-file")["tls-cert-file"] == \
        str(certs.server_crt)
    assert with_client_cert(tls_server, certs).ping()
