#!/usr/bin/env bash
# scalebench.sh: SQLite against a 3-node synchronous PostgreSQL cluster, side by side in one run
# (docs/scale-out.md, docs/performance.md).
#
#   scripts/scalebench.sh [CALLS] [ROUNDS] [DURATION]
#
# Seeds CALLS calls (default 100000; 20 messages and 5 log rows each) into a SQLite file, starts
# the cluster (scripts/pgcluster.sh: pg_auto_failover, synchronous commit to one standby) and copies
# the file into it (callstore copy), serves both with the same binary on two loopback ports, then
# runs ROUNDS rounds (default 3), each alternating the engines: list-first and list-deep for
# DURATION (default 10s, concurrency 8), and 15 bulk deletes of 500 calls one at a time. Prints
# every run, then the medians over the rounds and the ratios PostgreSQL/SQLite.
# Everything runs on this machine: the cluster's four PostgreSQL servers, both callstores and the
# load generator share its cores.
set -euo pipefail
calls=${1:-100000}
rounds=${2:-3}
dur=${3:-10s}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/scalebench.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$here/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$here" && go build -o "$work/callstore" .)
cs="$work/callstore"
echo "scalebench: seeding $calls calls" >&2
key=$("$cs" seed -db "$work/s.db" -calls "$calls" -messages-per-call 20 -logs-per-call 5 -end 2026-11-01T00:00:00Z \
  | sed -n 's/.*API key: //p' | head -1)
echo "scalebench: starting the cluster" >&2
url=$("$here/scripts/pgcluster.sh" start "$work/cluster")
echo "scalebench: copying into $url" >&2
"$cs" copy -from "$work/s.db" -to "$url" -verify-sample 200 >&2

serve() { # serve DB PORT
  "$cs" serve -db "$1" -addr "127.0.0.1:$2" > "$work/serve-$2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/serve-$2.log" && return; sleep 0.2; done
  echo "scalebench: the server on $2 did not start" >&2; cat "$work/serve-$2.log" >&2; exit 1
}
serve "$work/s.db" 18791
serve "$url" 18792
declare -A port=([sqlite]=18791 [postgres]=18792)

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['total'][sys.argv[2]])" "$@"; }
results="$work/results.tsv"
for r in $(seq "$rounds"); do
  for engine in sqlite postgres; do
    u="http://127.0.0.1:${port[$engine]}"
    for s in list-first list-deep; do
      "$cs" bench -url "$u" -key "$key" -scenario "$s" -duration "$dur" -json > "$work/b.json" 2>/dev/null
      printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$engine" "$s" "$(field "$work/b.json" p50_ms)" "$(field "$work/b.json" requests_per_second)" | tee -a "$results"
    done
    "$cs" bench -url "$u" -key "$key" -scenario bulk-delete -concurrency 1 -requests 15 -duration 5m -json > "$work/b.json" 2>/dev/null
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$engine" bulk-delete-500 "$(field "$work/b.json" p50_ms)" "$(field "$work/b.json" requests_per_second)" | tee -a "$results"
  done
done

python3 - "$results" <<'EOF'
import statistics, sys, collections
p50 = collections.defaultdict(list); rps = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, engine, s, a, b = line.split('\t')
    p50[(engine, s)].append(float(a)); rps[(engine, s)].append(float(b))
print()
print('| scenario | SQLite p50 ms | PostgreSQL p50 ms | ratio | SQLite req/s | PostgreSQL req/s | ratio |')
print('|---|---|---|---|---|---|---|')
for s in ['list-first', 'list-deep', 'bulk-delete-500']:
    a, b = statistics.median(p50[('sqlite', s)]), statistics.median(p50[('postgres', s)])
    c, d = statistics.median(rps[('sqlite', s)]), statistics.median(rps[('postgres', s)])
    print(f'| {s} | {a:.2f} | {b:.2f} | {b/a:.2f}× | {c:.0f} | {d:.0f} | {d/c:.2f}× |')
EOF
