"""Pub/Sub: exact RESP2 and RESP3 frames, pattern and shard channels, the RESP2 subscribed
context, PUBSUB introspection, CLIENT LIST/INFO, TLS subscribers and the pubsub output
buffer limit.

"Nothing else arrived" is checked by ordering, never by waiting: after the event, a PING's
reply must be the next frame."""

import socket

import pytest
import redis

from harness import WAIT, ssl_context, wait_until
from resp import RawConn, RespError, encode

RESTRICTED = ("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
              "RESET are allowed in this context")


def subscriber(server, *cmd, protocol=2):
    c = server.raw()
    if protocol == 3:
        c.call("HELLO", "3")
    if cmd:
        c.send(encode(*cmd))
    return c


def nothing_pending(c, protocol=2):
    """The next frame is the PING reply: no message was queued before it."""
    reply = c.call("PING")
    assert reply == ([b"pong", b""] if protocol == 2 else "PONG")


def test_subscribe_publish_exact_resp2_frames(server, r):
    with subscriber(server, "SUBSCRIBE", "news", "sports") as c:
        assert c.read_raw() == b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
        assert c.read_raw() == b"*3\r\n$9\r\nsubscribe\r\n$6\r\nsports\r\n:2\r\n"
        assert r.publish("news", "hello") == 1
        assert c.read_raw() == b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
        assert r.publish("weather", "rain") == 0
        nothing_pending(c)
        # Subscribing twice to one channel keeps one subscription.
        assert c.call("SUBSCRIBE", "news") == [b"subscribe", b"news", 2]
        assert r.publish("news", "once") == 1
        assert c.read() == [b"message", b"news", b"once"]


def test_pattern_subscriptions(server, r):
    with subscriber(server, "PSUBSCRIBE", "news.*", "*.tech") as c:
        assert c.read_raw() == b"*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n"
        assert c.read() == [b"psubscribe", b"*.tech", 2]
        c.send(encode("SUBSCRIBE", "news.tech"))
        assert c.read() == [b"subscribe", b"news.tech", 3]
        # One client, three matches: PUBLISH counts every delivery.
        assert r.publish("news.tech", "chip") == 3
        frames = [c.read() for _ in range(3)]
        assert [b"message", b"news.tech", b"chip"] in frames
        assert [b"pmessage", b"news.*", b"news.tech", b"chip"] in frames
        assert [b"pmessage", b"*.tech", b"news.tech", b"chip"] in frames
        assert r.publish("news.sport", "goal") == 1
        assert c.read_raw() == (b"*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$10\r\nnews.sport\r\n"
                                b"$4\r\ngoal\r\n")
        assert c.call("PUNSUBSCRIBE", "news.*") == [b"punsubscribe", b"news.*", 2]
        assert r.publish("news.sport", "goal") == 0
        nothing_pending(c)
        # Glob classes and escapes, as KEYS uses them.
        assert c.call("PSUBSCRIBE", "h[ae]llo\\?") == [b"psubscribe", b"h[ae]llo\\?", 3]
        assert r.publish("hallo?", "x") == 1
        assert c.read() == [b"pmessage", b"h[ae]llo\\?", b"hallo?", b"x"]
        assert r.publish("hallox", "x") == 0


def test_unsubscribe_without_arguments(server, r):
    with subscriber(server, "SUBSCRIBE", "a", "b") as c:
        c.read(), c.read()
        c.send(encode("PSUBSCRIBE", "p*"))
        assert c.read() == [b"psubscribe", b"p*", 3]
        c.send(encode("UNSUBSCRIBE"))
        left = [c.read(), c.read()]
        assert sorted(f[1] for f in left) == [b"a", b"b"]
        assert [f[2] for f in left] == [2, 1]
        # No channels left, a pattern still: one confirmation with a null channel.
        assert c.call("UNSUBSCRIBE") == [b"unsubscribe", None, 1]
        c.send(encode("UNSUBSCRIBE"))
        assert c.read_raw() == b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n"
        # Naming a channel it does not have still confirms it.
        assert c.call("UNSUBSCRIBE", "zzz") == [b"unsubscribe", b"zzz", 1]
        assert c.call("PUNSUBSCRIBE") == [b"punsubscribe", b"p*", 0]
        # Out of the Pub/Sub context: ordinary commands work again, UNSUBSCRIBE does not.
        assert c.call("SET", "k", "v") == "OK"
        assert c.call("UNSUBSCRIBE") == RespError(
            "NOSUB 'unsubscribe' command executed not in subscribed mode")


def test_unsubscribe_family_outside_subscribed_mode(server):
    with server.raw() as c:
        for name in ("unsubscribe", "punsubscribe", "sunsubscribe"):
            assert c.call(name.upper(), "x") == RespError(
                f"NOSUB '{name}' command executed not in subscribed mode")
        c.call("HELLO", "3")
        assert c.call("UNSUBSCRIBE") == RespError(
            "NOSUB 'unsubscribe' command executed not in subscribed mode")


def test_resp2_subscribed_context_allows_only_pubsub_commands(server, r):
    with subscriber(server, "SUBSCRIBE", "ch") as c:
        c.read()
        assert c.call("GET", "k") == RespError(RESTRICTED.format("get"))
        assert c.call("CONFIG", "GET", "port") == RespError(RESTRICTED.format("config|get"))
        assert c.call("HELLO") == RespError(RESTRICTED.format("hello"))
        # PING answers in the shape of a message.
        c.send(encode("PING"))
        assert c.read_raw() == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
        assert c.call("PING", "hi") == [b"pong", b"hi"]
        assert c.call("PSUBSCRIBE", "x*") == [b"psubscribe", b"x*", 2]
        assert c.call("SSUBSCRIBE", "s") == [b"ssubscribe", b"s", 1]
        # Unknown commands and wrong arity are still reported as such.
        assert c.call("NOSUCH").startswith("ERR unknown command 'NOSUCH'")
        assert c.call("GET") == RespError("ERR wrong number of arguments for 'get' command")
        # RESET leaves the context and drops every subscription.
        assert c.call("RESET") == "RESET"
        assert c.call("PING") == "PONG"
        assert c.call("GET", "k") is None
    assert r.pubsub_numsub("ch") == [("ch", 0)]
    assert r.pubsub_numpat() == 0


def test_quit_while_subscribed(server):
    with subscriber(server, "SUBSCRIBE", "ch") as c:
        c.read()
        assert c.call("QUIT") == "OK"
        assert c.wait_closed()


def test_resp3_pushes_and_any_command_while_subscribed(server, r):
    with subscriber(server, protocol=3) as c:
        c.send(encode("SUBSCRIBE", "ch"))
        assert c.read_raw() == b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
        assert c.call("SET", "k", "v") == "OK"
        assert c.call("GET", "k") == b"v"
        assert c.call("PING") == "PONG"
        assert r.publish("ch", "m") == 1
        assert c.read_raw() == b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n"
        c.send(encode("PSUBSCRIBE", "c*"))
        assert c.read_raw() == b">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n"
        # Publishing to itself: the PUBLISH reply first, then its own messages.
        c.send(encode("PUBLISH", "ch", "self"))
        assert c.read_raw() == b":2\r\n"
        frames = [c.read_raw(), c.read_raw()]
        assert b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\nself\r\n" in frames
        assert b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$4\r\nself\r\n" in frames
        c.send(encode("UNSUBSCRIBE", "ch"))
        assert c.read_raw() == b">3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:1\r\n"
        c.send(encode("SUNSUBSCRIBE"))
        assert c.read_raw() == b">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n"


def test_resp3_self_publish_inside_transaction_follows_exec(server):
    with subscriber(server, protocol=3) as c:
        c.send(encode("SUBSCRIBE", "ch"))
        c.read()
        assert c.call("MULTI") == "OK"
        assert c.call("PUBLISH", "ch", "1") == "QUEUED"
        assert c.call("PUBLISH", "ch", "2") == "QUEUED"
        assert c.call("EXEC") == [1, 1]
        assert c.read_raw() == b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\n1\r\n"
        assert c.read_raw() == b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\n2\r\n"


def test_resp3_pushes_are_not_silenced_by_client_reply_off(server, r):
    with subscriber(server, protocol=3) as c:
        c.send(encode("SUBSCRIBE", "ch"))
        c.read()
        c.send(encode("CLIENT", "REPLY", "OFF"))
        assert r.publish("ch", "still") == 1
        assert c.read() == [b"message", b"ch", b"still"]
        c.send(encode("CLIENT", "REPLY", "ON"))
        assert c.read() == "OK"


def test_shard_channels(server, r):
    with subscriber(server, "SSUBSCRIBE", "s1", "s2") as c:
        assert c.read_raw() == b"*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n"
        assert c.read() == [b"ssubscribe", b"s2", 2]
        # Shard counts are separate from channel and pattern counts.
        assert c.call("SUBSCRIBE", "c") == [b"subscribe", b"c", 1]
        assert c.call("PSUBSCRIBE", "*") == [b"psubscribe", b"*", 2]
        assert r.execute_command("SPUBLISH", "s1", "m") == 1
        assert c.read_raw() == b"*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\nm\r\n"
        # PUBLISH does not reach shard subscribers, SPUBLISH does not reach patterns.
        assert r.publish("s1", "plain") == 1
        assert c.read() == [b"pmessage", b"*", b"s1", b"plain"]
        assert r.execute_command("SPUBLISH", "c", "x") == 0
        nothing_pending(c)
        assert sorted(r.execute_command("PUBSUB", "SHARDCHANNELS")) == ["s1", "s2"]
        assert r.execute_command("PUBSUB", "SHARDNUMSUB", "s1", "nope") == ["s1", 1, "nope", 0]
        assert c.call("SUNSUBSCRIBE", "s1") == [b"sunsubscribe", b"s1", 1]
        c.send(encode("SUNSUBSCRIBE"))
        assert c.read() == [b"sunsubscribe", b"s2", 0]
        assert c.call("SUNSUBSCRIBE") == [b"sunsubscribe", None, 0]


def test_ssubscribe_refused_inside_exec_subscribe_allowed(server):
    with server.raw() as c:
        assert c.call("MULTI") == "OK"
        assert c.call("SSUBSCRIBE", "s") == "QUEUED"
        assert c.call("EXEC") == [
            RespError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")]
        assert c.call("MULTI") == "OK"
        assert c.call("SUBSCRIBE", "c") == "QUEUED"
        assert c.call("EXEC") == [[b"subscribe", b"c", 1]]
        assert c.call("GET", "x") == RespError(RESTRICTED.format("get"))


def test_pubsub_introspection(server, r):
    with subscriber(server, "SUBSCRIBE", "news.a", "news.b", "other") as a, \
            subscriber(server, "SUBSCRIBE", "news.a") as b, \
            subscriber(server, "PSUBSCRIBE", "p1*", "p2*") as p, \
            subscriber(server, "PSUBSCRIBE", "p1*") as q:
        for c, n in ((a, 3), (b, 1), (p, 2), (q, 1)):
            for _ in range(n):
                c.read()
        assert sorted(r.pubsub_channels()) == ["news.a", "news.b", "other"]
        assert sorted(r.pubsub_channels("news.*")) == ["news.a", "news.b"]
        assert r.pubsub_numsub("news.a", "news.b", "none") == [
            ("news.a", 2), ("news.b", 1), ("none", 0)]
        assert r.execute_command("PUBSUB", "NUMSUB") == []
        assert r.pubsub_numpat() == 2  # distinct patterns, not subscriptions
        assert r.execute_command("PUBSUB", "SHARDCHANNELS") == []
        info = r.info("stats")
        assert info["pubsub_channels"] == 3
        assert info["pubsub_patterns"] == 2
        assert info["pubsubshard_channels"] == 0
        assert r.info("clients")["pubsub_clients"] == 4
    wait_until(lambda: r.pubsub_numpat() == 0 and r.pubsub_channels() == [],
               message="disconnected subscribers to be dropped")
    assert r.info("clients")["pubsub_clients"] == 0


def test_pubsub_subcommand_errors_and_help(server, r):
    with server.raw() as c:
        assert c.call("PUBSUB", "CHANNELS", "a", "b") == RespError(
            "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB "
            "HELP.")
        assert c.call("PUBSUB", "NUMPAT", "x") == RespError(
            "ERR wrong number of arguments for 'pubsub|numpat' command")
        assert c.call("PUBSUB", "NOPE") == RespError(
            "ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.")
        assert c.call("PUBSUB") == RespError(
            "ERR wrong number of arguments for 'pubsub' command")
        assert c.call("SUBSCRIBE") == RespError(
            "ERR wrong number of arguments for 'subscribe' command")
        assert c.call("PUBLISH", "a") == RespError(
            "ERR wrong number of arguments for 'publish' command")
        help_lines = c.call("PUBSUB", "HELP")
        assert help_lines[0].startswith("PUBSUB <subcommand>")
        assert "NUMSUB [<channel> ...]" in help_lines
        assert help_lines[-2:] == ["HELP", "    Print this help."]


def client_fields(r, client_id):
    line = r.execute_command("CLIENT", "LIST", "ID", client_id)
    if isinstance(line, list):
        line = line[0]
    if isinstance(line, dict):
        return {k: str(v) for k, v in line.items()}
    return dict(kv.split("=", 1) for kv in line.strip().split(" "))


def test_client_list_shows_subscriptions(server, r):
    with server.raw() as c:
        cid = c.call("CLIENT", "ID")
        c.send(encode("SUBSCRIBE", "a", "b"))
        c.read(), c.read()
        c.send(encode("PSUBSCRIBE", "p*"))
        c.read()
        c.send(encode("SSUBSCRIBE", "s"))
        c.read()
        fields = client_fields(r, cid)
        assert (fields["sub"], fields["psub"], fields["ssub"]) == ("2", "1", "1")
        assert fields["flags"] == "P"
        listed = r.execute_command("CLIENT", "LIST", "TYPE", "pubsub")
        assert f"id={cid} " in str(listed)
        assert f"id={cid} " not in str(r.execute_command("CLIENT", "LIST", "TYPE", "normal"))
        assert r.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
        assert c.wait_closed()


def test_redis_py_pubsub_object(server, r):
    p = server.client().pubsub()
    p.subscribe("news")
    p.psubscribe("n*")
    wait_until(lambda: p.get_message(timeout=0.1) is None and r.pubsub_numpat() == 1
               and r.pubsub_numsub("news") == [("news", 1)], message="subscriptions")
    assert r.publish("news", "hi") == 2
    got = []
    wait_until(lambda: got.append(p.get_message(timeout=0.1)) or
               len([m for m in got if m]) == 2, message="two messages")
    messages = [m for m in got if m]
    assert {m["type"] for m in messages} == {"message", "pmessage"}
    assert all(m["data"] == "hi" and m["channel"] == "news" for m in messages)
    p.close()


def tls_args(certs):
    return ["--tls-cert-file", certs.server_crt, "--tls-key-file", certs.server_key,
            "--tls-ca-cert-file", certs.ca]


def test_pubsub_over_tls(server_factory, certs):
    s = server_factory.start(*tls_args(certs), tls_port="auto")
    ctx = ssl_context(certs.ca, certs.client_crt, certs.client_key)
    with RawConn(s.tls_port, ssl_context=ctx) as sub3, \
            RawConn(s.tls_port, ssl_context=ctx) as sub2:
        sub3.call("HELLO", "3")
        sub3.send(encode("PSUBSCRIBE", "tls.*"))
        assert sub3.read_raw() == b">3\r\n$10\r\npsubscribe\r\n$5\r\ntls.*\r\n:1\r\n"
        sub2.send(encode("SUBSCRIBE", "tls.chan"))
        assert sub2.read() == [b"subscribe", b"tls.chan", 1]
        publisher = s.tls_client(certs.ca, certs.client_crt, certs.client_key)
        big = "x" * 100_000  # several TLS records
        assert publisher.publish("tls.chan", big) == 2
        assert sub2.read() == [b"message", b"tls.chan", big.encode()]
        assert sub3.read() == [b"pmessage", b"tls.*", b"tls.chan", big.encode()]
        # A plaintext publisher reaches TLS subscribers too.
        assert s.client().publish("tls.chan", "plain") == 2
        assert sub2.read() == [b"message", b"tls.chan", b"plain"]
        publisher.close()


def stalled_subscriber(server, channel):
    """A subscriber that never reads, with a small receive buffer so the server's output
    buffer is what fills up."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(encode("SUBSCRIBE", channel))
    return sock


def test_slow_subscriber_hits_pubsub_hard_limit(server_factory):
    s = server_factory.start("--client-output-buffer-limit", "pubsub 256kb 0 0")
    r = s.client()
    sock = stalled_subscriber(s, "firehose")
    wait_until(lambda: r.pubsub_numsub("firehose") == [("firehose", 1)], message="subscribe")
    payload = "y" * 65536
    # The normal class is unlimited, so only the pubsub class can cut the subscriber off.
    wait_until(lambda: r.publish("firehose", payload) == 0, message="subscriber disconnected")
    assert r.info("stats")["client_output_buffer_limit_disconnections"] == 1
    assert r.info("clients")["pubsub_clients"] == 0
    assert "overcoming of output buffer limits" in s.output()
    sock.close()


def test_slow_subscriber_over_soft_limit_too_long(server_factory):
    s = server_factory.start("--client-output-buffer-limit", "pubsub 0 128kb 1")
    r = s.client()
    sock = stalled_subscriber(s, "drip")
    wait_until(lambda: r.pubsub_numsub("drip") == [("drip", 1)], message="subscribe")
    payload = "z" * 16384
    # Keeps the buffer above the soft limit until it has been there more than a second.
    wait_until(lambda: r.publish("drip", payload) == 0, message="soft limit disconnect",
               interval=0.05)
    assert r.info("stats")["client_output_buffer_limit_disconnections"] == 1
    sock.close()


def test_reading_subscriber_survives_the_limit(server_factory):
    s = server_factory.start("--client-output-buffer-limit", "pubsub 256kb 0 0")
    r = s.client()
    with subscriber(s, "SUBSCRIBE", "ok") as c:
        c.read()
        for i in range(50):
            assert r.publish("ok", str(i) * 1000) == 1
            assert c.read()[2] == (str(i) * 1000).encode()
    assert r.info("stats")["client_output_buffer_limit_disconnections"] == 0
