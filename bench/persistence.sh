#!/usr/bin/env bash
# bench/persistence.sh - RDB snapshots side by side: cachet-server against Debian's
# redis-server on the same data (KEYS small string keys).
#
# For each server, in interleaved runs:
#   1. start empty (--save ""), load KEYS keys with redis-cli --pipe
#   2. SAVE: wall time of the command; size of dump.rdb
#   3. BGSAVE under a write load (redis-benchmark SET overwriting random keys): time until
#      rdb_bgsave_in_progress drops, and the peak of the server's plus the child's PSS
#      (proportional set size, so pages shared copy-on-write count once) against the PSS
#      before the save
#   4. restart on that dump: time from exec until PING answers PONG (loading done)
# and prints the medians and the cachet/redis ratios.
#
# Usage: bench/persistence.sh            (KEYS=1000000 RUNS=3)
#        KEYS=10000000 RUNS=1 bench/persistence.sh
# Environment: CACHET_SERVER REDIS_SERVER REDIS_CLI REDIS_BENCHMARK SERVER_CPU CLIENT_CPU
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

KEYS=${KEYS:-1000000}
RUNS=${RUNS:-3}
CACHET_SERVER=${CACHET_SERVER:-$REPO_DIR/build/bin/cachet-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}
REDIS_CLI=${REDIS_CLI:-$(command -v redis-cli || true)}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-$(command -v redis-benchmark || true)}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-600}
KEEP_TMP=${KEEP_TMP:-0}
NEED_TLS=0

require_server_binaries
require_tools "$REDIS_CLI" "$REDIS_BENCHMARK" taskset python3 awk stat
detect_cpus "redis-cli / redis-benchmark"
make_workdir persistence-bench
BIN[cachet]=$CACHET_SERVER
BIN[redis]=$REDIS_SERVER
assign_ports 0

proto=$WORKDIR/load.resp
write_set_proto "$KEYS" "$proto"

pss_kb() {  # pss_kb PID -> Pss in kB of that process (0 when gone)
  awk '/^Pss:/ {print $2; found=1} END {if (!found) print 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}
tree_pss_kb() {  # the server and its children (the BGSAVE child)
  local total child
  total=$(pss_kb "$1")
  for child in $(pgrep -P "$1" 2>/dev/null || true); do total=$((total + $(pss_kb "$child"))); done
  echo "$total"
}

declare -A SAVE_MS RDB_BYTES BGSAVE_MS PEAK_EXTRA_KB LOAD_MS
run_one() {  # run_one SERVER
  local s=$1 t start pss_before peak now bench_pid
  rm -f "$WORKDIR/$s/dump.rdb"
  start_server "$s" --save "" --appendonly no
  wait_ready "$s"
  taskset -c "$CLIENT_CPU" "$REDIS_CLI" -p "${PORT[$s]}" --pipe <"$proto" >/dev/null
  [[ $(cli "$s" plain dbsize) == "$KEYS" ]] || die "$s did not load $KEYS keys"

  start=$(now_ns)
  # A foreground SAVE of 10M keys takes longer than cli's default 5 s limit.
  CLI_TIMEOUT=600 cli "$s" plain save >/dev/null
  SAVE_MS[$s]+="$(ms_since "$start") "
  RDB_BYTES[$s]+="$(stat -c %s "$WORKDIR/$s/dump.rdb") "

  taskset -c "$CLIENT_CPU" "$REDIS_BENCHMARK" -p "${PORT[$s]}" -t set -r "$KEYS" -n 100000000 \
    -P 16 -q >/dev/null 2>&1 &
  bench_pid=$!
  LOADGEN_PIDS+=("$bench_pid")
  sleep 1  # let the write load reach steady state
  pss_before=$(tree_pss_kb "${PID[$s]}")
  peak=$pss_before
  start=$(now_ns)
  cli "$s" plain bgsave >/dev/null
  while :; do
    now=$(tree_pss_kb "${PID[$s]}")
    ((now > peak)) && peak=$now
    [[ $(info_field "$s" persistence rdb_bgsave_in_progress) == 0 ]] && break
    sleep 0.02
  done
  BGSAVE_MS[$s]+="$(ms_since "$start") "
  PEAK_EXTRA_KB[$s]+="$((peak - pss_before)) "
  kill "$bench_pid" 2>/dev/null || true
  wait "$bench_pid" 2>/dev/null || true
  [[ $(info_field "$s" persistence rdb_last_bgsave_status) == ok ]] || die "$s: BGSAVE failed"
  stop_server "$s"

  start=$(now_ns)
  start_server "$s" --save "" --appendonly no
  # Poll every 10 ms (wait_ready's 100 ms steps would blur a one-second load).
  until [[ $(cli "$s" plain ping 2>/dev/null) == PONG ]]; do check_alive "$s"; sleep 0.01; done
  LOAD_MS[$s]+="$(ms_since "$start") "
  [[ $(cli "$s" plain dbsize) == "$KEYS" ]] || die "$s did not reload its dump"
  stop_server "$s"
}

for ((run = 1; run <= RUNS; run++)); do
  for s in cachet redis; do
    log "run $run/$RUNS: $s"
    run_one "$s"
  done
done

echo "# RDB snapshots: cachet vs redis-server, $KEYS keys, median of $RUNS runs"
echo
echo "- $(cpu_model); servers on CPU $SERVER_CPU, redis-cli/redis-benchmark on CPU $CLIENT_CPU"
echo "- keys: key:NNNNNNNNNNNN -> value-NNNNNNNNN (15 bytes), the names redis-benchmark -r $KEYS writes, so the BGSAVE write load only overwrites; redis: $("$REDIS_SERVER" --version | head -1)"
echo
echo "| measure | cachet | redis | cachet/redis |"
echo "|---|---:|---:|---:|"
median_row "SAVE, ms" SAVE_MS
median_row "dump.rdb, bytes" RDB_BYTES
median_row "BGSAVE under writes, ms" BGSAVE_MS
median_row "extra PSS during BGSAVE, kB" PEAK_EXTRA_KB
median_row "restart and load, ms" LOAD_MS
echo
echo "Raw values (per run): SAVE ${SAVE_MS[cachet]}/ ${SAVE_MS[redis]}; BGSAVE ${BGSAVE_MS[cachet]}/ ${BGSAVE_MS[redis]};" \
     "extra PSS ${PEAK_EXTRA_KB[cachet]}/ ${PEAK_EXTRA_KB[redis]}; load ${LOAD_MS[cachet]}/ ${LOAD_MS[redis]}"
