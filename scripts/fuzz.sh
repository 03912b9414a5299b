#!/usr/bin/env bash
# Runs every fuzz target of every package for a bounded time each: go test -fuzz takes one target
# per invocation, so the targets are listed with go test -list and run one after another.
#
#   scripts/fuzz.sh [fuzztime] [go test flags...]
#
# fuzztime is go test's -fuzztime (default 3s; 30s, 5m or 100000x work too). Further arguments go
# to every go test, e.g. -parallel 1 to leave cores free. Prints one summary line per target and
# exits non-zero when any target fails (its output is shown; a failing input is written under the
# package's testdata/fuzz/<target>/ and replays in plain go test until it is fixed or removed).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

fuzztime="${1:-3s}"
shift || true

# Only packages with a Fuzz function in a test file are asked for their list (building a test
# binary costs seconds); go test -list is what decides which targets there are.
dirs=$(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_]' . | xargs -r -n1 dirname | sort -u)
pkgs=$(for d in $dirs; do go list "$d"; done) || exit 1
failed=0
count=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $pkgs; do
  targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz') || true
  for target in $targets; do
    count=$((count + 1))
    start=$(date +%s%N)
    status=FAIL
    for attempt in 1 2; do
      if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$@" "$pkg" >"$log" 2>&1; then
        status=ok
        break
      fi
      # go test -fuzz can end a time-bounded run with a bare "context deadline exceeded" when a
      # worker is slow to stop on a loaded machine (no failing input is written then): that is
      # not a finding, so such a run is tried once more. Any other failure stands.
      if grep -q 'Failing input written' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
        break
      fi
      echo "     (${target}: 'context deadline exceeded' without a failing input; trying again)"
    done
    [ "$status" = FAIL ] && failed=$((failed + 1))
    ms=$((($(date +%s%N) - start) / 1000000))
    # The last progress line of go test -fuzz: "fuzz: elapsed: 3s, execs: 12345 (4115/sec), new interesting: 2 (total: 40)"
    progress=$(grep -o 'execs: [0-9]* ([0-9]*/sec), new interesting: [0-9]* (total: [0-9]*)' "$log" | tail -1)
    printf '%-4s %-30s %-10s %4d.%01ds  %s\n' "$status" "$target" "${pkg#github.com/callstore/callstore/}" $((ms / 1000)) $((ms % 1000 / 100)) "${progress:-no fuzzing progress reported}"
    if [ "$status" = FAIL ]; then
      sed 's/^/     | /' "$log"
    fi
  done
done
if [ "$count" -eq 0 ]; then
  echo "no fuzz targets found"; exit 1
fi
if [ "$failed" -gt 0 ]; then
  echo "$failed of $count fuzz targets failed"; exit 1
fi
echo "all $count fuzz targets passed ($fuzztime each)"
