#!/usr/bin/env bash
# bench/aof.sh - the append-only file side by side: cachet-server against Debian's
# redis-server on the same writes (KEYS small string keys).
#
# For each server, in interleaved runs:
#   1. start empty with appendonly yes (appendfsync everysec, no automatic rewrite) and
#      send KEYS SETs with redis-cli --pipe: wall time, and the size of the incr file
#   2. restart (SIGTERM, which flushes the AOF): time until PING answers PONG, i.e. the
#      replay of KEYS commands
#   3. BGREWRITEAOF: time until aof_rewrite_in_progress drops; size of the new base
#   4. restart: time until PONG, now loading the RDB-preamble base
# and prints the medians and the cachet/redis ratios.
#
# Usage: bench/aof.sh            (KEYS=1000000 RUNS=3)
# Environment: CACHET_SERVER REDIS_SERVER REDIS_CLI SERVER_CPU CLIENT_CPU
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

KEYS=${KEYS:-1000000}
RUNS=${RUNS:-3}
CACHET_SERVER=${CACHET_SERVER:-$REPO_DIR/build/bin/cachet-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}
REDIS_CLI=${REDIS_CLI:-$(command -v redis-cli || true)}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-600}
KEEP_TMP=${KEEP_TMP:-0}
NEED_TLS=0

require_server_binaries
require_tools "$REDIS_CLI" taskset python3 awk stat
detect_cpus "redis-cli"
make_workdir aof-bench
BIN[cachet]=$CACHET_SERVER
BIN[redis]=$REDIS_SERVER
assign_ports 0

proto=$WORKDIR/load.resp
write_set_proto "$KEYS" "$proto"

AOF_ARGS=(--save "" --appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0)

files_size() {  # files_size GLOB... -> total bytes of the files that exist
  local total=0 f
  for f in "$@"; do [[ -e $f ]] && total=$((total + $(stat -c %s "$f"))); done
  echo "$total"
}

# restart SERVER: starts it and sets RESTART_MS to the time from exec until PING answers
# PONG (loading done). Not a $(...) function: start_server must record the PID in this shell.
restart() {
  local s=$1 start
  start=$(now_ns)
  start_server "$s" "${AOF_ARGS[@]}"
  # Poll every 10 ms (wait_ready's 100 ms steps would blur a sub-second load).
  until [[ $(cli "$s" plain ping 2>/dev/null) == PONG ]]; do check_alive "$s"; sleep 0.01; done
  RESTART_MS=$(ms_since "$start")
}

declare -A WRITE_MS INCR_BYTES REPLAY_MS REWRITE_MS BASE_BYTES BASE_LOAD_MS
run_one() {  # run_one SERVER
  local s=$1 start dir=$WORKDIR/$1/appendonlydir
  rm -rf "$dir"
  start_server "$s" "${AOF_ARGS[@]}"
  wait_ready "$s"
  start=$(now_ns)
  taskset -c "$CLIENT_CPU" "$REDIS_CLI" -p "${PORT[$s]}" --pipe <"$proto" >/dev/null
  WRITE_MS[$s]+="$(ms_since "$start") "
  [[ $(cli "$s" plain dbsize) == "$KEYS" ]] || die "$s did not take $KEYS keys"
  stop_server "$s"
  INCR_BYTES[$s]+="$(files_size "$dir"/*.incr.aof) "

  restart "$s"
  REPLAY_MS[$s]+="$RESTART_MS "
  [[ $(cli "$s" plain dbsize) == "$KEYS" ]] || die "$s did not replay its AOF"

  start=$(now_ns)
  cli "$s" plain bgrewriteaof >/dev/null
  until [[ $(info_field "$s" persistence aof_rewrite_in_progress) == 0 ]]; do sleep 0.01; done
  REWRITE_MS[$s]+="$(ms_since "$start") "
  [[ $(info_field "$s" persistence aof_last_bgrewrite_status) == ok ]] || die "$s: rewrite failed"
  stop_server "$s"
  BASE_BYTES[$s]+="$(files_size "$dir"/*.base.rdb) "

  restart "$s"
  BASE_LOAD_MS[$s]+="$RESTART_MS "
  [[ $(cli "$s" plain dbsize) == "$KEYS" ]] || die "$s did not load its rewritten AOF"
  stop_server "$s"
}

for ((run = 1; run <= RUNS; run++)); do
  for s in cachet redis; do
    log "run $run/$RUNS: $s"
    run_one "$s"
  done
done

echo "# AOF: cachet vs redis-server, $KEYS keys, median of $RUNS runs"
echo
echo "- $(cpu_model); servers on CPU $SERVER_CPU, redis-cli on CPU $CLIENT_CPU"
echo "- both servers: \`--save \"\" ${AOF_ARGS[*]:2}\`; keys key:NNNNNNNNNNNN -> value-NNNNNNNNN sent as one SET each with redis-cli --pipe; redis: $("$REDIS_SERVER" --version | head -1)"
echo
echo "| measure | cachet | redis | cachet/redis |"
echo "|---|---:|---:|---:|"
median_row "$KEYS SETs through the AOF (pipe), ms" WRITE_MS
median_row "incr file, bytes" INCR_BYTES
median_row "restart replaying the incr file, ms" REPLAY_MS
median_row "BGREWRITEAOF, ms" REWRITE_MS
median_row "base file, bytes" BASE_BYTES
median_row "restart loading the base, ms" BASE_LOAD_MS
echo
echo "Raw values (per run, cachet / redis): writes ${WRITE_MS[cachet]}/ ${WRITE_MS[redis]};" \
     "replay ${REPLAY_MS[cachet]}/ ${REPLAY_MS[redis]}; rewrite ${REWRITE_MS[cachet]}/ ${REWRITE_MS[redis]};" \
     "base load ${BASE_LOAD_MS[cachet]}/ ${BASE_LOAD_MS[redis]}"
