#!/usr/bin/python3
"""bench/tls_storm.py - TLS handshake storm: how much does a burst of new TLS
connections hurt the latency of an already-established client?

For cachet-server and redis-server (both started once, pinned to CPU 0, kept
up for the whole benchmark, measured alternately over RUNS runs):

  1. a probe process keeps one established TLS connection and sends PING in a
     closed loop, recording every round-trip time;
  2. baseline phase: BASELINE_SECS with only the probe;
  3. storm phase: waves of STORM_CONNS new TLS connections opened at once
     (each: handshake, one PING, close), repeated for about STORM_SECS.

Prints a markdown table of the medians across runs. See bench/README.md.
Standard library only. The report goes to stdout, progress to stderr.
"""

import argparse
import asyncio
import json
import os
import resource
import shlex
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PING = b"*1\r\n$4\r\nPING\r\n"
PONG = b"+PONG\r\n"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(1)


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        v = int(raw)
    except ValueError:
        die(f"{name} must be an integer (got {raw!r})")
    if v < 0:
        die(f"{name} must not be negative (got {raw!r})")
    return v


def env_float(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        v = float(raw)
    except ValueError:
        die(f"{name} must be a number (got {raw!r})")
    if v < 0:
        die(f"{name} must not be negative (got {raw!r})")
    return v


def pin(cpus):
    try:
        os.sched_setaffinity(0, cpus)
    except (AttributeError, OSError) as e:
        log(f"warning: cannot pin to CPUs {sorted(cpus)}: {e}")


def client_context(cafile, tls_version):
    ctx = ssl.create_default_context(cafile=cafile)
    if tls_version == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif tls_version == "1.3":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    return ctx


# ---------------------------------------------------------------------------
# Role "probe": one established TLS connection, PING in a closed loop.
# Prints "ready" once connected, then runs until SIGTERM and prints one JSON
# line: {"t": [start times, monotonic ns], "rtt": [ns], "error": ...}.
# ---------------------------------------------------------------------------
def role_probe(a):
    pin({a.cpu})
    stop = False

    def on_term(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    ctx = client_context(a.cafile, a.tls_version)
    raw = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn = ctx.wrap_socket(raw, server_hostname="localhost")
    interval = a.interval_ms / 1000.0
    starts, rtts, error = [], [], None

    def ping_once():
        conn.sendall(PING)
        got = b""
        while len(got) < len(PONG):
            chunk = conn.recv(64)
            if not chunk:
                raise ConnectionError("server closed the probe connection")
            got += chunk
        if got != PONG:
            raise ConnectionError(f"unexpected reply {got!r}")

    for _ in range(50):  # warm up before announcing readiness
        ping_once()
    print("ready", flush=True)
    now = time.monotonic_ns
    while not stop:
        t0 = now()
        try:
            ping_once()
        except (OSError, ConnectionError) as e:
            error = f"{type(e).__name__}: {e}"
            break
        t1 = now()
        starts.append(t0)
        rtts.append(t1 - t0)
        if interval:
            time.sleep(interval)
    try:
        conn.close()
    except OSError:
        pass
    print(json.dumps({"t": starts, "rtt": rtts, "error": error}), flush=True)


# ---------------------------------------------------------------------------
# Role "storm": waves of new TLS connections. Prints one JSON line.
# ---------------------------------------------------------------------------
def classify(e):
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, ssl.SSLError):
        return "ssl:" + (e.reason or type(e).__name__)
    if isinstance(e, asyncio.IncompleteReadError):
        return "closed before PONG"
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    return type(e).__name__


async def one_connection(port, ctx, timeout):
    t0 = time.monotonic_ns()
    writer = None
    try:
        async def attempt():
            nonlocal writer
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=ctx, server_hostname="localhost",
                ssl_handshake_timeout=timeout)
            writer.write(PING)
            await writer.drain()
            reply = await reader.readexactly(len(PONG))
            if reply != PONG:
                raise ConnectionError("unexpected reply")

        await asyncio.wait_for(attempt(), timeout)
        result = (True, time.monotonic_ns() - t0)
    except Exception as e:  # noqa: BLE001 - every failure is counted
        result = (False, classify(e))
    if writer is not None:
        writer.close()  # sends close_notify
        try:
            await asyncio.wait_for(writer.wait_closed(), 2)
        except Exception:  # noqa: BLE001
            writer.transport.abort()
    return result


async def storm(a):
    ctx = client_context(a.cafile, a.tls_version)
    start = time.monotonic_ns()
    end_target = start + int(a.seconds * 1e9)
    ok, failed, reasons, conn_times, waves = 0, 0, {}, [], []
    while True:
        w0 = time.monotonic_ns()
        results = await asyncio.gather(
            *(one_connection(a.port, ctx, a.timeout) for _ in range(a.conns)))
        w1 = time.monotonic_ns()
        wok = 0
        for good, v in results:
            if good:
                wok += 1
                conn_times.append(v)
            else:
                reasons[v] = reasons.get(v, 0) + 1
        ok += wok
        failed += len(results) - wok
        waves.append({"secs": (w1 - w0) / 1e9, "ok": wok, "failed": len(results) - wok})
        if w1 >= end_target:
            break
    end = time.monotonic_ns()
    return {"start": start, "end": end, "ok": ok, "failed": failed,
            "reasons": reasons, "conn_times": conn_times, "waves": waves}


def role_storm(a):
    pin({a.cpu})
    raise_nofile(a.conns * 2 + 256)
    print(json.dumps(asyncio.run(storm(a))), flush=True)


# ---------------------------------------------------------------------------
# Orchestrator
# ---------------------------------------------------------------------------
def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, needed)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < needed:
        log(f"warning: RLIMIT_NOFILE hard limit {hard} is below the {needed} "
            "descriptors wanted; expect EMFILE failures")


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def server_ticks(pid):
    """user+system CPU clock ticks of a process, all threads."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def pct(sorted_vals, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_vals:
        return None
    k = max(1, -(-len(sorted_vals) * p // 100))  # ceil(n * p / 100)
    return sorted_vals[min(len(sorted_vals), int(k)) - 1]


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, digits=2):
    if v is None:
        return "n/a"
    return f"{v:.{digits}f}"


class Server:
    def __init__(self, name, binary, extra_args, workdir, certs, cpu):
        self.name, self.binary, self.extra = name, binary, extra_args
        self.dir = os.path.join(workdir, name)
        self.certs, self.cpu = certs, cpu
        self.port, self.tls_port = None, None
        self.proc = None

    def start(self, port, tls_port):
        self.port, self.tls_port = port, tls_port
        os.makedirs(self.dir, exist_ok=True)
        c = self.certs
        cmd = ["taskset", "-c", str(self.cpu), self.binary,
               "--port", str(port), "--bind", "127.0.0.1",
               "--tls-port", str(tls_port),
               "--tls-cert-file", os.path.join(c, "server.crt"),
               "--tls-key-file", os.path.join(c, "server.key"),
               "--tls-ca-cert-file", os.path.join(c, "ca.crt"),
               "--tls-auth-clients", "no",
               "--logfile", os.path.join(self.dir, "server.log")] + self.extra
        self.stdout = open(os.path.join(self.dir, "stdout.log"), "wb")
        # taskset execs the server, so proc.pid is the server's pid.
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=self.stdout, stderr=subprocess.STDOUT)

    def cli(self, *args, tls=False):
        cmd = [REDIS_CLI, "-h", "127.0.0.1"]
        if tls:
            cmd += ["-p", str(self.tls_port), "--tls", "--cacert",
                    os.path.join(self.certs, "ca.crt")]
        else:
            cmd += ["-p", str(self.port)]
        try:
            r = subprocess.run(cmd + list(args), capture_output=True, timeout=5)
        except subprocess.TimeoutExpired:
            return ""
        return r.stdout.decode(errors="replace").replace("\r", "")

    def info(self, section):
        out = {}
        for line in self.cli("info", section).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k] = v
        return out

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def dump_logs(self):
        for f in ("server.log", "stdout.log"):
            p = os.path.join(self.dir, f)
            if os.path.exists(p) and os.path.getsize(p):
                log(f"---- last lines of {p} ----")
                with open(p, errors="replace") as fh:
                    for line in fh.readlines()[-20:]:
                        log(line.rstrip("\n"))

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                self.dump_logs()
                die(f"{self.name} server ({self.binary}) exited during startup")
            if self.cli("ping").strip() == "PONG" and self.cli("ping", tls=True).strip() == "PONG":
                return
            if time.monotonic() >= deadline:
                self.dump_logs()
                die(f"{self.name} server did not answer PING within {timeout}s")
            time.sleep(0.1)

    def wait_idle(self, timeout):
        """Poll until only our redis-cli is connected (storm sockets are gone)."""
        deadline = time.monotonic() + timeout
        while True:
            n = self.info("clients").get("connected_clients")
            if n is not None and n.isdigit() and int(n) <= 1:
                return True
            if time.monotonic() >= deadline:
                log(f"warning: {self.name} still has {n} clients after {timeout}s")
                return False
            time.sleep(0.1)

    def version(self):
        i = self.info("server")
        if "cachet_version" in i:
            return "cachet " + i["cachet_version"]
        if "redis_version" in i:
            return "redis_version " + i["redis_version"]
        return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stdout.close()


CHILDREN = []


def spawn_role(role, server, cfg, extra):
    cmd = [sys.executable, os.path.abspath(__file__), "--role", role,
           "--port", str(server.tls_port), "--cafile", os.path.join(server.certs, "ca.crt"),
           "--cpu", str(cfg.client_cpu), "--tls-version", cfg.tls_version] + extra
    nice = cfg.storm_nice if role == "storm" else 0
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         preexec_fn=(lambda: os.nice(nice)) if nice else None)
    CHILDREN.append(p)
    return p


def reap(p, timeout):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    if p in CHILDREN:
        CHILDREN.remove(p)
    return out.decode(errors="replace")


def measure(server, cfg):
    """One baseline + storm measurement against one server. Returns a dict."""
    server.wait_idle(30)
    probe = spawn_role("probe", server, cfg,
                       ["--interval-ms", str(cfg.probe_interval_ms), "--timeout", "30"])
    line = probe.stdout.readline().decode().strip()
    if line != "ready":
        reap(probe, 5)
        if not server.alive():
            server.dump_logs()
            die(f"{server.name} server died")
        die(f"probe could not connect to {server.name} (got {line!r})")
    t_base = time.monotonic_ns()
    time.sleep(cfg.baseline_secs)  # the baseline measurement window
    ticks0 = server_ticks(server.proc.pid)
    storm = spawn_role("storm", server, cfg,
                       ["--conns", str(cfg.conns), "--seconds", str(cfg.storm_secs),
                        "--timeout", str(cfg.conn_timeout)])
    out = reap(storm, cfg.storm_secs + 10 * cfg.conn_timeout + 60)
    ticks1 = server_ticks(server.proc.pid)
    probe.send_signal(signal.SIGTERM)
    pout = reap(probe, 60)
    if not server.alive():
        server.dump_logs()
        die(f"{server.name} server died during the storm")
    try:
        st = json.loads(out.strip().splitlines()[-1])
        pr = json.loads(pout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        die(f"no result from the storm/probe processes against {server.name}:\n{out[-500:]}\n{pout[-500:]}")

    base, during = [], []
    for t, rtt in zip(pr["t"], pr["rtt"]):
        if t_base <= t < st["start"]:
            base.append(rtt / 1e6)
        elif st["start"] <= t <= st["end"]:
            during.append(rtt / 1e6)
    base.sort()
    during.sort()
    storm_secs = (st["end"] - st["start"]) / 1e9
    ct = sorted(v / 1e6 for v in st["conn_times"])
    busy = us_per = None
    if ticks0 is not None and ticks1 is not None and storm_secs > 0:
        cpu_s = (ticks1 - ticks0) / CLK_TCK
        busy = 100 * cpu_s / storm_secs
        if st["ok"]:
            us_per = cpu_s * 1e6 / st["ok"]
    return {
        "base_p50": pct(base, 50), "base_p99": pct(base, 99),
        "storm_p50": pct(during, 50), "storm_p99": pct(during, 99),
        "storm_max": during[-1] if during else None,
        "ok": st["ok"], "failed": st["failed"],
        "hs_per_s": st["ok"] / storm_secs if storm_secs > 0 else None,
        "storm_secs": storm_secs, "waves": len(st["waves"]),
        "busy": busy, "us_per_hs": us_per,
        "conn_p50": pct(ct, 50), "conn_p99": pct(ct, 99),
        "n_base": len(base), "n_storm": len(during),
        "reasons": st["reasons"], "probe_error": pr["error"],
    }


def parse_args():
    p = argparse.ArgumentParser(
        description="TLS handshake storm: established-client PING latency while "
                    "waves of new TLS connections hit cachet-server and redis-server.",
        epilog="""Environment (defaults in brackets):
  CACHET_SERVER      cachet binary [<repo>/build/bin/cachet-server]
  REDIS_SERVER       redis binary  [/usr/bin/redis-server]
  CACHET_EXTRA_ARGS  extra server args, shell-quoted
                     [--save "" --appendonly no --tls-session-caching yes]
  REDIS_EXTRA_ARGS   extra server args, shell-quoted [--save "" --appendonly no]
  REDIS_CLI          redis-cli binary (readiness polling) [redis-cli]
  RUNS               runs per server, medians reported [3, min 3]
  STORM_CONNS        new TLS connections opened at once per wave [1000]
  BASELINE_SECS      probe-only phase [2; quick: 1]
  STORM_SECS         keep starting waves until this much time has passed [5; quick: 1]
  CONN_TIMEOUT       seconds one storm connection may take (connect, handshake,
                     PING) before it counts as failed [15]
  PROBE_INTERVAL_MS  pause between the probe's PINGs; 0 = back to back [1]
  STORM_NICE         niceness of the storm generator, so that the probe
                     (sharing CLIENT_CPU) is scheduled promptly [5]
  TLS_VERSION        any, 1.2 or 1.3 for probe and storm [any]
  SERVER_CPU         CPU the servers are pinned to [0]
  CLIENT_CPU         CPU the probe and the storm generator are pinned to [1]
  READY_TIMEOUT      seconds to wait for a server to answer PING [20]
  KEEP_TMP           1 = keep the temp dir (certs, server logs) [0]""",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short smoke run, numbers not meaningful")
    p.add_argument("--runs", type=int, help="runs per server (minimum 3); same as RUNS=N")
    # internal: child process roles
    p.add_argument("--role", choices=["probe", "storm"], help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--cafile", help=argparse.SUPPRESS)
    p.add_argument("--cpu", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--tls-version", default="any", help=argparse.SUPPRESS)
    p.add_argument("--interval-ms", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=float, default=15.0, help=argparse.SUPPRESS)
    p.add_argument("--conns", type=int, default=1000, help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    return p.parse_args()


class Cfg:
    pass


def main():
    a = parse_args()
    if a.role == "probe":
        return role_probe(a)
    if a.role == "storm":
        return role_storm(a)

    global REDIS_CLI, CLK_TCK
    cfg = Cfg()
    cachet_bin = os.environ.get("CACHET_SERVER") or os.path.join(REPO_DIR, "build/bin/cachet-server")
    redis_bin = os.environ.get("REDIS_SERVER") or "/usr/bin/redis-server"
    cachet_extra_s = os.environ.get("CACHET_EXTRA_ARGS", '--save "" --appendonly no --tls-session-caching yes')
    redis_extra_s = os.environ.get("REDIS_EXTRA_ARGS", '--save "" --appendonly no')
    REDIS_CLI = os.environ.get("REDIS_CLI") or "redis-cli"
    CLK_TCK = os.sysconf("SC_CLK_TCK")
    runs = a.runs if a.runs is not None else env_int("RUNS", 3)
    if runs < 3:
        log(f"warning: RUNS={runs} is below the minimum of 3; using 3")
        runs = 3
    cfg.conns = env_int("STORM_CONNS", 1000)
    cfg.baseline_secs = env_float("BASELINE_SECS", 1.0 if a.quick else 2.0)
    cfg.storm_secs = env_float("STORM_SECS", 1.0 if a.quick else 5.0)
    cfg.conn_timeout = env_float("CONN_TIMEOUT", 15.0)
    cfg.probe_interval_ms = env_float("PROBE_INTERVAL_MS", 1.0)
    cfg.storm_nice = env_int("STORM_NICE", 5)
    cfg.tls_version = os.environ.get("TLS_VERSION", "any")
    cfg.server_cpu = env_int("SERVER_CPU", 0)
    cfg.client_cpu = env_int("CLIENT_CPU", 1)
    ready_timeout = env_int("READY_TIMEOUT", 20)
    keep_tmp = os.environ.get("KEEP_TMP", "0") == "1"
    if cfg.conns < 1:
        die("STORM_CONNS must be at least 1")
    if cfg.tls_version not in ("any", "1.2", "1.3"):
        die("TLS_VERSION must be any, 1.2 or 1.3")
    try:
        cachet_extra, redis_extra = shlex.split(cachet_extra_s), shlex.split(redis_extra_s)
    except ValueError as e:
        die(f"cannot parse CACHET_EXTRA_ARGS/REDIS_EXTRA_ARGS: {e}")

    if not (os.path.isfile(cachet_bin) and os.access(cachet_bin, os.X_OK)):
        die(f"cachet-server not found or not executable: {cachet_bin}\n"
            "       build it first, or point CACHET_SERVER at the binary")
    if not (os.path.isfile(redis_bin) and os.access(redis_bin, os.X_OK)):
        die(f"redis-server not found or not executable: {redis_bin} (set REDIS_SERVER)")
    for tool in (REDIS_CLI, "taskset", "openssl"):
        if shutil.which(tool) is None:
            die(f"required tool not found: {tool}")
    gen_certs = os.path.join(REPO_DIR, "scripts", "gen-certs")
    if not os.path.isfile(gen_certs):
        die(f"{gen_certs} not found")
    ncpu = os.cpu_count() or 1
    if ncpu < 2 and cfg.client_cpu == 1:
        log(f"warning: only {ncpu} CPU online: servers and clients will share CPU 0")
        cfg.client_cpu = 0

    # Descriptors for the servers (they inherit it) and for us.
    raise_nofile(cfg.conns * 2 + 256)
    workdir = tempfile.mkdtemp(prefix="cachet-tls-storm.", dir=os.environ.get("TMPDIR") or "/tmp")
    servers = []

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        log(f"temp dir: {workdir}")
        certs = os.path.join(workdir, "certs")
        r = subprocess.run(["bash", gen_certs, certs], capture_output=True)
        if r.returncode != 0 or not all(
                os.path.isfile(os.path.join(certs, f)) and os.path.getsize(os.path.join(certs, f)) > 0
                for f in ("ca.crt", "server.crt", "server.key")):
            log(r.stderr.decode(errors="replace"))
            die("scripts/gen-certs failed")

        ports = free_ports(4)
        cachet = Server("cachet", cachet_bin, cachet_extra, workdir, certs, cfg.server_cpu)
        redis = Server("redis", redis_bin, redis_extra, workdir, certs, cfg.server_cpu)
        servers = [cachet, redis]
        cachet.start(ports[0], ports[1])
        redis.start(ports[2], ports[3])
        for s in servers:
            s.wait_ready(ready_timeout)
            log(f"{s.name}: pid {s.proc.pid} port {s.port} tls {s.tls_port}")

        # The orchestrator itself only waits; keep it off the server CPU.
        pin({cfg.client_cpu})
        load_start = open("/proc/loadavg").read().split()[:3]
        t_start = time.monotonic()
        results = {"cachet": [], "redis": []}
        for run in range(1, runs + 1):
            order = servers if run % 2 else servers[::-1]
            for s in order:
                m = measure(s, cfg)
                results[s.name].append(m)
                log(f"[run {run}/{runs}] {s.name}: baseline p50/p99 {fmt(m['base_p50'], 3)}/"
                    f"{fmt(m['base_p99'], 3)} ms ({m['n_base']} pings), storm p50/p99/max "
                    f"{fmt(m['storm_p50'], 3)}/{fmt(m['storm_p99'], 3)}/{fmt(m['storm_max'], 1)} ms "
                    f"({m['n_storm']} pings), handshakes {m['ok']} ok / {m['failed']} failed in "
                    f"{m['storm_secs']:.2f}s ({m['waves']} waves) = {fmt(m['hs_per_s'], 0)}/s, "
                    f"server busy {fmt(m['busy'], 0)}%"
                    + (f", failures: {m['reasons']}" if m["reasons"] else "")
                    + (f", probe error: {m['probe_error']}" if m["probe_error"] else ""))
        elapsed = time.monotonic() - t_start
        report(cfg, runs, a.quick, results, servers, cachet_bin, redis_bin,
               cachet_extra_s, redis_extra_s, load_start, elapsed, ncpu)
        failed = any(m["probe_error"] for ms in results.values() for m in ms)
        return 2 if failed else 0
    finally:
        for p in list(CHILDREN):
            if p.poll() is None:
                p.kill()
                p.wait()
        for s in servers:
            s.stop()
        if keep_tmp:
            log(f"temp dir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(cfg, runs, quick, results, servers, cachet_bin, redis_bin,
           cachet_extra_s, redis_extra_s, load_start, elapsed, ncpu):
    cpu_model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {s.name: s.version() for s in servers}
    extra = {"cachet": cachet_extra_s, "redis": redis_extra_s}
    bins = {"cachet": cachet_bin, "redis": redis_bin}
    inv = "bench/tls_storm.py" + ("".join(" " + shlex.quote(x) for x in sys.argv[1:]))

    print("# cachet vs redis: TLS handshake storm")
    print()
    print(f"- CPU: {cpu_model} ({ncpu} CPUs online); servers pinned with `taskset -c {cfg.server_cpu}`, "
          f"probe and storm generator with `sched_setaffinity({{{cfg.client_cpu}}})`")
    print(f"- Runs: {runs} per server, interleaved (first server alternates per run); every figure is the "
          f"median across runs" + (" (--quick: smoke-test sizes, numbers are not meaningful)" if quick else ""))
    print(f"- Probe: one established TLS connection (own process), PING round trips in a closed loop, "
          f"{cfg.probe_interval_ms:g} ms pause between PINGs; baseline {cfg.baseline_secs:g} s without storm")
    print(f"- Storm: waves of {cfg.conns} new TLS connections started at once (asyncio, one process, "
          f"nice +{cfg.storm_nice}), each = TCP connect + full handshake (certificate verified, no resumption) "
          f"+ one PING + close_notify; waves repeat until {cfg.storm_secs:g} s have passed, the last wave runs "
          f"to completion; per-connection time limit {cfg.conn_timeout:g} s; TLS version: {cfg.tls_version}")
    print(f"- Client: Python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}")
    for n in ("cachet", "redis"):
        v = versions.get(n)
        print(f"- {n}: `{bins[n]}`" + (f" ({v})" if v else "") + (f" extra args: `{extra[n]}`" if extra[n] else ""))
    print(f"- Load average at start: {' '.join(load_start)}; measurement took {elapsed:.0f}s; invoked as `{inv}`")
    print()
    print("**The storm generator is the bottleneck.** Python's client side of a TLS handshake (plus asyncio) "
          f"costs more CPU than the server side, and it all runs on CPU {cfg.client_cpu}, so handshakes/s "
          "is capped by the client; the server busy % below shows how much headroom the server had. The "
          "latency columns are the interesting part: how much the storm slows an established client.")
    print()
    print("| server | baseline p50 | baseline p99 | storm p50 | storm p99 | storm max | handshakes ok/failed | handshakes/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in ("cachet", "redis"):
        ms = results[n]
        g = lambda k: med([m[k] for m in ms])  # noqa: E731
        ok, bad = g("ok"), g("failed")
        print(f"| {n} | {fmt(g('base_p50'), 3)} ms | {fmt(g('base_p99'), 3)} ms | {fmt(g('storm_p50'), 3)} ms | "
              f"{fmt(g('storm_p99'), 3)} ms | {fmt(g('storm_max'), 1)} ms | {ok:.0f}/{bad:.0f} | {fmt(g('hs_per_s'), 0)} |")
    print()
    print("Latencies are the probe's PING round trips. handshakes ok = connection + handshake + PING completed; "
          "failed = error or time limit (reasons below).")
    print()
    print("| server | storm secs | waves | storm conn time p50 / p99 (connect to PONG) | server CPU busy during storm | server CPU per handshake | probe PINGs baseline / storm |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in ("cachet", "redis"):
        ms = results[n]
        g = lambda k: med([m[k] for m in ms])  # noqa: E731
        print(f"| {n} | {fmt(g('storm_secs'), 2)} | {g('waves'):.0f} | {fmt(g('conn_p50'), 1)} / {fmt(g('conn_p99'), 1)} ms | "
              f"{fmt(g('busy'), 0)} % | {fmt(g('us_per_hs'), 0)} us | {g('n_base'):.0f} / {g('n_storm'):.0f} |")
    print()
    print("<details><summary>Raw samples (in run order)</summary>")
    print()
    print("| server | run | base p50 | base p99 | storm p50 | storm p99 | storm max | ok/failed | hs/s | busy % | failures |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in ("cachet", "redis"):
        for i, m in enumerate(results[n], 1):
            reasons = ", ".join(f"{k}: {v}" for k, v in sorted(m["reasons"].items())) or "-"
            if m["probe_error"]:
                reasons += f"; probe: {m['probe_error']}"
            print(f"| {n} | {i} | {fmt(m['base_p50'], 3)} | {fmt(m['base_p99'], 3)} | {fmt(m['storm_p50'], 3)} | "
                  f"{fmt(m['storm_p99'], 3)} | {fmt(m['storm_max'], 1)} | {m['ok']}/{m['failed']} | "
                  f"{fmt(m['hs_per_s'], 0)} | {fmt(m['busy'], 0)} | {reasons} |")
    print()
    print("</details>")
    sys.stdout.flush()


REDIS_CLI = "redis-cli"
CLK_TCK = 100

if __name__ == "__main__":
    sys.exit(main() or 0)
