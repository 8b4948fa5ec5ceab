# shellcheck shell=bash
# bench/lib.sh - setup shared by the benchmark scripts in bench/: temp dir and
# cleanup, TLS certificates, free ports, starting and stopping cachet-server
# and redis-server side by side, readiness polling, INFO fields, and CPU time
# from /proc. Sourced, never run; see bench/README.md.
#
# The caller sets these before calling the functions below:
#   CACHET_SERVER REDIS_SERVER REDIS_CLI   binaries
#   SERVER_CPU CLIENT_CPU                  taskset CPU lists
#   READY_TIMEOUT                          seconds wait_ready waits for PING
#   KEEP_TMP                               1 = keep the temp dir on exit
#   NEED_TLS                               1 = wait_ready also pings the TLS port
# and gets these globals:
#   REPO_DIR WORKDIR CERT_DIR CERT_SOURCE NCPU CLK_TCK
#   PORT[s] TLS_PORT[s] PID[s] BIN[s] for s in cachet, redis
#   SERVER_PIDS LOADGEN_PIDS (stopped on exit; add load generators to the latter)

[[ -n ${BENCH_LIB_LOADED:-} ]] && return 0
BENCH_LIB_LOADED=1

REPO_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

log()  { printf '%s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Preconditions and the machine
# ---------------------------------------------------------------------------
require_server_binaries() {
  if [[ ! -x $CACHET_SERVER ]]; then
    die "cachet-server not found or not executable: $CACHET_SERVER
       build it first, or point CACHET_SERVER at the binary"
  fi
  [[ -x $REDIS_SERVER ]] || die "redis-server not found or not executable: $REDIS_SERVER (set REDIS_SERVER)"
}

require_tools() {  # require_tools TOOL...
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
  done
}

# Sets NCPU and CLK_TCK. With a single CPU the client has to share CPU 0;
# LOAD_NAME says who that is in the warning ("redis-benchmark", ...).
detect_cpus() {  # detect_cpus LOAD_NAME
  NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
  CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
  [[ $CLK_TCK =~ ^[1-9][0-9]*$ ]] || CLK_TCK=100
  if ((NCPU < 2)) && [[ $SERVER_CPU == 0 && $CLIENT_CPU == 1 ]]; then
    warn "only $NCPU CPU online: servers and $1 will share CPU 0"
    CLIENT_CPU=0
  fi
}

cpu_model() {
  local m
  m=$(LC_ALL=C lscpu 2>/dev/null | awk -F: '/^Model name/ { sub(/^[ \t]+/, "", $2); print $2; exit }')
  [[ -n $m ]] || m=$(awk -F: '/^model name/ { sub(/^[ \t]+/, "", $2); print $2; exit }' /proc/cpuinfo 2>/dev/null)
  printf '%s\n' "${m:-unknown}"
}

# ---------------------------------------------------------------------------
# Temp dir and cleanup: on exit (also Ctrl-C) stop the load generators and the
# servers this script started, then delete the temp dir.
# ---------------------------------------------------------------------------
SERVER_PIDS=()
LOADGEN_PIDS=()

cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM
  for pid in "${LOADGEN_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  if [[ $KEEP_TMP == 1 ]]; then
    log "temp dir kept: $WORKDIR"
  else
    rm -rf -- "$WORKDIR"
  fi
  exit "$rc"
}

make_workdir() {  # make_workdir PREFIX: sets WORKDIR and installs the traps
  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ---------------------------------------------------------------------------
# Certificates: scripts/gen-certs if it works, else the openssl CLI directly.
# Sets CERT_DIR (ca.crt, server.crt, server.key) and CERT_SOURCE.
# ---------------------------------------------------------------------------
gen_certs_inline() {
  local d=$1
  cat >"$d/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt             = no
[dn]
CN = cachet-bench throwaway CA
[v3_ca]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
[v3_server]
basicConstraints       = CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
EOF
  openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 2 \
    -config "$d/openssl.cnf" -extensions v3_ca \
    -subj "/CN=cachet-bench throwaway CA" -keyout "$d/ca.key" -out "$d/ca.crt"
  openssl req -new -nodes -newkey rsa:2048 -sha256 -config "$d/openssl.cnf" \
    -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr"
  openssl x509 -req -sha256 -days 2 -in "$d/server.csr" \
    -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -extfile "$d/openssl.cnf" -extensions v3_server -out "$d/server.crt"
}

certs_ok() { [[ -s $1/ca.crt && -s $1/server.crt && -s $1/server.key ]]; }

make_certs() {
  local cand gen=""
  CERT_DIR=$WORKDIR/certs
  CERT_SOURCE=""
  mkdir -p "$CERT_DIR"
  for cand in "$REPO_DIR/scripts/gen-certs" "$REPO_DIR/scripts/gen-certs.sh"; do
    [[ -f $cand ]] && { gen=$cand; break; }
  done
  if [[ -n $gen ]]; then
    if { if [[ -x $gen ]]; then "$gen" "$CERT_DIR"; else bash "$gen" "$CERT_DIR"; fi; } \
         >"$WORKDIR/gen-certs.log" 2>&1 && certs_ok "$CERT_DIR"; then
      CERT_SOURCE="scripts/$(basename "$gen")"
    else
      warn "$gen failed or produced no ca.crt/server.crt/server.key; generating inline"
      sed 's/^/  /' "$WORKDIR/gen-certs.log" >&2 || true
      rm -rf -- "$CERT_DIR"; mkdir -p "$CERT_DIR"
    fi
  fi
  if [[ -z $CERT_SOURCE ]]; then
    gen_certs_inline "$CERT_DIR" >"$WORKDIR/openssl.log" 2>&1 \
      || { cat "$WORKDIR/openssl.log" >&2; die "certificate generation with openssl failed"; }
    certs_ok "$CERT_DIR" || die "certificate generation produced no files"
    CERT_SOURCE="openssl CLI (inline, RSA-2048)"
  fi
}

# ---------------------------------------------------------------------------
# Ports: the kernel picks distinct free ports. Without TLS (assign_ports 0)
# TLS_PORT stays empty and the servers get no TLS listener.
# ---------------------------------------------------------------------------
free_ports() {  # free_ports N -> N distinct free ports on one line
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

declare -gA PORT TLS_PORT PID BIN

assign_ports() {  # assign_ports WITH_TLS(0|1)
  local p=()
  read -r -a p < <(free_ports $((2 + 2 * $1))) || die "could not allocate free ports"
  ((${#p[@]} == 2 + 2 * $1)) || die "could not allocate free ports"
  BIN[cachet]=$CACHET_SERVER BIN[redis]=$REDIS_SERVER
  if (($1)); then
    PORT[cachet]=${p[0]} TLS_PORT[cachet]=${p[1]} PORT[redis]=${p[2]} TLS_PORT[redis]=${p[3]}
  else
    PORT[cachet]=${p[0]} TLS_PORT[cachet]="" PORT[redis]=${p[1]} TLS_PORT[redis]=""
  fi
}

# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------
# CLI_TIMEOUT (seconds, default 5) bounds each call; a SAVE of 10M keys needs more.
cli() {  # cli SERVER plain|tls ARGS...
  local s=$1 transport=$2; shift 2
  local limit=${CLI_TIMEOUT:-5}
  if [[ $transport == tls ]]; then
    timeout "$limit" "$REDIS_CLI" -h 127.0.0.1 -p "${TLS_PORT[$s]}" --tls \
      --cacert "$CERT_DIR/ca.crt" "$@"
  else
    timeout "$limit" "$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$s]}" "$@"
  fi
}

dump_server_logs() {
  local s=$1 f
  for f in "$WORKDIR/$s/server.log" "$WORKDIR/$s/stdout.log"; do
    [[ -s $f ]] || continue
    log "---- last lines of $f ----"
    tail -n 20 "$f" >&2 || true
  done
}

start_server() {  # start_server NAME EXTRA_ARGS...
  local s=$1; shift
  local dir=$WORKDIR/$s tls=()
  mkdir -p "$dir"
  if [[ -n ${TLS_PORT[$s]} ]]; then
    tls=(--tls-port "${TLS_PORT[$s]}"
         --tls-cert-file "$CERT_DIR/server.crt"
         --tls-key-file "$CERT_DIR/server.key"
         --tls-ca-cert-file "$CERT_DIR/ca.crt"
         --tls-auth-clients no)
  fi
  # cwd = private temp dir, so any dump/AOF file a server writes lands there.
  (
    cd "$dir" || exit 1
    exec taskset -c "$SERVER_CPU" "${BIN[$s]}" \
      --port "${PORT[$s]}" --bind 127.0.0.1 \
      "${tls[@]}" \
      --logfile "$dir/server.log" \
      "$@"
  ) >"$dir/stdout.log" 2>&1 </dev/null &
  PID[$s]=$!
  SERVER_PIDS+=("${PID[$s]}")
}

stop_server() {  # stop_server NAME: TERM, then KILL after 5 s
  local s=$1 pid=${PID[$1]} i keep=()
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  for i in "${SERVER_PIDS[@]}"; do [[ $i == "$pid" ]] || keep+=("$i"); done
  SERVER_PIDS=("${keep[@]}")
  PID[$s]=""
}

wait_ready() {  # wait_ready NAME: poll PING on the plaintext (and with NEED_TLS, TLS) port
  local s=$1 deadline=$((SECONDS + READY_TIMEOUT))
  while :; do
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
      dump_server_logs "$s"
      die "$s server (${BIN[$s]}) exited during startup"
    fi
    if [[ $(cli "$s" plain ping 2>/dev/null) == PONG ]] &&
       { ((!NEED_TLS)) || [[ $(cli "$s" tls ping 2>/dev/null) == PONG ]]; }; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      dump_server_logs "$s"
      die "$s server did not answer PING on port ${PORT[$s]}$( ((NEED_TLS)) && printf ' / TLS port %s' "${TLS_PORT[$s]}") within ${READY_TIMEOUT}s"
    fi
    sleep 0.1
  done
}

check_alive() {  # check_alive NAME: die with its log when the server is gone
  kill -0 "${PID[$1]}" 2>/dev/null || { dump_server_logs "$1"; die "$1 server died"; }
}

server_version() {  # best effort, from INFO server
  cli "$1" plain info server 2>/dev/null | tr -d '\r' |
    awk -F: '$1=="cachet_version"{c=$2} $1=="redis_version"{r=$2} END{if(c!="")print "cachet " c; else if(r!="")print "redis_version " r}'
}

info_field() {  # info_field SERVER SECTION FIELD -> value or empty
  cli "$1" plain info "$2" 2>/dev/null | tr -d '\r' | awk -F: -v f="$3" '$1 == f { print $2 }'
}

# ---------------------------------------------------------------------------
# Measurement helpers
# ---------------------------------------------------------------------------
server_ticks() {  # user+system CPU clock ticks of a process (all threads); "" if unreadable
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo ""; return 0; }
  # Drop "pid (comm) " so that field numbering does not depend on comm
  # (fields 14 utime + 15 stime of proc(5) become $12 + $13).
  awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }  # ms_since START_NS

# write_set_proto N PATH: N SETs as RESP for redis-cli --pipe, keys key:NNNNNNNNNNNN (the names
# redis-benchmark -r N writes, so its SET load only overwrites them), 15-byte values.
write_set_proto() {
  python3 - "$1" "$2" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "wb") as f:
    for i in range(n):
        key = b"key:%012d" % i
        value = b"value-%09d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
EOF
}

# median_row LABEL ARRAY-NAME: a markdown row of the medians of ARRAY[cachet] and
# ARRAY[redis] (space-separated samples) and their ratio.
median_row() {
  local -n values=$2
  local c r
  c=$(median ${values[cachet]})
  r=$(median ${values[redis]})
  echo "| $1 | $c | $r | $(ratio "$c" "$r") |"
}

ratio() {  # ratio A B -> A/B with two decimals, or n/a
  if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
  else
    printf 'n/a'
  fi
}

median() {  # median VALUES... -> rounded to an integer; non-numeric values ignored
  printf '%s\n' "$@" | awk '$1 ~ /^[0-9.]+$/' | sort -g |
    awk '{ a[NR] = $1 } END {
      if (NR == 0) exit
      if (NR % 2) printf "%.0f\n", a[(NR + 1) / 2]
      else        printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
