"""RESP wire protocol: inline and multibulk parsing, pipelining, limits, protocol errors."""

import socket
import pytest

from resp import RespError, encode


@pytest.fixture(scope="module")
def server(module_server_factory):
    # 1mb is the smallest proto-max-bulk-len Redis accepts
    return module_server_factory.start("--proto-max-bulk-len", "1mb")


def test_inline_commands(server, r):
    with server.raw() as c:
        c.send(b"PING\r\n")
        assert c.read() == "PONG"
        c.send(b"SET a b\r\n")
        assert c.read() == "OK"
        c.send(b"GET a\n")  # a bare LF also ends an inline command
        assert c.read() == b"b"
        c.send(b"\r\n\r\nPING\r\n")  # empty lines are ignored
        assert c.read() == "PONG"


def test_inline_quoting(server, r):
    with server.raw() as c:
        assert c.inline('SET "key with space" "v\\x41\\n"') == "OK"
        assert c.call("GET", "key with space") == b"vA\n"
        assert c.inline("SET 'single q' 'it\\'s'") == "OK"
        assert c.call("GET", "single q") == b"it's"
        assert c.inline("ECHO 'a b'") == b"a b"


def test_unbalanced_quotes_in_inline(server):
    with server.raw() as c:
        c.send(b'SET "a b\r\n')
        assert c.read() == "ERR Protocol error: unbalanced quotes in request"
        assert c.wait_closed()


def test_multibulk_binary_and_split_delivery(server, r):
    with server.raw() as c:
        request = encode("SET", b"k\r\n", b"\x00\xff\r\n") + encode("GET", b"k\r\n")
        for i in range(len(request)):  # one byte per send: parser must resume
            c.send(request[i:i + 1])
        assert c.read() == "OK"
        assert c.read() == b"\x00\xff\r\n"


def test_pipelining_100_commands(server, r):
    with server.raw() as c:
        batch = b"".join(encode("INCR", "counter") for _ in range(100))
        c.send(batch)
        assert [c.read() for _ in range(100)] == list(range(1, 101))
        mixed = (encode("SET", "p", "1") + b"GET p\r\n" + encode("NOSUCHCMD") +
                 encode("APPEND", "p", "2") + encode("GET", "p"))
        c.send(mixed)
        replies = [c.read() for _ in range(5)]
        assert replies[:2] == ["OK", b"1"]
        assert isinstance(replies[2], RespError)
        assert replies[3:] == [2, b"12"]


def test_large_pipeline(server, r):
    # big enough that the replies do not fit in one socket buffer
    with server.raw() as c:
        value = b"x" * 100
        c.send(encode("SET", "big", value) + encode("GET", "big") * 20000)
        assert c.read() == "OK"
        for _ in range(20000):
            assert c.read() == value


def test_unknown_command(server):
    with server.raw() as c:
        assert c.call("foo", "a") == "ERR unknown command 'foo', with args beginning with: 'a' "
        assert c.call("foo") == "ERR unknown command 'foo', with args beginning with: "
        assert c.call("PING") == "PONG"  # the connection survives


def test_wrong_arity(server):
    with server.raw() as c:
        assert c.call("GET") == "ERR wrong number of arguments for 'get' command"
        assert c.call("GET", "a", "b") == "ERR wrong number of arguments for 'get' command"
        assert c.call("SET", "a") == "ERR wrong number of arguments for 'set' command"
        assert c.call("PING") == "PONG"


@pytest.mark.parametrize("request_bytes,error", [
    (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*99999999999\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*1\r\nx\r\n", "ERR Protocol error: expected '$', got 'x'"),
    (b"*2\r\n$3\r\nGET\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*2\r\n$3\r\nGET\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"),
])
def test_protocol_errors_close_connection(server, request_bytes, error):
    with server.raw() as c:
        c.send(request_bytes)
        assert c.read() == error
        assert c.wait_closed()


def test_bulk_length_above_proto_max_bulk_len(server):
    with server.raw() as c:
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % (1024 * 1024 + 1))
        assert c.read() == "ERR Protocol error: invalid bulk length"
        assert c.wait_closed()


def test_bulk_length_at_proto_max_bulk_len(server, r):
    value = b"v" * (1024 * 1024)
    with server.raw() as c:
        assert c.call("SET", "k", value) == "OK"
        assert c.call("STRLEN", "k") == len(value)


def test_too_big_inline_request(server):
    with server.raw() as c:
        try:
            c.send(b"x" * 200_000)  # no newline: an ever-growing inline command
        except OSError:
            pass  # the server may close before we finish sending
        assert c.read() == "ERR Protocol error: too big inline request"
        assert c.wait_closed()


def test_negative_and_empty_multibulk_are_ignored(server):
    with server.raw() as c:
        c.send(b"*-1\r\n*0\r\nPING\r\n")
        assert c.read() == "PONG"


def test_client_query_buffer_limit(server_factory):
    s = server_factory.start("--client-query-buffer-limit", "1mb")
    with s.raw() as c:  # under the limit: fine
        assert c.call("SET", "k", b"x" * 500_000) == "OK"
    with s.raw() as c:
        # announce a 3 MB argument and send 2 MB of it: the pending query
        # exceeds the 1 MB limit and the server drops the client
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
        try:
            c.send(b"x" * 2_000_000)
        except OSError:
            pass
        assert c.wait_closed()
    with s.raw() as c:  # the server is fine and the old value is intact
        assert c.call("STRLEN", "k") == 500_000


def test_client_output_buffer_limit_normal(server_factory):
    # A client that pipelines large replies without reading is cut off at the hard limit,
    # and the server keeps serving everyone else.
    s = server_factory.start("--client-output-buffer-limit", "normal 1mb 0 0")
    r = s.client()
    r.set("big", "x" * 100_000)
    greedy = s.raw()
    greedy.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    greedy.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 200)  # ~20 MB of replies
    assert greedy.wait_closed()
    assert r.get("big") == "x" * 100_000
    stats = r.info("stats")
    assert stats["client_output_buffer_limit_disconnections"] >= 1
