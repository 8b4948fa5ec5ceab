"""A tiny RESP2/RESP3 client over a raw socket.

redis-py hides the wire format (and 4.3.4 has no RESP3), so protocol tests
use this: send exact bytes, read exactly one reply, and inspect either the
parsed value or the raw bytes.
"""

import socket
import ssl
import time


class RespError(str):
    """An error reply (-ERR ...). Returned, not raised, so tests can compare it."""


class Incomplete(Exception):
    pass


def _line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    return buf[pos:end], end + 2


def parse(buf, pos=0):
    """Parse one reply starting at buf[pos]; return (value, next_pos).

    Raises Incomplete when buf does not yet hold a whole reply.
    """
    if pos >= len(buf):
        raise Incomplete
    kind = buf[pos:pos + 1]
    line, pos = _line(buf, pos + 1)
    if kind == b"+":
        return line.decode(), pos
    if kind == b"-":
        return RespError(line.decode()), pos
    if kind in (b":", b"("):
        return int(line), pos
    if kind == b",":
        return float(line), pos
    if kind == b"#":
        return line == b"t", pos
    if kind == b"_":
        return None, pos
    if kind in (b"$", b"=", b"!"):
        n = int(line)
        if n < 0:
            return None, pos
        if len(buf) < pos + n + 2:
            raise Incomplete
        return bytes(buf[pos:pos + n]), pos + n + 2
    if kind in (b"*", b"~", b">"):
        n = int(line)
        if n < 0:
            return None, pos
        items = []
        for _ in range(n):
            item, pos = parse(buf, pos)
            items.append(item)
        return items, pos
    if kind in (b"%", b"|"):
        result = {}
        for _ in range(int(line)):
            k, pos = parse(buf, pos)
            v, pos = parse(buf, pos)
            result[k] = v
        return result, pos
    raise ValueError(f"unknown RESP type byte {kind!r} in {bytes(buf[:200])!r}")


def encode(*args):
    """Encode a command as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawConn:
    """A raw (optionally TLS) connection speaking RESP by hand."""

    def __init__(self, port, host="127.0.0.1", timeout=20.0, ssl_context=None):
        sock = socket.create_connection((host, port), timeout=timeout)
        if ssl_context is not None:
            sock = ssl_context.wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def read_raw(self) -> bytes:
        """Read one complete reply and return its raw bytes."""
        while True:
            try:
                _, end = parse(self.buf)
                raw = bytes(self.buf[:end])
                del self.buf[:end]
                return raw
            except Incomplete:
                self._fill()

    def read(self):
        """Read one complete reply and return it parsed."""
        return parse(self.read_raw())[0]

    def call(self, *args):
        self.send(encode(*args))
        return self.read()

    def inline(self, line: str | bytes):
        if isinstance(line, str):
            line = line.encode()
        self.send(line + b"\r\n")
        return self.read()

    def wait_closed(self, timeout=20.0):
        """True once the server closes the connection (EOF or reset)."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.1)
        try:
            while time.monotonic() < deadline:
                try:
                    if not self.sock.recv(65536):
                        return True
                except socket.timeout:
                    continue
                except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                    return True
            return False
        finally:
            self.sock.settimeout(20.0)
