#!/usr/bin/env bash
# Counts heap allocations per command on the hot path: runs cachet-server under heaptrack twice,
# with a small and a large number of GET / SET-overwrite requests (same keys, same clients),
# and divides the difference in allocation calls by the difference in requests.
# Usage: bench/allocs_per_command.sh [requests]   (needs heaptrack: apt-get install heaptrack)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CACHET_SERVER:-build/bin/cachet-server}
N=${1:-200000}
command -v heaptrack >/dev/null || { echo "heaptrack is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

count_allocs() {  # $1 = requests per test
  heaptrack -o "$work/trace-$1" "$BIN" --port "$port" --bind 127.0.0.1 --save "" \
    --logfile "$work/log" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 200); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  # The keyspace is created by a fixed warm-up so both runs hold the same keys.
  redis-benchmark -p "$port" -q -c 50 -n 10000 -r 1000 -t set >/dev/null
  redis-benchmark -p "$port" -q -c 50 -n "$1" -r 1000 -t get,set >/dev/null
  redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
  wait "$pid" || true
  heaptrack_print "$work"/trace-"$1".* 2>/dev/null | sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p'
}

small=$(count_allocs 1000)
large=$(count_allocs "$N")
requests=$(( (N - 1000) * 2 ))
echo "allocation calls: $small with 2x1000 requests, $large with 2x$N requests"
python3 -c "print(f'allocations per command (GET + SET overwrite, 50 clients): {($large - $small) / $requests:.4f}')"
