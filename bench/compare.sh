#!/usr/bin/env bash
# bench/compare.sh - side-by-side redis-benchmark comparison of cachet-server
# and redis-server (plaintext and TLS). See bench/README.md.
#
# The markdown report goes to stdout; progress and diagnostics go to stderr,
# so `bench/compare.sh > results.md` gives a clean report.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
INVOCATION="bench/compare.sh${*:+ $*}"
# shellcheck source=bench/lib.sh
. "$SCRIPT_DIR/lib.sh"

# ---------------------------------------------------------------------------
# Rows to benchmark (data-driven).
#
#   name  test  pipeline(-P)  transport(plain|tls)  [requests]
#
# `test` is a redis-benchmark test (-t), or one of the CUSTOM_CMD tests below.
# `requests` is optional; when omitted it is $REQUESTS for pipeline 1 and
# $REQUESTS_PIPELINED otherwise; "/K" means that default divided by K. The row
# id used by --rows is "<name>-p<pipeline>-<transport>" in lower case, e.g.
# "get-p16-tls"; --tests selects by name.
#
# Rows run in this order inside each run, so put writers before readers
# (SET before GET, LPUSH before LPOP: the same number of LPOPs drains the list
# that LPUSH filled). redis-benchmark's keys: LPUSH/LPOP one list "mylist",
# SADD "myset", HSET "myhash", ZADD "myzset" (members and scores from -r).
# Extra rows can also be supplied without editing this file via EXTRA_ROWS
# (newline- or ';'-separated, same format).
# ---------------------------------------------------------------------------
ROWS=(
  "SET         set         1   plain"
  "GET         get         1   plain"
  "SET         set         16  plain"
  "GET         get         16  plain"
  "SET         set         1   tls"
  "GET         get         1   tls"
  "SET         set         16  tls"
  "GET         get         16  tls"
  "LPUSH       lpush       1   plain"
  "LPOP        lpop        1   plain"
  "SADD        sadd        1   plain"
  "HSET        hset        1   plain"
  "ZADD        zadd        1   plain"
  "ZRANGE_100  zrange_100  1   plain"
  "LPUSH       lpush       16  plain"
  "LPOP        lpop        16  plain"
  "SADD        sadd        16  plain"
  "HSET        hset        16  plain"
  "ZADD        zadd        16  plain"
  "ZRANGE_100  zrange_100  16  plain  /10"
)

# Tests redis-benchmark has no -t for: the command it sends (given as
# arguments after the options) and a function that prepares each server.
# ZRANGE_100 reads all 100 members of one zset, like redis-benchmark's
# LRANGE_100 does for a list; each reply is ~1.7 KB, hence fewer requests.
declare -A CUSTOM_CMD CUSTOM_SETUP
CUSTOM_CMD[zrange_100]="ZRANGE bench:zset100 0 99"
CUSTOM_SETUP[zrange_100]=setup_zset100

usage() {
  cat <<'EOF'
Usage: bench/compare.sh [--quick] [--tests LIST] [--rows REGEX] [--runs N] [--list] [--help]

  --quick        small request counts, for smoke testing (not for real numbers)
  --tests LIST   only run rows whose name is in the comma-separated LIST
                 (case-insensitive), e.g. --tests set,get or --tests lpush,lpop;
                 same as TESTS=LIST
  --rows REGEX   only run rows whose id matches REGEX (extended regex; commas
                 are treated as '|'), e.g. --rows 'get' or --rows 'set-p1,tls';
                 same as ROW_FILTER=REGEX. With --tests, a row must match both.
  --runs N       runs per row per server (minimum 3); same as RUNS=N
  --list         print the row ids and exit

Environment (defaults in brackets):
  CACHET_SERVER       cachet binary [<repo>/build/bin/cachet-server]
  REDIS_SERVER        redis binary  [/usr/bin/redis-server]
  CACHET_EXTRA_ARGS   extra server args, shell-quoted [--save "" --appendonly no]
  REDIS_EXTRA_ARGS    extra server args, shell-quoted [--save "" --appendonly no]
  REDIS_BENCHMARK     redis-benchmark binary [redis-benchmark]
  REDIS_CLI           redis-cli binary [redis-cli]
  BENCH_EXTRA_ARGS    extra redis-benchmark args, shell-quoted []
  RUNS                runs per row per server, median reported [3, min 3]
  REQUESTS            -n for pipeline 1 rows [200000; quick: 20000]
  REQUESTS_PIPELINED  -n for pipelined rows [2000000; quick: 200000]
  CLIENTS             -c [50]
  KEYSPACE            -r [100000]
  DATA_SIZE           -d [3]
  WARMUP_REQUESTS     pipelined SETs sent to each server before measuring,
                      to populate the keyspace; 0 disables [3*KEYSPACE; quick: KEYSPACE]
  SERVER_CPU          CPU list the servers are pinned to [0]
  CLIENT_CPU          CPU list redis-benchmark is pinned to [1]
  READY_TIMEOUT       seconds to wait for a server to answer PING [20]
  BENCH_TIMEOUT       seconds before one redis-benchmark call is killed [600]
  KEEP_TMP            1 = keep the temp dir (certs, server logs) [0]
  TESTS, ROW_FILTER   defaults for --tests and --rows []
  EXTRA_ROWS          more rows, ';'- or newline-separated, same format as ROWS
                      in this script, e.g. 'INCR incr 1 plain;SPOP spop 16 plain'
EOF
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
QUICK=0
ROW_FILTER=${ROW_FILTER:-}
TESTS=${TESTS:-}
LIST_ONLY=0
while (($#)); do
  case "$1" in
    --quick) QUICK=1 ;;
    --tests) (($# >= 2)) || die "--tests needs an argument"; TESTS=$2; shift ;;
    --tests=*) TESTS=${1#--tests=} ;;
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
CACHET_EXTRA_ARGS=${CACHET_EXTRA_ARGS-'--save "" --appendonly no'}
REDIS_EXTRA_ARGS=${REDIS_EXTRA_ARGS-'--save "" --appendonly no'}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}
BENCH_EXTRA_ARGS=${BENCH_EXTRA_ARGS:-}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
DATA_SIZE=${DATA_SIZE:-3}
if ((QUICK)); then
  REQUESTS=${REQUESTS:-20000}
  REQUESTS_PIPELINED=${REQUESTS_PIPELINED:-200000}
  WARMUP_REQUESTS=${WARMUP_REQUESTS:-$KEYSPACE}
else
  REQUESTS=${REQUESTS:-200000}
  REQUESTS_PIPELINED=${REQUESTS_PIPELINED:-2000000}
  WARMUP_REQUESTS=${WARMUP_REQUESTS:-$((3 * KEYSPACE))}
fi
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-20}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
KEEP_TMP=${KEEP_TMP:-0}

for v in RUNS CLIENTS KEYSPACE DATA_SIZE REQUESTS REQUESTS_PIPELINED \
         WARMUP_REQUESTS READY_TIMEOUT BENCH_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
if ((RUNS < 3)); then
  warn "RUNS=$RUNS is below the minimum of 3; using 3"
  RUNS=3
fi

# Shell-quoted argument strings -> arrays (eval so that --save "" works).
eval "CACHET_ARGS=($CACHET_EXTRA_ARGS)" || die "cannot parse CACHET_EXTRA_ARGS"
eval "REDIS_ARGS=($REDIS_EXTRA_ARGS)"   || die "cannot parse REDIS_EXTRA_ARGS"
eval "BENCH_ARGS=($BENCH_EXTRA_ARGS)"   || die "cannot parse BENCH_EXTRA_ARGS"

# ---------------------------------------------------------------------------
# Row selection
# ---------------------------------------------------------------------------
if [[ -n ${EXTRA_ROWS:-} ]]; then
  while IFS= read -r line; do
    [[ $line =~ [^[:space:]] ]] && ROWS+=("$line")
  done < <(printf '%s\n' "$EXTRA_ROWS" | tr ';' '\n')
fi

SEL_ID=() SEL_NAME=() SEL_TEST=() SEL_PIPE=() SEL_TRANSPORT=() SEL_N=()
filter_re=${ROW_FILTER//,/|}
tests_csv=",$(tr -d '[:space:]' <<<"$TESTS" | tr '[:upper:]' '[:lower:]'),"
for spec in "${ROWS[@]}"; do
  read -r name test pipe transport nreq extra <<<"$spec" || true
  [[ -n ${name:-} && -n ${test:-} && -n ${pipe:-} && -n ${transport:-} && -z ${extra:-} ]] \
    || die "bad row spec: '$spec'"
  [[ $pipe =~ ^[1-9][0-9]*$ ]] || die "bad pipeline in row '$spec'"
  [[ $transport == plain || $transport == tls ]] || die "transport must be plain or tls in row '$spec'"
  if [[ -z ${nreq:-} || $nreq == /* ]]; then
    if ((pipe == 1)); then def=$REQUESTS; else def=$REQUESTS_PIPELINED; fi
    if [[ -n ${nreq:-} ]]; then
      [[ $nreq =~ ^/[1-9][0-9]*$ ]] || die "bad request count in row '$spec'"
      nreq=$((def / ${nreq#/})); ((nreq > 0)) || nreq=1
    else
      nreq=$def
    fi
  fi
  [[ $nreq =~ ^[1-9][0-9]*$ ]] || die "bad request count in row '$spec'"
  id=$(printf '%s-p%s-%s' "$name" "$pipe" "$transport" | tr '[:upper:]' '[:lower:]')
  if [[ -n $filter_re ]] && ! grep -Eq -- "$filter_re" <<<"$id"; then
    continue
  fi
  lname=$(tr '[:upper:]' '[:lower:]' <<<"$name")
  if [[ -n $TESTS && $tests_csv != *",$lname,"* ]]; then
    continue
  fi
  SEL_ID+=("$id") SEL_NAME+=("$name") SEL_TEST+=("$test") SEL_PIPE+=("$pipe")
  SEL_TRANSPORT+=("$transport") SEL_N+=("$nreq")
done

if ((LIST_ONLY)); then
  printf '%s\n' "${SEL_ID[@]}"
  exit 0
fi
if ((${#SEL_ID[@]} == 0)); then
  what=""
  [[ -n $TESTS ]] && what+=" --tests '$TESTS'"
  [[ -n $ROW_FILTER ]] && what+=" --rows '$ROW_FILTER'"
  die "no rows match$what (see --list)"
fi

NEED_TLS=0
for t in "${SEL_TRANSPORT[@]}"; do [[ $t == tls ]] && NEED_TLS=1; done

# ---------------------------------------------------------------------------
# Preconditions, then setup (bench/lib.sh): temp dir, certificates, ports,
# both servers up on a plaintext and a TLS port.
# ---------------------------------------------------------------------------
require_server_binaries
require_tools "$REDIS_BENCHMARK" "$REDIS_CLI" taskset timeout python3 awk sort
((NEED_TLS)) && { command -v openssl >/dev/null 2>&1 || [[ -e $REPO_DIR/scripts/gen-certs ]] \
  || die "openssl CLI is needed to create TLS certificates"; }
detect_cpus redis-benchmark

make_workdir cachet-bench
make_certs
assign_ports 1

log "temp dir: $WORKDIR"
log "certificates: $CERT_SOURCE"
start_server cachet "${CACHET_ARGS[@]}"
start_server redis "${REDIS_ARGS[@]}"
wait_ready cachet
wait_ready redis
log "cachet: pid ${PID[cachet]} port ${PORT[cachet]} tls ${TLS_PORT[cachet]}"
log "redis:  pid ${PID[redis]} port ${PORT[redis]} tls ${TLS_PORT[redis]}"

# ---------------------------------------------------------------------------
# Benchmark helpers
# ---------------------------------------------------------------------------

# run_bench SERVER TRANSPORT TEST PIPELINE REQUESTS
#   -> sets RPS ("" on failure, "unsupported" when the server answered
#      "ERR unknown command"), and from the server's /proc/PID/stat CPU time
#      over the run: TICKS (clock ticks), CPU_US (server CPU microseconds per
#      request) and BUSY (server CPU time / wall time, %); all "" unless RPS
#      is a number.
# (not meant to be called inside $(...), so that `die` stops the script)
RPS="" TICKS="" CPU_US="" BUSY=""
run_bench() {
  local s=$1 transport=$2 test=$3 pipe=$4 n=$5 port out err rps t0 t1 w0 w1 what
  local tls=() what_args=()
  if [[ $transport == tls ]]; then
    port=${TLS_PORT[$s]}
    tls=(--tls --cacert "$CERT_DIR/ca.crt")
  else
    port=${PORT[$s]}
  fi
  if [[ -n ${CUSTOM_CMD[$test]:-} ]]; then
    read -r -a what_args <<<"${CUSTOM_CMD[$test]}"
    what="${CUSTOM_CMD[$test]}"
  else
    what_args=(-t "$test")
    what="-t $test"
  fi
  out=$WORKDIR/bench.out err=$WORKDIR/bench.err
  t0=$(server_ticks "${PID[$s]}"); w0=$(now_ns)
  # A command line, if any, must come after all the options.
  if ! timeout "$BENCH_TIMEOUT" taskset -c "$CLIENT_CPU" "$REDIS_BENCHMARK" \
        -h 127.0.0.1 -p "$port" "${tls[@]}" \
        -c "$CLIENTS" -n "$n" -r "$KEYSPACE" -d "$DATA_SIZE" -P "$pipe" \
        "${BENCH_ARGS[@]}" --csv "${what_args[@]}" >"$out" 2>"$err"; then
    if grep -q 'Error from server: ERR unknown command' "$err"; then
      check_alive "$s"
      warn "$s does not support '$what' (ERR unknown command); marked unsupported"
      RPS=unsupported TICKS="" CPU_US="" BUSY=""
      return
    fi
    warn "redis-benchmark failed against $s ($transport, $what -P $pipe)"
    tail -n 5 "$err" >&2 || true
  fi
  w1=$(now_ns); t1=$(server_ticks "${PID[$s]}")
  # Last data row: some tests (e.g. lrange_100) print a preparatory row first.
  rps=$(awk -F, '$1 != "\"test\"" { v = $2 } END { gsub(/"/, "", v); print v }' "$out")
  if ! [[ $rps =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $rps =~ ^0+(\.0+)?$ ]]; then
    check_alive "$s"
    warn "no rps parsed for $s ($transport, $what -P $pipe); stderr:"
    tail -n 5 "$err" >&2 || true
    rps=""
  fi
  RPS=$rps
  TICKS="" CPU_US="" BUSY=""
  if [[ -n $rps && $t0 =~ ^[0-9]+$ && $t1 =~ ^[0-9]+$ && $w0 =~ ^[0-9]+$ && $w1 =~ ^[0-9]+$ ]] &&
     ((t1 >= t0 && w1 > w0 && n > 0)); then
    TICKS=$((t1 - t0))
    CPU_US=$(awk -v d="$TICKS" -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.2f", d * 1e6 / hz / n }')
    BUSY=$(awk -v d="$TICKS" -v hz="$CLK_TCK" -v w=$((w1 - w0)) 'BEGIN { printf "%.0f", 100 * d / hz / (w / 1e9) }')
  fi
}

median2() {  # median2 VALUES... -> like median, with two decimals
  printf '%s\n' "$@" | awk '$1 ~ /^[0-9.]+$/' | sort -g |
    awk '{ a[NR] = $1 } END {
      if (NR == 0) exit
      if (NR % 2) printf "%.2f\n", a[(NR + 1) / 2]
      else        printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# setup_zset100 SERVER: bench:zset100 with 100 members (scores 0..99). A server
# without sorted sets only gets a warning; its ZRANGE_100 rows then show
# "unsupported".
setup_zset100() {
  local s=$1 i args=() reply
  for ((i = 0; i < 100; i++)); do args+=("$i" "$(printf 'member:%03d' "$i")"); done
  cli "$s" plain del bench:zset100 >/dev/null 2>&1 || true
  reply=$(cli "$s" plain zadd bench:zset100 "${args[@]}" 2>&1 || true)
  [[ $reply == 100 ]] || warn "$s: ZADD bench:zset100 (100 members) answered: ${reply:-nothing}"
}

# ---------------------------------------------------------------------------
# Warm-up: populate the keyspace so GET rows hit existing keys; prepare the
# keys of the custom tests that were selected.
# ---------------------------------------------------------------------------
if ((WARMUP_REQUESTS > 0)); then
  for s in cachet redis; do
    log "warm-up: $WARMUP_REQUESTS pipelined SETs against $s"
    run_bench "$s" plain set 16 "$WARMUP_REQUESTS"
  done
fi
declare -A SETUP_DONE
for t in "${SEL_TEST[@]}"; do
  fn=${CUSTOM_SETUP[$t]:-}
  [[ -n $fn && -z ${SETUP_DONE[$fn]:-} ]] || continue
  for s in cachet redis; do "$fn" "$s"; done
  SETUP_DONE[$fn]=1
done

# ---------------------------------------------------------------------------
# Measurement: for each run, for each row, both servers back to back.
# The server that goes first alternates between runs.
# ---------------------------------------------------------------------------
declare -A SAMPLES CPUS BUSYS TICKSS
MIN_TICKS=""
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
START_DATE=$(date '+%Y-%m-%d %H:%M %Z')
START_TIME=$SECONDS
nrows=${#SEL_ID[@]}
for ((run = 1; run <= RUNS; run++)); do
  if ((run % 2)); then order=(cachet redis); else order=(redis cachet); fi
  for ((i = 0; i < nrows; i++)); do
    for s in "${order[@]}"; do
      run_bench "$s" "${SEL_TRANSPORT[i]}" "${SEL_TEST[i]}" "${SEL_PIPE[i]}" "${SEL_N[i]}"
      rps=$RPS
      SAMPLES["${SEL_ID[i]}|$s"]+="${rps:-fail} "
      if [[ $rps == unsupported ]]; then
        CPUS["${SEL_ID[i]}|$s"]+="- " BUSYS["${SEL_ID[i]}|$s"]+="- " TICKSS["${SEL_ID[i]}|$s"]+="- "
        log "[run $run/$RUNS] ${SEL_ID[i]} $s: unsupported"
        continue
      fi
      CPUS["${SEL_ID[i]}|$s"]+="${CPU_US:-fail} "
      BUSYS["${SEL_ID[i]}|$s"]+="${BUSY:-fail} "
      TICKSS["${SEL_ID[i]}|$s"]+="${TICKS:-fail} "
      if [[ -n $TICKS ]] && { [[ -z $MIN_TICKS ]] || ((TICKS < MIN_TICKS)); }; then MIN_TICKS=$TICKS; fi
      log "[run $run/$RUNS] ${SEL_ID[i]} $s: ${rps:-FAILED} rps${CPU_US:+, server ${CPU_US} us/req, ${BUSY}% busy}"
    done
  done
done
ELAPSED=$((SECONDS - START_TIME))

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
cpu_model=$(cpu_model)
rb_version=$("$REDIS_BENCHMARK" --version 2>/dev/null | head -n 1 || true)
cachet_ver=$(server_version cachet || true)
redis_ver=$(server_version redis || true)
bench_cmd="taskset -c $CLIENT_CPU $REDIS_BENCHMARK -h 127.0.0.1 -p <port> [--tls --cacert ca.crt] -c $CLIENTS -n <requests> -r $KEYSPACE -d $DATA_SIZE -P <pipeline>${BENCH_EXTRA_ARGS:+ $BENCH_EXTRA_ARGS} --csv -t <test>"
custom_used="" own_counts=""
for ((i = 0; i < nrows; i++)); do
  t=${SEL_TEST[i]}
  if [[ -n ${CUSTOM_CMD[$t]:-} && $custom_used != *"${SEL_NAME[i]}:"* ]]; then
    custom_used+="${custom_used:+; }${SEL_NAME[i]}: \`${CUSTOM_CMD[$t]}\` instead of \`-t\`"
  fi
  if ((SEL_PIPE[i] == 1)); then def=$REQUESTS; else def=$REQUESTS_PIPELINED; fi
  ((SEL_N[i] == def)) || own_counts+="${own_counts:+, }${SEL_ID[i]} ${SEL_N[i]}"
done

echo "# cachet vs redis: redis-benchmark requests/s"
echo
echo "- CPU: $cpu_model ($NCPU CPUs online); servers pinned with \`taskset -c $SERVER_CPU\`, redis-benchmark with \`taskset -c $CLIENT_CPU\`"
echo "- Runs: $RUNS per row per server, interleaved (first server alternates per run); table shows the median"
echo "- Command: \`$bench_cmd\`${custom_used:+; $custom_used}"
echo "- Requests: $REQUESTS for pipeline 1, $REQUESTS_PIPELINED for pipelined rows${own_counts:+ (except $own_counts)}; warm-up: $WARMUP_REQUESTS SETs per server$( ((QUICK)) && echo ' (--quick: smoke-test sizes, numbers are not meaningful)')"
echo "- cachet: \`$CACHET_SERVER\`${cachet_ver:+ ($cachet_ver)}${CACHET_EXTRA_ARGS:+ extra args: \`$CACHET_EXTRA_ARGS\`}"
echo "- redis: \`$REDIS_SERVER\`${redis_ver:+ ($redis_ver)}${REDIS_EXTRA_ARGS:+ extra args: \`$REDIS_EXTRA_ARGS\`}"
echo "- Client: ${rb_version:-redis-benchmark}; TLS certificates: $CERT_SOURCE"
echo "- Started $START_DATE; load average at start: $START_LOAD; measurement took ${ELAPSED}s; invoked as \`$INVOCATION\`"
echo

table_row() { printf '| %-10s | %8s | %-9s | %12s | %12s | %6s |\n' "$@"; }
# cell SAMPLES VALUE: VALUE, else "unsupported" if the server rejected the
# command (ERR unknown command), else "n/a" (every run failed).
cell() {
  if [[ -n $2 ]]; then printf '%s' "$2"
  elif [[ $1 == *unsupported* ]]; then printf 'unsupported'
  else printf 'n/a'; fi
}
table_row test pipeline transport "cachet rps" "redis rps" ratio
printf '|%s|%s|%s|%s|%s|%s|\n' "------------" "---------:" "-----------" "-------------:" "-------------:" "-------:"
ratios=()
for ((i = 0; i < nrows; i++)); do
  id=${SEL_ID[i]}
  # shellcheck disable=SC2086
  c=$(median ${SAMPLES["$id|cachet"]//fail/})
  # shellcheck disable=SC2086
  r=$(median ${SAMPLES["$id|redis"]//fail/})
  ratio="n/a"
  if [[ -n $c && -n $r ]]; then
    ratio=$(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.2f", c / r }')
    ratios+=("$ratio")
  fi
  transport=${SEL_TRANSPORT[i]}; [[ $transport == tls ]] && transport=TLS
  table_row "${SEL_NAME[i]}" "${SEL_PIPE[i]}" "$transport" \
    "$(cell "${SAMPLES["$id|cachet"]}" "$c")" "$(cell "${SAMPLES["$id|redis"]}" "$r")" "$ratio"
done
echo
unsupported=()
for ((i = 0; i < nrows; i++)); do
  for s in cachet redis; do
    [[ ${SAMPLES["${SEL_ID[i]}|$s"]} == *unsupported* ]] && unsupported+=("${SEL_ID[i]} ($s)")
  done
done
if ((${#unsupported[@]} > 0)); then
  echo "unsupported: the server answered \`ERR unknown command\`, so there is nothing to compare: $(printf '%s, ' "${unsupported[@]}" | sed 's/, $//')."
  echo
fi
if ((${#ratios[@]} > 0)); then
  gm=$(printf '%s\n' "${ratios[@]}" | awk '$1 > 0 { s += log($1); n++ } END { if (n) printf "%.2f", exp(s / n) }')
  echo "Geometric mean of ratios (cachet/redis): ${gm:-n/a}. Ratio > 1 means cachet is faster."
  echo
fi

cpu_row() { printf '| %-10s | %8s | %-9s | %13s | %12s | %47s | %13s | %12s |\n' "$@"; }
echo "## Server CPU per request (microseconds, lower is better)"
echo
echo "Server process user+system CPU time from /proc/PID/stat (${CLK_TCK} Hz clock ticks) over each redis-benchmark run, divided by"
echo "its requests (connection setup included, i.e. $CLIENTS TLS handshakes per run on TLS rows); busy % = server CPU time / wall time of the run."
echo
cpu_row test pipeline transport "cachet us/req" "redis us/req" "ratio (cachet/redis, below 1 = cachet cheaper)" "cachet busy %" "redis busy %"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------" "---------:" "-----------" "--------------:" "-------------:" \
  "------------------------------------------------:" "--------------:" "-------------:"
for ((i = 0; i < nrows; i++)); do
  id=${SEL_ID[i]}
  # shellcheck disable=SC2086
  c=$(median2 ${CPUS["$id|cachet"]//fail/})
  # shellcheck disable=SC2086
  r=$(median2 ${CPUS["$id|redis"]//fail/})
  # shellcheck disable=SC2086
  cb=$(median ${BUSYS["$id|cachet"]//fail/})
  # shellcheck disable=SC2086
  rb=$(median ${BUSYS["$id|redis"]//fail/})
  ratio="n/a"
  if [[ -n $c && -n $r ]] && awk -v r="$r" 'BEGIN { exit !(r > 0) }'; then
    ratio=$(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.2f", c / r }')
  fi
  transport=${SEL_TRANSPORT[i]}; [[ $transport == tls ]] && transport=TLS
  cpu_row "${SEL_NAME[i]}" "${SEL_PIPE[i]}" "$transport" \
    "$(cell "${SAMPLES["$id|cachet"]}" "$c")" "$(cell "${SAMPLES["$id|redis"]}" "$r")" "$ratio" \
    "$(cell "${SAMPLES["$id|cachet"]}" "$cb")" "$(cell "${SAMPLES["$id|redis"]}" "$rb")"
done
echo
echo "When the client (redis-benchmark on one CPU) is the bottleneck, busy % stays below 100 and rps ratios tend to 1; the CPU-per-request"
echo "columns are then the fairer comparison. Clock ticks are coarse ($(awk -v hz="$CLK_TCK" 'BEGIN { printf "%g", 1000 / hz }') ms), so use enough requests per run (fewest ticks in a run here: ${MIN_TICKS:-n/a})."
echo

echo "<details><summary>Raw samples (in run order): requests/s; server CPU us/req, busy %, clock ticks</summary>"
echo
echo "| row | cachet | redis | cachet us/req | redis us/req | cachet busy % | redis busy % | cachet ticks | redis ticks |"
echo "|---|---|---|---|---|---|---|---|---|"
for ((i = 0; i < nrows; i++)); do
  id=${SEL_ID[i]}
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$id" "${SAMPLES["$id|cachet"]% }" "${SAMPLES["$id|redis"]% }" \
    "${CPUS["$id|cachet"]% }" "${CPUS["$id|redis"]% }" "${BUSYS["$id|cachet"]% }" "${BUSYS["$id|redis"]% }" \
    "${TICKSS["$id|cachet"]% }" "${TICKSS["$id|redis"]% }"
done
echo
echo "</details>"

failed=0
for k in "${!SAMPLES[@]}"; do [[ ${SAMPLES[$k]} == *fail* ]] && failed=1; done
if ((failed)); then
  warn "some redis-benchmark runs failed; see the raw samples ('fail')"
  exit 2
fi
