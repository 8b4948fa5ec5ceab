"""Test certificate generation with the openssl CLI (OpenSSL 3.0).

generate(dir) builds a small PKI for the TLS tests: a trusted CA, valid
server/client certs, and deliberately broken material (expired, not yet
valid, mismatched key, empty, malformed, foreign-CA client cert).

Leaf certs are issued with `openssl ca` because, unlike `openssl x509 -req`
in 3.0, it accepts explicit -startdate/-enddate, which is how the expired
and not-yet-valid certificates are made.  Keys are EC P-256: instant to
generate, so the session fixture stays fast.
"""

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

_CA_CONFIG = """\
[ ca ]
default_ca = test_ca

[ test_ca ]
dir              = {dir}
database         = $dir/index.txt
new_certs_dir    = $dir/issued
serial           = $dir/serial
certificate      = $dir/ca.crt
private_key      = $dir/ca.key
default_md       = sha256
default_days     = 3650
policy           = policy_any
unique_subject   = no
copy_extensions  = none

[ policy_any ]
commonName       = supplied

[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage         = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName   = DNS:localhost, IP:127.0.0.1, IP:::1

[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage         = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
"""

MALFORMED_PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    "this is not base64 at all !!!\n"
    "-----END CERTIFICATE-----\n"
)


def _openssl(*args, cwd=None):
    proc = subprocess.run(["openssl", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(map(str, args))} failed:\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _new_key(path):
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", path)
    return path


class _CA:
    """A throw-away CA living in its own directory."""

    def __init__(self, root: Path, cn: str):
        self.dir = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "issued").mkdir(exist_ok=True)
        (root / "index.txt").write_text("")
        (root / "serial").write_text("1000\n")
        self.config = root / "ca.cnf"
        self.config.write_text(_CA_CONFIG.format(dir=root))
        self.key = _new_key(root / "ca.key")
        self.cert = root / "ca.crt"
        _openssl("req", "-x509", "-new", "-key", self.key, "-out", self.cert,
                 "-days", "3650", "-subj", f"/CN={cn}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, out_dir: Path, name: str, cn: str, ext: str,
              start: str | None = None, end: str | None = None, key=None):
        """Issue <name>.crt (and <name>.key unless key is given) in out_dir."""
        key = key or _new_key(out_dir / f"{name}.key")
        csr = self.dir / f"{name}.csr"
        cert = out_dir / f"{name}.crt"
        _openssl("req", "-new", "-key", key, "-out", csr, "-subj", f"/CN={cn}")
        args = ["ca", "-batch", "-notext", "-config", self.config,
                "-extensions", ext, "-in", csr, "-out", cert]
        if start:
            args += ["-startdate", start]
        if end:
            args += ["-enddate", end]
        _openssl(*args)
        return cert, key


@dataclass
class Certs:
    dir: Path
    ca: Path              # trusted CA certificate
    server_crt: Path      # CN=localhost, SAN localhost/127.0.0.1/::1
    server_key: Path
    alt_server_crt: Path  # a second valid server cert (CN=cachet-alt-server)
    alt_server_key: Path
    client_crt: Path      # signed by the trusted CA
    client_key: Path
    expired_crt: Path     # validity entirely in the past (key: expired_key)
    expired_key: Path
    future_crt: Path      # not valid before 2099 (key: future_key)
    future_key: Path
    other_key: Path       # a key that matches no certificate
    empty: Path           # zero-byte file
    malformed: Path       # PEM armour around garbage
    untrusted_ca: Path    # a second CA the server does not trust
    untrusted_client_crt: Path
    untrusted_client_key: Path
    missing: Path         # path that does not exist
    expired_client_crt: Path  # a client certificate whose validity is in the past
    expired_client_key: Path
    rotated_server_crt: Path  # CN=localhost again, new serial and key: for rotation tests
    rotated_server_key: Path
    untrusted_server_crt: Path  # CN=localhost, signed by the untrusted CA
    untrusted_server_key: Path
    expiring_crt: Path    # CN=localhost, valid for about five more days
    expiring_key: Path


def generate(out_dir) -> Certs:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ca = _CA(out / "ca", "Cachet Test CA")
    rogue = _CA(out / "rogue-ca", "Untrusted Test CA")

    server_crt, server_key = ca.issue(out, "server", "localhost", "server_ext")
    alt_crt, alt_key = ca.issue(out, "alt-server", "cachet-alt-server", "server_ext")
    client_crt, client_key = ca.issue(out, "client", "cachet-test-client", "client_ext")
    expired_crt, expired_key = ca.issue(out, "expired", "localhost", "server_ext",
                                        start="20200101000000Z", end="20200201000000Z")
    future_crt, future_key = ca.issue(out, "future", "localhost", "server_ext",
                                      start="20990101000000Z", end="21000101000000Z")
    rogue_crt, rogue_key = rogue.issue(out, "untrusted-client", "rogue-client",
                                       "client_ext")
    expired_client_crt, expired_client_key = ca.issue(
        out, "expired-client", "expired-client", "client_ext",
        start="20200101000000Z", end="20200201000000Z")
    rotated_crt, rotated_key = ca.issue(out, "rotated-server", "localhost", "server_ext")
    untrusted_srv_crt, untrusted_srv_key = rogue.issue(out, "untrusted-server", "localhost",
                                                        "server_ext")
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=5, hours=1))
    expiring_crt, expiring_key = ca.issue(out, "expiring", "localhost", "server_ext",
                                          end=soon.strftime("%Y%m%d%H%M%SZ"))
    other_key = _new_key(out / "other.key")
    empty = out / "empty.pem"
    empty.write_text("")
    malformed = out / "malformed.pem"
    malformed.write_text(MALFORMED_PEM)

    return Certs(dir=out, ca=ca.cert, server_crt=server_crt, server_key=server_key,
                 alt_server_crt=alt_crt, alt_server_key=alt_key,
                 client_crt=client_crt, client_key=client_key,
                 expired_crt=expired_crt, expired_key=expired_key,
                 future_crt=future_crt, future_key=future_key,
                 other_key=other_key, empty=empty, malformed=malformed,
                 untrusted_ca=rogue.cert, untrusted_client_crt=rogue_crt,
                 untrusted_client_key=rogue_key, missing=out / "does-not-exist.crt",
                 expired_client_crt=expired_client_crt, expired_client_key=expired_client_key,
                 rotated_server_crt=rotated_crt, rotated_server_key=rotated_key,
                 untrusted_server_crt=untrusted_srv_crt,
                 untrusted_server_key=untrusted_srv_key,
                 expiring_crt=expiring_crt, expiring_key=expiring_key)


if __name__ == "__main__":  # manual use: python3 certs.py DIR
    import sys
    print(generate(sys.argv[1]))
