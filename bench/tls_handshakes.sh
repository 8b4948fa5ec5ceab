#!/usr/bin/env bash
# bench/tls_handshakes.sh - TLS handshake rate of cachet-server vs redis-server:
# full handshakes (new connection per request, openssl s_time -new) and
# resumed handshakes (openssl s_time -reuse), for TLS 1.2 and TLS 1.3.
# See bench/README.md.
#
# The markdown report goes to stdout; progress and diagnostics go to stderr,
# so `bench/tls_handshakes.sh > handshakes.md` gives a clean report.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
INVOCATION="bench/tls_handshakes.sh${*:+ $*}"
# shellcheck source=bench/lib.sh
. "$SCRIPT_DIR/lib.sh"

# ---------------------------------------------------------------------------
# Rows (data-driven):  id  kind  tls-version(any|1.2|1.3)  label
#   kind rb-k0    redis-benchmark --tls -k 0 -t ping_inline: every request
#                 opens a new TLS connection (full handshake + one PING)
#   kind new      openssl s_time -new: full handshakes only, no request
#   kind reuse    openssl s_time -reuse: resume one session over and over
# ---------------------------------------------------------------------------
ROWS=(
  "rb-k0        rb-k0  any  full handshake, new connection per request (redis-benchmark -k 0, PING_INLINE req/s)"
  "new-tls12    new    1.2  full handshakes/s, TLS 1.2 (s_time -new)"
  "new-tls13    new    1.3  full handshakes/s, TLS 1.3 (s_time -new)"
  "reuse-tls12  reuse  1.2  resumed handshakes/s, TLS 1.2 (s_time -reuse)"
  "reuse-tls13  reuse  1.3  resumed handshakes/s, TLS 1.3 (s_time -reuse)"
)

usage() {
  cat <<'EOF'
Usage: bench/tls_handshakes.sh [--quick] [--rows REGEX] [--runs N] [--list] [--help]

  --quick        short runs, for smoke testing (not for real numbers)
  --rows REGEX   only run rows whose id matches REGEX (extended regex; commas
                 are treated as '|'), e.g. --rows 'reuse' or --rows 'rb-k0,tls13'
  --runs N       runs per row per server (minimum 3); same as RUNS=N
  --list         print the row ids and exit

Environment (defaults in brackets):
  CACHET_SERVER       cachet binary [<repo>/build/bin/cachet-server]
  REDIS_SERVER        redis binary  [/usr/bin/redis-server]
  CACHET_EXTRA_ARGS   extra server args, shell-quoted
                      [--save "" --appendonly no --tls-session-caching yes]
  REDIS_EXTRA_ARGS    extra server args, shell-quoted [--save "" --appendonly no]
  REDIS_BENCHMARK     redis-benchmark binary [redis-benchmark]
  REDIS_CLI           redis-cli binary [redis-cli]
  OPENSSL             openssl binary (for s_time) [openssl]
  RUNS                runs per row per server, median reported [3, min 3]
  REQUESTS            -n for the redis-benchmark -k 0 row [10000; quick: 1000]
  CLIENTS             -c for the redis-benchmark -k 0 row [50]
  STIME_SECS          -time for each openssl s_time process [5; quick: 1]
  STIME_PROCS         s_time processes run in parallel (all on CLIENT_CPU),
                      connection counts are summed [4]
  SERVER_CPU          CPU list the servers are pinned to [0]
  CLIENT_CPU          CPU list the load generators are pinned to [1]
  READY_TIMEOUT       seconds to wait for a server to answer PING [20]
  BENCH_TIMEOUT       seconds before one load generator call is killed [600]
  KEEP_TMP            1 = keep the temp dir (certs, server logs, tool output) [0]
EOF
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
QUICK=0
ROW_FILTER=""
LIST_ONLY=0
while (($#)); do
  case "$1" in
    --quick) QUICK=1 ;;
    --rows) (($# >= 2)) || die "--rows needs an argument"; ROW_FILTER=$2; shift ;;
    --rows=*) ROW_FILTER=${1#--rows=} ;;
    --runs) (($# >= 2)) || die "--runs needs an argument"; RUNS=$2; shift ;;
    --runs=*) RUNS=${1#--runs=} ;;
    --list) LIST_ONLY=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

CACHET_SERVER=${CACHET_SERVER:-$REPO_DIR/build/bin/cachet-server}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
CACHET_EXTRA_ARGS=${CACHET_EXTRA_ARGS-'--save "" --appendonly no --tls-session-caching yes'}
REDIS_EXTRA_ARGS=${REDIS_EXTRA_ARGS-'--save "" --appendonly no'}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}
OPENSSL=${OPENSSL:-openssl}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-50}
STIME_PROCS=${STIME_PROCS:-4}
if ((QUICK)); then
  REQUESTS=${REQUESTS:-1000}
  STIME_SECS=${STIME_SECS:-1}
else
  REQUESTS=${REQUESTS:-10000}
  STIME_SECS=${STIME_SECS:-5}
fi
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-20}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
KEEP_TMP=${KEEP_TMP:-0}

for v in RUNS CLIENTS REQUESTS STIME_SECS STIME_PROCS READY_TIMEOUT BENCH_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((STIME_SECS >= 1)) || die "STIME_SECS must be at least 1"
((STIME_PROCS >= 1)) || die "STIME_PROCS must be at least 1"
((REQUESTS >= 1)) || die "REQUESTS must be at least 1"
if ((RUNS < 3)); then
  warn "RUNS=$RUNS is below the minimum of 3; using 3"
  RUNS=3
fi

eval "CACHET_ARGS=($CACHET_EXTRA_ARGS)" || die "cannot parse CACHET_EXTRA_ARGS"
eval "REDIS_ARGS=($REDIS_EXTRA_ARGS)"   || die "cannot parse REDIS_EXTRA_ARGS"

# ---------------------------------------------------------------------------
# Row selection
# ---------------------------------------------------------------------------
SEL_ID=() SEL_KIND=() SEL_VER=() SEL_LABEL=()
filter_re=${ROW_FILTER//,/|}
for spec in "${ROWS[@]}"; do
  read -r id kind ver label <<<"$spec"
  if [[ -n $filter_re ]] && ! grep -Eq -- "$filter_re" <<<"$id"; then
    continue
  fi
  SEL_ID+=("$id") SEL_KIND+=("$kind") SEL_VER+=("$ver") SEL_LABEL+=("$label")
done
if ((LIST_ONLY)); then
  printf '%s\n' "${SEL_ID[@]}"
  exit 0
fi
((${#SEL_ID[@]} > 0)) || die "no rows match --rows '$ROW_FILTER' (see --list)"

# ---------------------------------------------------------------------------
# Preconditions, then setup (bench/lib.sh): temp dir, certificates, ports,
# both servers up on a plaintext and a TLS port.
# ---------------------------------------------------------------------------
require_server_binaries
require_tools "$REDIS_BENCHMARK" "$REDIS_CLI" "$OPENSSL" taskset timeout python3 awk sort date
[[ -f $REPO_DIR/scripts/gen-certs ]] || die "scripts/gen-certs not found in $REPO_DIR"
detect_cpus "load generators"

tw_reuse=$(cat /proc/sys/net/ipv4/tcp_tw_reuse 2>/dev/null || echo "?")
if [[ $tw_reuse == 0 ]]; then
  warn "net.ipv4.tcp_tw_reuse=0: thousands of short connections may run out of local ports (TIME_WAIT)"
fi

NEED_TLS=1
make_workdir cachet-tls-hs
make_certs
CERT_INFO=$("$OPENSSL" x509 -in "$CERT_DIR/server.crt" -noout -text 2>/dev/null |
  awk '/Public Key Algorithm/ { sub(/.*: /, ""); a = $0 } /Public-Key:/ { gsub(/[^0-9]/, ""); b = $0 }
       END { printf "%s %s bit", a, b }')
assign_ports 1

negotiated() {  # negotiated SERVER VERSION_FLAG -> "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519"
  echo | timeout 5 "$OPENSSL" s_client -connect "127.0.0.1:${TLS_PORT[$1]}" "$2" -brief 2>&1 |
    awk -F': ' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 }
                /^(Server|Peer) Temp Key/ { split($2, k, ","); t = k[1] }
                END { if (p != "") printf "%s %s %s", p, c, t }'
}

log "temp dir: $WORKDIR"
start_server cachet "${CACHET_ARGS[@]}"
start_server redis "${REDIS_ARGS[@]}"
wait_ready cachet
wait_ready redis
log "cachet: pid ${PID[cachet]} port ${PORT[cachet]} tls ${TLS_PORT[cachet]}"
log "redis:  pid ${PID[redis]} port ${PORT[redis]} tls ${TLS_PORT[redis]}"

# ---------------------------------------------------------------------------
# Measurements. Each sets RATE (per second, "" = failed, "na" = not
# applicable), CONNS (connections made), CPU_US (server CPU microseconds per
# connection) and BUSY (server CPU busy %, over the wall time of the run).
# ---------------------------------------------------------------------------
RATE="" CONNS=0 CPU_US="" BUSY="" NOTE=""

finish_sample() {  # finish_sample SERVER TICKS0 T0_NS T1_NS CONNS
  local s=$1 t0=$2 w0=$3 w1=$4 n=$5 t1
  t1=$(server_ticks "${PID[$s]}")
  CPU_US="" BUSY=""
  if ((n > 0 && w1 > w0)); then
    CPU_US=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.0f", d / hz * 1e6 / n }')
    BUSY=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v w=$((w1 - w0)) 'BEGIN { printf "%.0f", 100 * d / hz / (w / 1e9) }')
  fi
}

run_rb_k0() {  # run_rb_k0 SERVER
  local s=$1 out=$WORKDIR/rb.out err=$WORKDIR/rb.err ticks0 w0 w1 rps
  ticks0=$(server_ticks "${PID[$s]}"); w0=$(now_ns)
  if ! timeout "$BENCH_TIMEOUT" taskset -c "$CLIENT_CPU" "$REDIS_BENCHMARK" \
        -h 127.0.0.1 -p "${TLS_PORT[$s]}" --tls --cacert "$CERT_DIR/ca.crt" \
        -k 0 -c "$CLIENTS" -n "$REQUESTS" -t ping_inline --csv >"$out" 2>"$err"; then
    warn "redis-benchmark -k 0 failed against $s"
    tail -n 5 "$err" >&2 || true
  fi
  w1=$(now_ns)
  rps=$(awk -F, '$1 != "\"test\"" { v = $2 } END { gsub(/"/, "", v); print v }' "$out")
  if ! [[ $rps =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $rps =~ ^0+(\.0+)?$ ]]; then
    check_alive "$s"
    warn "no rps parsed for $s (redis-benchmark -k 0); stderr:"
    grep -v 'Keepalive disabled' "$err" | tail -n 5 >&2 || true
    RATE="" CONNS=0 CPU_US="" BUSY=""
    return
  fi
  RATE=$rps CONNS=$REQUESTS
  finish_sample "$s" "$ticks0" "$w0" "$w1" "$REQUESTS"
}

run_stime() {  # run_stime SERVER new|reuse any|1.2|1.3
  local s=$1 mode=$2 ver=$3 i ticks0 w0 w1 n=0 reused=0 c r rc=0 verflag=() pids=()
  case $ver in 1.2) verflag=(-tls1_2) ;; 1.3) verflag=(-tls1_3) ;; esac
  ticks0=$(server_ticks "${PID[$s]}"); w0=$(now_ns)
  for ((i = 0; i < STIME_PROCS; i++)); do
    timeout "$BENCH_TIMEOUT" taskset -c "$CLIENT_CPU" "$OPENSSL" s_time \
      -connect "127.0.0.1:${TLS_PORT[$s]}" "-$mode" "${verflag[@]}" -time "$STIME_SECS" \
      >"$WORKDIR/stime.$i.out" 2>"$WORKDIR/stime.$i.err" </dev/null &
    pids+=($!)
  done
  LOADGEN_PIDS=("${pids[@]}")
  for i in "${!pids[@]}"; do wait "${pids[i]}" || rc=$?; done
  LOADGEN_PIDS=()
  w1=$(now_ns)
  for ((i = 0; i < STIME_PROCS; i++)); do
    # "<N> connections in <S> real seconds, ..." (S is whole seconds; the
    # rate uses our own wall clock instead). Progress lines print one
    # character per connection: '*' = full handshake, 'r' = resumed.
    c=$(awk '/connections in [0-9.]+ real seconds/ { v = $1 } END { print v + 0 }' "$WORKDIR/stime.$i.out")
    r=$(grep -E '^[*r]+$' "$WORKDIR/stime.$i.out" | tr -cd 'r' | wc -c)
    n=$((n + c)) reused=$((reused + r))
  done
  finish_sample "$s" "$ticks0" "$w0" "$w1" "$n"
  CONNS=$n RATE=""
  if ((n == 0)); then
    check_alive "$s"
    warn "openssl s_time -$mode ${verflag[*]} made no connections to $s (exit $rc); stderr:"
    tail -n 5 "$WORKDIR/stime.0.err" >&2 || true
    return
  fi
  ((rc == 0)) || warn "openssl s_time exited with status $rc against $s (-$mode ${verflag[*]})"
  if [[ $mode == reuse ]] && ((reused * 2 < n)); then
    # s_time never resumed (or resumed less than half the time): report n/a.
    RATE=na
    NOTE="$reused of $n connections resumed"
    return
  fi
  RATE=$(awk -v n="$n" -v w=$((w1 - w0)) 'BEGIN { printf "%.1f", n / (w / 1e9) }')
  NOTE="$reused of $n connections resumed"
}

# Warm-up: one short s_time per server so that first-connection costs
# (page faults, lazy initialisation) do not land in the first sample.
for s in cachet redis; do
  timeout 30 taskset -c "$CLIENT_CPU" "$OPENSSL" s_time -connect "127.0.0.1:${TLS_PORT[$s]}" \
    -new -time 1 >/dev/null 2>&1 || warn "warm-up s_time against $s failed"
done

NEG12=$(negotiated cachet -tls1_2 || true)
NEG13=$(negotiated cachet -tls1_3 || true)
RNEG12=$(negotiated redis -tls1_2 || true)
RNEG13=$(negotiated redis -tls1_3 || true)

declare -A SAMPLES CPUS BUSYS NOTES
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
START_TIME=$SECONDS
CACHET_RESUMED0=$(info_field cachet tls tls_sessions_resumed)
nrows=${#SEL_ID[@]}
for ((run = 1; run <= RUNS; run++)); do
  if ((run % 2)); then order=(cachet redis); else order=(redis cachet); fi
  for ((i = 0; i < nrows; i++)); do
    for s in "${order[@]}"; do
      NOTE=""
      if [[ ${SEL_KIND[i]} == rb-k0 ]]; then
        run_rb_k0 "$s"
      else
        run_stime "$s" "${SEL_KIND[i]}" "${SEL_VER[i]}"
      fi
      check_alive "$s"
      key="${SEL_ID[i]}|$s"
      SAMPLES[$key]+="${RATE:-fail} "
      CPUS[$key]+="${CPU_US:-?} "
      BUSYS[$key]+="${BUSY:-?} "
      [[ -n $NOTE ]] && NOTES[$key]=$NOTE
      log "[run $run/$RUNS] ${SEL_ID[i]} $s: ${RATE:-FAILED}/s, $CONNS conns, server ${CPU_US:-?} us/conn, busy ${BUSY:-?}%${NOTE:+ ($NOTE)}"
    done
  done
done
ELAPSED=$((SECONDS - START_TIME))
CACHET_RESUMED1=$(info_field cachet tls tls_sessions_resumed)
if [[ -n $CACHET_RESUMED0 && -n $CACHET_RESUMED1 ]]; then
  log "cachet INFO tls: tls_sessions_resumed went from $CACHET_RESUMED0 to $CACHET_RESUMED1"
fi

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
cpu_model=$(cpu_model)
rb_version=$("$REDIS_BENCHMARK" --version 2>/dev/null | head -n 1 || true)
ossl_version=$("$OPENSSL" version 2>/dev/null | head -n 1 || true)
cachet_ver=$(server_version cachet || true)
redis_ver=$(server_version redis || true)

echo "# cachet vs redis: TLS handshake rate"
echo
echo "- CPU: $cpu_model ($NCPU CPUs online); servers pinned with \`taskset -c $SERVER_CPU\`, load generators with \`taskset -c $CLIENT_CPU\`"
echo "- Runs: $RUNS per row per server, interleaved (first server alternates per run); tables show the median$( ((QUICK)) && echo ' (--quick: smoke-test sizes, numbers are not meaningful)')"
echo "- redis-benchmark row: \`redis-benchmark -h 127.0.0.1 -p <tls-port> --tls --cacert ca.crt -k 0 -c $CLIENTS -n $REQUESTS -t ping_inline --csv\` (${rb_version:-redis-benchmark}); a new TLS connection (full handshake, no resumption) per PING"
echo "- s_time rows: $STIME_PROCS parallel \`openssl s_time -connect 127.0.0.1:<tls-port> -new|-reuse [-tls1_2|-tls1_3] -time $STIME_SECS\` processes, all on CPU $CLIENT_CPU, no certificate verification, no request sent; rate = sum of their connections / wall time from start to the last exit (${ossl_version:-openssl})"
echo "- Negotiated: cachet TLS 1.2 = ${NEG12:-?}, TLS 1.3 = ${NEG13:-?}; redis TLS 1.2 = ${RNEG12:-?}, TLS 1.3 = ${RNEG13:-?}; server key: ${CERT_INFO:-?} ($CERT_SOURCE)"
echo "- cachet: \`$CACHET_SERVER\`${cachet_ver:+ ($cachet_ver)}${CACHET_EXTRA_ARGS:+ extra args: \`$CACHET_EXTRA_ARGS\`}"
echo "- redis: \`$REDIS_SERVER\`${redis_ver:+ ($redis_ver)}${REDIS_EXTRA_ARGS:+ extra args: \`$REDIS_EXTRA_ARGS\`}"
echo "- Load average at start: $START_LOAD; measurement took ${ELAPSED}s; invoked as \`$INVOCATION\`"
echo

echo "## Handshake rate (per second, higher is better)"
echo
echo "| row | cachet | redis | ratio |"
echo "|---|---:|---:|---:|"
na_rows=()
for ((i = 0; i < nrows; i++)); do
  id=${SEL_ID[i]}
  # shellcheck disable=SC2086
  c=$(median ${SAMPLES["$id|cachet"]})
  # shellcheck disable=SC2086
  r=$(median ${SAMPLES["$id|redis"]})
  [[ -z $c && ${SAMPLES["$id|cachet"]} == *na* ]] && c=na
  [[ -z $r && ${SAMPLES["$id|redis"]} == *na* ]] && r=na
  ratio="n/a"
  if [[ $c =~ ^[0-9]+$ && $r =~ ^[0-9]+$ ]] && ((r > 0)); then
    ratio=$(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.2f", c / r }')
  fi
  [[ $c == na || $r == na ]] && na_rows+=("$id")
  [[ $c == na ]] && c="n/a (not resumed)"
  [[ $r == na ]] && r="n/a (not resumed)"
  printf '| %s | %s | %s | %s |\n' "${SEL_LABEL[i]}" "${c:-fail}" "${r:-fail}" "$ratio"
done
echo
echo "Ratio = cachet / redis; above 1.00 means cachet completed more handshakes per second."
if ((${#na_rows[@]} > 0)); then
  echo
  echo "n/a (not resumed): fewer than half of the \`s_time -reuse\` connections were resumed ($(for id in "${na_rows[@]}"; do printf '%s: cachet %s, redis %s; ' "$id" "${NOTES["$id|cachet"]:-?}" "${NOTES["$id|redis"]:-?}"; done | sed 's/; $//'))."
  echo "With TLS 1.3 the server hands out its session ticket in a NewSessionTicket message *after* the handshake;"
  echo "\`openssl s_time\` (without \`-www\`) closes each connection without reading anything, so it never receives a"
  echo "ticket and every \"reuse\" connection is a full handshake (see the CPU table: same cost as \`-new\`). In TLS 1.2 the"
  echo "session ID / ticket arrives inside the handshake, so the TLS 1.2 \`-reuse\` row does measure resumption."
fi
echo
echo "## Server CPU per connection (microseconds, lower is better)"
echo
echo "From the server process's user+system CPU time (/proc/PID/stat, ${CLK_TCK} Hz ticks) over each run, divided by the"
echo "connections made. Busy % = server CPU time / wall time; well below 100% means the load generator, not the server, was the limit."
echo
echo "| row | cachet us/conn | redis us/conn | ratio | cachet busy % | redis busy % |"
echo "|---|---:|---:|---:|---:|---:|"
for ((i = 0; i < nrows; i++)); do
  id=${SEL_ID[i]}
  # shellcheck disable=SC2086
  c=$(median ${CPUS["$id|cachet"]})
  # shellcheck disable=SC2086
  r=$(median ${CPUS["$id|redis"]})
  # shellcheck disable=SC2086
  cb=$(median ${BUSYS["$id|cachet"]})
  # shellcheck disable=SC2086
  rbz=$(median ${BUSYS["$id|redis"]})
  ratio="n/a"
  if [[ $c =~ ^[0-9]+$ && $r =~ ^[0-9]+$ ]] && ((r > 0)); then
    ratio=$(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.2f", c / r }')
  fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "${SEL_ID[i]}" "${c:-n/a}" "${r:-n/a}" "$ratio" "${cb:-n/a}" "${rbz:-n/a}"
done
echo
echo "Ratio = cachet / redis; below 1.00 means cachet spent less CPU per connection."
echo
echo "<details><summary>Raw samples (in run order): rate/s ; server us/conn ; busy %</summary>"
echo
echo "| row | cachet | redis |"
echo "|---|---|---|"
for ((i = 0; i < nrows; i++)); do
  id=${SEL_ID[i]}
  printf '| %s | %s ; %s ; %s | %s ; %s ; %s |\n' "$id" \
    "${SAMPLES["$id|cachet"]% }" "${CPUS["$id|cachet"]% }" "${BUSYS["$id|cachet"]% }" \
    "${SAMPLES["$id|redis"]% }" "${CPUS["$id|redis"]% }" "${BUSYS["$id|redis"]% }"
done
echo
echo "</details>"

failed=0
for k in "${!SAMPLES[@]}"; do [[ ${SAMPLES[$k]} == *fail* ]] && failed=1; done
if ((failed)); then
  warn "some runs failed; see the raw samples ('fail')"
  exit 2
fi
