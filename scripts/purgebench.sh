#!/usr/bin/env bash
# purgebench.sh: a purge of about 100,000 calls on a seeded million-call file while 8 clients list
# (issue #14's benchmark). It serves DB on a loopback port, then:
#   1. 30 s of `bench -scenario list-first -concurrency 8`, and a write probe (POST /v1/call/ every
#      50 ms, each answer's time recorded): the lists' and the writes' latencies without a purge;
#   2. the purge's dry run (its count and time);
#   3. the purge (`POST /v1/call/purge` with "dry_run": false) while the same lists run in 10 s
#      rounds and the probe writes: the purge's time, the lists' p99 per round, the writes' waits.
# It deletes data: run it on a copy, or move END on between runs (calls are spread over 90 days).
#
#   scripts/purgebench.sh DB KEY END [OUT]
#
#   DB    a file seeded with `callstore seed -calls 1000000 -end 2026-11-30T00:00:00Z` (9.5 GB)
#   KEY   the API key the seed printed
#   END   end_created_date of the purge, e.g. 2026-09-10T12:00:00Z for the oldest ~100,000 calls
#   OUT   where the answers and reports go (default /tmp/purgebench)
# The callstore command is $CALLSTORE (default: go run .). Summarize with scripts/purgebench.py OUT.
set -euo pipefail
DB=$1 KEY=$2 END=$3 OUT=${4:-/tmp/purgebench}
CALLSTORE=${CALLSTORE:-go run .}
PORT=${PORT:-18801}
URL=http://127.0.0.1:$PORT
rm -rf "$OUT"
mkdir -p "$OUT"
$CALLSTORE serve -db "$DB" -addr 127.0.0.1:$PORT >"$OUT/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q listening "$OUT/serve.log" && break; sleep 0.2; done

# probe STOPFILE: a small write every 50 ms until STOPFILE exists; one latency (s) per line.
probe() {
	while [ ! -e "$1" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' -X POST "$URL/v1/call/" -H "Authorization: Bearer $KEY" \
			-d '{"from_number":"+34910000000","to_number":"+34600000001"}'
		sleep 0.05
	done
}

probe "$OUT/stop.base" >"$OUT/probe.base" &
prober=$!
$CALLSTORE bench -url "$URL" -key "$KEY" -scenario list-first -concurrency 8 -duration 30s -json >"$OUT/bench.base.json" 2>>"$OUT/bench.err"
touch "$OUT/stop.base"
wait $prober

curl -s -o "$OUT/dry.json" -w '%{time_total}\n' -X POST "$URL/v1/call/purge" -H "Authorization: Bearer $KEY" \
	-d "{\"end_created_date\":\"$END\"}" >"$OUT/dry.time"

probe "$OUT/stop.purge" >"$OUT/probe.purge" &
prober=$!
(
	i=0
	while [ ! -e "$OUT/stop.purge" ]; do
		i=$((i + 1))
		$CALLSTORE bench -url "$URL" -key "$KEY" -scenario list-first -concurrency 8 -duration 10s -json >"$OUT/bench.purge.$i.json" 2>>"$OUT/bench.err"
	done
) &
lister=$!
sleep 3
curl -s -o "$OUT/purge.json" -w '%{time_total}\n' -X POST "$URL/v1/call/purge" -H "Authorization: Bearer $KEY" \
	-d "{\"end_created_date\":\"$END\",\"dry_run\":false}" >"$OUT/purge.time"
touch "$OUT/stop.purge"
wait $lister $prober
echo "dry run: $(cat "$OUT/dry.time") s; purge: $(cat "$OUT/purge.time") s, $(cat "$OUT/purge.json")"
