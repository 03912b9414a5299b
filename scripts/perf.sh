#!/usr/bin/env bash
# perf.sh: the whole performance table (docs/performance.md) in one run, against a seeded database.
#
#   scripts/perf.sh DB KEY [DURATION] [REPETITIONS]
#
# Builds callstore, serves a copy of DB on a loopback port, runs every read scenario of
# `callstore bench` (concurrency 8) and records the server's peak resident memory, then runs
# REPETITIONS bulk deletes of 500 random terminal calls through the server one at a time, then
# the mixed scenario (and the peak memory again), and REPETITIONS of the same DELETE in the
# sqlite3 shell on another copy (scripts/floor.sh), and
# prints every median with the two ratios the targets name (deep/first, server/floor).
# Copies go to $TMPDIR (twice the size of DB must be free); the original is not changed.
set -euo pipefail
db=${1:?usage: scripts/perf.sh DB KEY [DURATION] [REPETITIONS]}
key=${2:?usage: scripts/perf.sh DB KEY [DURATION] [REPETITIONS]}
dur=${3:-15s}
reps=${4:-10}
port=${PERF_PORT:-18765}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/perf.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

(cd "$here" && go build -o "$work/callstore" .)
echo "perf.sh: copying $db to $work" >&2
cp "$db" "$work/server.db"
[ -f "$db-wal" ] && cp "$db-wal" "$work/server.db-wal"

"$work/callstore" serve -db "$work/server.db" -addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.log" && break; sleep 0.2; done
url="http://127.0.0.1:$port"

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['total'][sys.argv[2]])" "$@"; }
printf '%-14s %9s %9s %9s %9s %8s\n' scenario req/s p50_ms p90_ms p99_ms non2xx
for s in list-first list-deep list-contact list-page get messages; do
  "$work/callstore" bench -url "$url" -key "$key" -scenario "$s" -duration "$dur" -json > "$work/$s.json" 2> "$work/$s.err" || true
  printf '%-14s %9.0f %9s %9s %9s %8s\n' "$s" "$(field "$work/$s.json" requests_per_second)" \
    "$(field "$work/$s.json" p50_ms)" "$(field "$work/$s.json" p90_ms)" "$(field "$work/$s.json" p99_ms)" "$(field "$work/$s.json" non_2xx)"
done
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
"$work/callstore" bench -url "$url" -key "$key" -scenario bulk-delete -concurrency 1 -requests "$reps" -duration 10m -json > "$work/bd.json" 2> "$work/bd.err" || true
printf '%-14s %9.1f %9s %9s %9s %8s\n' bulk-delete "$(field "$work/bd.json" requests_per_second)" \
  "$(field "$work/bd.json" p50_ms)" "$(field "$work/bd.json" p90_ms)" "$(field "$work/bd.json" p99_ms)" "$(field "$work/bd.json" non_2xx)"
# Last, everything at once (reads, ingest, bulk deletes; 8 workers) on the same server, for its
# memory under writes.
"$work/callstore" bench -url "$url" -key "$key" -scenario mixed -duration "$dur" -json > "$work/mixed.json" 2> "$work/mixed.err" || true
printf '%-14s %9.0f %9s %9s %9s %8s\n' mixed "$(field "$work/mixed.json" requests_per_second)" \
  "$(field "$work/mixed.json" p50_ms)" "$(field "$work/mixed.json" p90_ms)" "$(field "$work/mixed.json" p99_ms)" "$(field "$work/mixed.json" non_2xx)"
rss_all=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
rm -f "$work/server.db" "$work/server.db-wal" "$work/server.db-shm"

floor=$(TMPDIR="$work" "$here/scripts/floor.sh" "$db" "$reps" 2>/dev/null | sed -n 's/^floor: median \([0-9.]*\) ms.*/\1/p')
floor_auto=$(FLOOR_AUTOCOMMIT=1 TMPDIR="$work" "$here/scripts/floor.sh" "$db" "$reps" 2>/dev/null | sed -n 's/^floor: median \([0-9.]*\) ms.*/\1/p')
first=$(field "$work/list-first.json" p50_ms); deep=$(field "$work/list-deep.json" p50_ms); bd=$(field "$work/bd.json" p50_ms)
echo "server peak RSS: $((rss / 1024)) MB over the read scenarios, $((rss_all / 1024)) MB after the bulk deletes and mixed"
echo "floor (sqlite3 shell, same DELETE, $reps x 500 calls): median $floor ms in BEGIN IMMEDIATE ... COMMIT, $floor_auto ms as a lone statement"
python3 -c "import sys; f,d,b,fl,fa=map(float,sys.argv[1:]); print(f'ratios: list-deep/list-first p50 = {d/f:.2f}; bulk-delete server/floor median = {b/fl:.2f}; server/lone-statement floor = {b/fa:.2f}')" "$first" "$deep" "$bd" "$floor" "$floor_auto"
