#!/usr/bin/env bash
# bench/memory.sh - memory used by cachet-server and redis-server for the same
# data: N keys of small strings, 10-field hashes, 10-member sets and 10-member
# sorted sets. For each data set both servers start empty, are loaded with
# `redis-cli --pipe`, and report used_memory (INFO memory) and resident memory
# (VmRSS from /proc/PID/status). See bench/README.md.
#
# The markdown report goes to stdout; progress and diagnostics go to stderr,
# so `bench/memory.sh > memory.md` gives a clean report.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
INVOCATION="bench/memory.sh${*:+ $*}"
# shellcheck source=bench/lib.sh
. "$SCRIPT_DIR/lib.sh"

# Data sets: id, the command that creates one key, and a one-line description.
# The RESP generator below knows how to write each of them.
ALL_DATASETS=(strings hashes sets zsets)
# The length command checks that the first key holds what was sent.
declare -A DS_CMD DS_DESC DS_KEY DS_LEN
DS_CMD[strings]=SET  DS_DESC[strings]="SET key:NNNNNNN, value 11-20 bytes (mean 15.5)"
DS_CMD[hashes]=HSET  DS_DESC[hashes]="HSET hash:NNNNNNN with 10 fields field:0..field:9, values 9 bytes"
DS_CMD[sets]=SADD    DS_DESC[sets]="SADD set:NNNNNNN with 10 members of 12 bytes (user:NNNNNNN, not integers)"
DS_CMD[zsets]=ZADD   DS_DESC[zsets]="ZADD zset:NNNNNNN with 10 members of 12 bytes, integer scores 0-999"
DS_KEY[strings]=key:0000000   DS_LEN[strings]="STRLEN 11"
DS_KEY[hashes]=hash:0000000   DS_LEN[hashes]="HLEN 10"
DS_KEY[sets]=set:0000000      DS_LEN[sets]="SCARD 10"
DS_KEY[zsets]=zset:0000000    DS_LEN[zsets]="ZCARD 10"

usage() {
  cat <<'EOF'
Usage: bench/memory.sh [--quick] [--datasets LIST] [--keys N] [--help]

  --quick           100000 keys instead of 1000000 (same as KEYS=100000)
  --datasets LIST   comma-separated subset of: strings,hashes,sets,zsets
                    [all]; same as DATASETS=LIST
  --keys N          keys per data set; same as KEYS=N

Environment (defaults in brackets):
  KEYS                keys per data set [1000000; quick: 100000]
  DATASETS            data sets to run [strings,hashes,sets,zsets]
  CACHET_SERVER       cachet binary [<repo>/build/bin/cachet-server]
  REDIS_SERVER        redis binary  [/usr/bin/redis-server]
  CACHET_EXTRA_ARGS   extra server args, shell-quoted [--save "" --appendonly no]
  REDIS_EXTRA_ARGS    extra server args, shell-quoted [--save "" --appendonly no]
  REDIS_CLI           redis-cli binary [redis-cli]
  SERVER_CPU          CPU list the servers are pinned to [0]
  CLIENT_CPU          CPU list redis-cli --pipe is pinned to [1]
  READY_TIMEOUT       seconds to wait for a server to answer PING [20]
  LOAD_TIMEOUT        seconds before one redis-cli --pipe load is killed [600]
  SETTLE_SECS         seconds to wait after a load before reading memory [1]
  KEEP_TMP            1 = keep the temp dir (protocol files, server logs) [0]
EOF
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
QUICK=0
while (($#)); do
  case "$1" in
    --quick) QUICK=1 ;;
    --datasets) (($# >= 2)) || die "--datasets needs an argument"; DATASETS=$2; shift ;;
    --datasets=*) DATASETS=${1#--datasets=} ;;
    --keys) (($# >= 2)) || die "--keys needs an argument"; KEYS=$2; shift ;;
    --keys=*) KEYS=${1#--keys=} ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

CACHET_SERVER=${CACHET_SERVER:-$REPO_DIR/build/bin/cachet-server}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
CACHET_EXTRA_ARGS=${CACHET_EXTRA_ARGS-'--save "" --appendonly no'}
REDIS_EXTRA_ARGS=${REDIS_EXTRA_ARGS-'--save "" --appendonly no'}
REDIS_CLI=${REDIS_CLI:-redis-cli}
if ((QUICK)); then KEYS=${KEYS:-100000}; else KEYS=${KEYS:-1000000}; fi
DATASETS=${DATASETS:-strings,hashes,sets,zsets}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-20}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-600}
SETTLE_SECS=${SETTLE_SECS:-1}
KEEP_TMP=${KEEP_TMP:-0}
NEED_TLS=0

for v in KEYS READY_TIMEOUT LOAD_TIMEOUT SETTLE_SECS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((KEYS >= 1 && KEYS <= 10000000)) || die "KEYS must be between 1 and 10000000 (key names have 7 digits)"

eval "CACHET_ARGS=($CACHET_EXTRA_ARGS)" || die "cannot parse CACHET_EXTRA_ARGS"
eval "REDIS_ARGS=($REDIS_EXTRA_ARGS)"   || die "cannot parse REDIS_EXTRA_ARGS"

SEL_DS=()
IFS=', ' read -r -a wanted <<<"$DATASETS"
for d in "${wanted[@]}"; do
  [[ -z $d ]] && continue
  [[ -n ${DS_CMD[$d]:-} ]] || die "unknown data set '$d' (known: ${ALL_DATASETS[*]})"
  SEL_DS+=("$d")
done
((${#SEL_DS[@]} > 0)) || die "no data sets selected"

require_server_binaries
require_tools "$REDIS_CLI" taskset timeout python3 awk
detect_cpus "redis-cli --pipe"
make_workdir cachet-memory
log "temp dir: $WORKDIR"

# ---------------------------------------------------------------------------
# RESP generator: writes KEYS commands of one data set to stdout. Values are
# derived from the key number, so every run (and both servers) get the same
# bytes. Set and zset members: user:NNNNNNN with NNNNNNN = (10*key + j) * 7919
# mod 10^7, distinct for all keys below 10^6.
# ---------------------------------------------------------------------------
generate() {  # generate DATASET KEYS > file
  python3 - "$1" "$2" <<'EOF'
import sys

kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
PAD = b"xxxxxxxxx"


def resp(args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def member(i, j):
    return b"user:%07d" % (((10 * i + j) * 7919) % 10_000_000)


def command(i):
    if kind == "strings":
        return resp([b"SET", b"key:%07d" % i, b"val:%07d%s" % (i, PAD[: i % 10])])
    if kind == "hashes":
        args = [b"HSET", b"hash:%07d" % i]
        for j in range(10):
            args += [b"field:%d" % j, b"%d:%07d" % (j, i)]
        return resp(args)
    if kind == "sets":
        return resp([b"SADD", b"set:%07d" % i] + [member(i, j) for j in range(10)])
    if kind == "zsets":
        args = [b"ZADD", b"zset:%07d" % i]
        for j in range(10):
            args += [b"%d" % ((7 * i + 101 * j) % 1000), member(i, j)]
        return resp(args)
    raise SystemExit("unknown data set " + kind)


chunk = []
for i in range(n):
    chunk.append(command(i))
    if len(chunk) == 10000:
        out.write(b"".join(chunk))
        chunk = []
out.write(b"".join(chunk))
EOF
}

# ---------------------------------------------------------------------------
# Measurement helpers
# ---------------------------------------------------------------------------
vm_rss_bytes() {  # VmRSS of a process in bytes, "" if unreadable
  awk '$1 == "VmRSS:" { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null || true
}

# snapshot SERVER -> "used_memory rss_bytes"
snapshot() {
  local used rss
  used=$(info_field "$1" memory used_memory)
  rss=$(vm_rss_bytes "${PID[$1]}")
  printf '%s %s\n' "${used:-?}" "${rss:-?}"
}

# load SERVER DATASET PROTO_FILE -> sets LOAD_STATUS (ok|unsupported|failed),
# LOAD_NOTE, LOAD_SECS and LOAD_ENCODING (OBJECT ENCODING of the first key)
load() {
  local s=$1 d=$2 proto=$3 out=$WORKDIR/$1.pipe.out errs=$WORKDIR/$1.pipe.err probe w0 w1 nerr dbsize
  local lencmd want got
  LOAD_STATUS=failed LOAD_NOTE="" LOAD_SECS="" LOAD_ENCODING=""
  # One probe command first: a server without the command is reported as
  # unsupported instead of answering KEYS errors.
  probe=$(cli "$s" plain "${DS_CMD[$d]}" bench:probe "${PROBE_ARGS[@]}" 2>&1 || true)
  cli "$s" plain del bench:probe >/dev/null 2>&1 || true
  if [[ $probe == *"ERR unknown command"* ]]; then
    LOAD_STATUS=unsupported LOAD_NOTE=$(head -n 1 <<<"$probe" | sed 's/[[:space:]]*$//')
    return
  fi
  w0=$(now_ns)
  # Only the first error lines are kept (stderr has one line per error reply).
  { timeout "$LOAD_TIMEOUT" taskset -c "$CLIENT_CPU" "$REDIS_CLI" -h 127.0.0.1 -p "${PORT[$s]}" \
      --pipe <"$proto" 2>&1 >"$out" || true; } | awk 'NR <= 5' >"$errs"
  w1=$(now_ns)
  check_alive "$s"
  LOAD_SECS=$(awk -v w=$((w1 - w0)) 'BEGIN { printf "%.1f", w / 1e9 }')
  nerr=$(awk -F'[:,] *' '/^errors:/ { print $2 }' "$out")
  dbsize=$(cli "$s" plain dbsize 2>/dev/null | tr -d '\r' || true)
  read -r lencmd want <<<"${DS_LEN[$d]}"
  got=$(cli "$s" plain "$lencmd" "${DS_KEY[$d]}" 2>/dev/null | tr -d '\r' || true)
  LOAD_ENCODING=$(cli "$s" plain object encoding "${DS_KEY[$d]}" 2>/dev/null | tr -d '\r' || true)
  if [[ -z $nerr ]]; then
    LOAD_NOTE="redis-cli --pipe did not finish: $(tail -n 2 "$out" "$errs" 2>/dev/null | tr '\n' ' ')"
  elif ((nerr > 0)); then
    LOAD_NOTE="$nerr error replies, first: $(head -n 1 "$errs" | sed 's/[[:space:]]*$//')"
    [[ $(head -n 1 "$errs") == *"ERR unknown command"* ]] && LOAD_STATUS=unsupported
  elif [[ $dbsize != "$KEYS" ]]; then
    LOAD_NOTE="DBSIZE is ${dbsize:-?} after loading $KEYS keys"
  elif [[ $got != "$want" ]]; then
    LOAD_NOTE="$lencmd ${DS_KEY[$d]} is ${got:-?}, expected $want"
  else
    LOAD_STATUS=ok
  fi
}

# ---------------------------------------------------------------------------
# Run: for each data set, two fresh servers; empty snapshot, load, snapshot.
# ---------------------------------------------------------------------------
declare -A EMPTY_USED EMPTY_RSS USED RSS STATUS NOTE SECS ENCODING VERSION ALLOCATOR
START_DATE=$(date '+%Y-%m-%d %H:%M %Z')
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
START_TIME=$SECONDS
for d in "${SEL_DS[@]}"; do
  case $d in
    strings) PROBE_ARGS=(v) ;;
    hashes)  PROBE_ARGS=(f v) ;;
    sets)    PROBE_ARGS=(m) ;;
    zsets)   PROBE_ARGS=(1 m) ;;
  esac
  proto=$WORKDIR/$d.resp
  log "$d: generating $KEYS commands"
  generate "$d" "$KEYS" >"$proto" || die "RESP generator failed for $d"
  log "$d: $(awk -v b="$(stat -c %s "$proto")" 'BEGIN { printf "%.0f", b / 1048576 }') MiB of protocol"

  assign_ports 0
  start_server cachet "${CACHET_ARGS[@]}"
  start_server redis "${REDIS_ARGS[@]}"
  for s in cachet redis; do
    wait_ready "$s"
    VERSION[$s]=$(server_version "$s" || true)
    ALLOCATOR[$s]=$(info_field "$s" memory mem_allocator)
    read -r EMPTY_USED["$d|$s"] EMPTY_RSS["$d|$s"] < <(snapshot "$s")
    log "$d: loading $s (pid ${PID[$s]}, port ${PORT[$s]})"
    load "$s" "$d" "$proto"
    sleep "$SETTLE_SECS"
    read -r USED["$d|$s"] RSS["$d|$s"] < <(snapshot "$s")
    STATUS["$d|$s"]=$LOAD_STATUS NOTE["$d|$s"]=$LOAD_NOTE SECS["$d|$s"]=$LOAD_SECS
    ENCODING["$d|$s"]=$LOAD_ENCODING
    log "$d: $s $LOAD_STATUS${LOAD_SECS:+ in ${LOAD_SECS}s}; used_memory ${USED["$d|$s"]}, VmRSS ${RSS["$d|$s"]}${LOAD_NOTE:+ ($LOAD_NOTE)}"
  done
  stop_server cachet
  stop_server redis
  [[ $KEEP_TMP == 1 ]] || rm -f -- "$proto"
done
ELAPSED=$((SECONDS - START_TIME))

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
is_num() { [[ $1 =~ ^[0-9]+$ ]]; }

# value DATASET SERVER KIND(used|rss|used_key|rss_key) -> the table cell
value() {
  local d=$1 s=$2 k=$3 v e
  if [[ ${STATUS["$d|$s"]} != ok ]]; then printf '%s' "${STATUS["$d|$s"]}"; return; fi
  case $k in
    used) v=${USED["$d|$s"]} ;;
    rss)  v=${RSS["$d|$s"]} ;;
    used_key) v=${USED["$d|$s"]} e=${EMPTY_USED["$d|$s"]} ;;
    rss_key)  v=${RSS["$d|$s"]} e=${EMPTY_RSS["$d|$s"]} ;;
  esac
  is_num "$v" || { printf '?'; return; }
  case $k in
    used|rss) mib "$v" ;;
    *) is_num "$e" || { printf '?'; return; }
       awk -v v="$v" -v e="$e" -v n="$KEYS" 'BEGIN { printf "%.0f", (v - e) / n }' ;;
  esac
}

echo "# cachet vs redis: memory for $KEYS keys"
echo
echo "- CPU: $(cpu_model) ($NCPU CPUs online); servers pinned with \`taskset -c $SERVER_CPU\`, \`redis-cli --pipe\` with \`taskset -c $CLIENT_CPU\`"
echo "- Each data set: both servers started empty, loaded with \`redis-cli --pipe\` (one command per key), then INFO memory \`used_memory\` and \`VmRSS\` from /proc/PID/status, after ${SETTLE_SECS}s"
echo "- cachet: \`$CACHET_SERVER\`${VERSION[cachet]:+ (${VERSION[cachet]}, allocator ${ALLOCATOR[cachet]:-?})}${CACHET_EXTRA_ARGS:+ extra args: \`$CACHET_EXTRA_ARGS\`}"
echo "- redis: \`$REDIS_SERVER\`${VERSION[redis]:+ (${VERSION[redis]}, allocator ${ALLOCATOR[redis]:-?})}${REDIS_EXTRA_ARGS:+ extra args: \`$REDIS_EXTRA_ARGS\`}"
echo "- Started $START_DATE; load average at start: $START_LOAD; took ${ELAPSED}s; invoked as \`$INVOCATION\`"
echo
echo "Data sets:"
echo
for d in "${SEL_DS[@]}"; do echo "- **$d**: ${DS_DESC[$d]}"; done
echo
echo "## Memory after loading (MiB; ratio = cachet / redis, below 1.00 = cachet smaller)"
echo
echo "| data | cachet used_memory | redis used_memory | ratio | cachet RSS | redis RSS | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for d in "${SEL_DS[@]}"; do
  cu=$(value "$d" cachet used) ru=$(value "$d" redis used)
  cr=$(value "$d" cachet rss) rr=$(value "$d" redis rss)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$d" "$cu" "$ru" "$(ratio "$cu" "$ru")" \
    "$cr" "$rr" "$(ratio "$cr" "$rr")"
done
echo
echo "## Bytes per key (growth over the empty server, divided by $KEYS)"
echo
echo "| data | cachet used_memory/key | redis used_memory/key | ratio | cachet RSS/key | redis RSS/key | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for d in "${SEL_DS[@]}"; do
  cu=$(value "$d" cachet used_key) ru=$(value "$d" redis used_key)
  cr=$(value "$d" cachet rss_key) rr=$(value "$d" redis rss_key)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$d" "$cu" "$ru" "$(ratio "$cu" "$ru")" \
    "$cr" "$rr" "$(ratio "$cr" "$rr")"
done
echo

notes=()
failed=0
for d in "${SEL_DS[@]}"; do
  for s in cachet redis; do
    case ${STATUS["$d|$s"]} in
      ok) ;;
      unsupported) notes+=("$d on $s: unsupported (${NOTE["$d|$s"]})") ;;
      *) notes+=("$d on $s: failed (${NOTE["$d|$s"]})"); failed=1 ;;
    esac
  done
done
if ((${#notes[@]} > 0)); then
  echo "Not measured:"
  echo
  for n in "${notes[@]}"; do echo "- ${n//|/\\|}"; done
  echo
fi
echo "used_memory is what each server reports about itself (its allocator's view, which differs: see above); RSS is what"
echo "the kernel charges, including allocator caches and fragmentation, and is the fairer comparison."
echo
echo "<details><summary>Raw values (bytes) and load times</summary>"
echo
echo "| data | server | status | encoding | used_memory empty | used_memory loaded | VmRSS empty | VmRSS loaded | load s |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|"
for d in "${SEL_DS[@]}"; do
  for s in cachet redis; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$d" "$s" "${STATUS["$d|$s"]}" "${ENCODING["$d|$s"]:--}" \
      "${EMPTY_USED["$d|$s"]}" "${USED["$d|$s"]}" "${EMPTY_RSS["$d|$s"]}" "${RSS["$d|$s"]}" "${SECS["$d|$s"]:--}"
  done
done
echo
echo "encoding = OBJECT ENCODING of the first key. Load times include redis-cli's own work and are not a throughput benchmark."
echo
echo "</details>"

if ((failed)); then
  warn "some loads failed; see 'Not measured'"
  exit 2
fi
