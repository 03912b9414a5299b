#!/usr/bin/env bash
# floor.sh: the floor for callstore's bulk delete, i.e. what SQLite's own C code (the sqlite3 shell)
# needs to delete 500 random terminal calls of one company, with their transcripts by cascade and
# their audit rows set to NULL, in one transaction. Compare the median with the p50 of
# `callstore bench -scenario bulk-delete` on the same data (see docs/performance.md).
#
# Usage: scripts/floor.sh DB [REPETITIONS] [COMPANY_ID]
#   DB           a seeded callstore database (not modified: the script works on a copy)
#   REPETITIONS  how many deletes of 500 calls to time (default 10); each uses 500 fresh ids
#   COMPANY_ID   whose calls to delete (default: the company with the most calls)
# Environment:
#   FLOOR_STATEMENT  the DELETE to time, with :company and :ids standing for the quoted company id
#                    and the comma-separated quoted call ids; default: the statement below. Set it
#                    when the server's statement changes, so the floor stays the same statement.
#   FLOOR_AUTOCOMMIT set (to anything): run the statement alone, as SQLite's implicit one-statement
#                    transaction (as the server does), instead of inside BEGIN IMMEDIATE ... COMMIT.
#
# It runs the statement the server runs, on a copy of the file, with the server's connection
# settings (foreign_keys=ON, synchronous=NORMAL, cache_size=-32000), all repetitions in one shell
# session so the page cache warms up as it does in a running server, and times each
# BEGIN IMMEDIATE / DELETE / COMMIT with the shell's .timer.
set -euo pipefail

db=${1:?usage: scripts/floor.sh DB [REPETITIONS] [COMPANY_ID]}
reps=${2:-10}
company=${3:-}
batch=500
terminal="'completed', 'failed', 'transferred', 'no_answer'"
# The statement of queries/calls_delete.sql (DeleteTerminalCalls), which the server runs.
statement=${FLOOR_STATEMENT:-"DELETE FROM calls INDEXED BY calls_id WHERE company_id = :company AND status IN ($terminal) AND id IN (:ids);"}

[ -f "$db" ] || { echo "floor.sh: no database file $db" >&2; exit 1; }
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "floor.sh: REPETITIONS must be a positive number" >&2; exit 1; }
if ! command -v sqlite3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "floor.sh: installing the sqlite3 shell" >&2
    apt-get install -y sqlite3 >/dev/null
  else
    echo "floor.sh: needs the sqlite3 shell (apt-get install sqlite3)" >&2
    exit 1
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/floor.XXXXXX")
trap 'rm -rf "$work"' EXIT
copy="$work/floor.db"
echo "floor.sh: copying $db ($(du -h "$db" | cut -f1)) to $copy" >&2
cp "$db" "$copy"
if [ -f "$db-wal" ]; then cp "$db-wal" "$copy-wal"; fi

if [ -z "$company" ]; then
  company=$(sqlite3 "$copy" "SELECT company_id FROM calls GROUP BY company_id ORDER BY count(*) DESC LIMIT 1;")
fi
[[ "$company" =~ ^[0-9a-f-]{36}$ ]] || { echo "floor.sh: no calls, or a bad company id '$company'" >&2; exit 1; }

# reps x 500 distinct random terminal calls: every repetition deletes 500 calls that exist.
sqlite3 "$copy" "SELECT id FROM calls WHERE company_id = '$company' AND status IN ($terminal)
                 ORDER BY random() LIMIT $((reps * batch));" > "$work/ids"
have=$(wc -l < "$work/ids")
if [ "$have" -lt $((reps * batch)) ]; then
  reps=$((have / batch))
  echo "floor.sh: only $have terminal calls: $reps repetitions" >&2
  [ "$reps" -gt 0 ] || exit 1
fi

# render STATEMENT COMPANY IDS: the statement with its placeholders filled in.
render() {
  local out=${1//:company/\'$2\'}
  printf '%s\n' "${out//:ids/$3}"
}

{
  echo "PRAGMA foreign_keys = ON;"
  echo "PRAGMA synchronous = NORMAL;"
  echo "PRAGMA cache_size = -32000;"
  echo "PRAGMA busy_timeout = 10000;"
  for r in $(seq 1 "$reps"); do
    ids=$(sed -n "$(((r - 1) * batch + 1)),$((r * batch))p" "$work/ids" | sed "s/.*/'&'/" | paste -sd, -)
    echo ".print rep $r"
    echo ".timer on"
    if [ -n "${FLOOR_AUTOCOMMIT:-}" ]; then
      # The statement alone: SQLite's implicit one-statement transaction, as the server runs it.
      render "$statement" "$company" "$ids"
      echo ".timer off"
      echo "SELECT 'deleted ' || changes();"
    else
      echo "BEGIN IMMEDIATE;"
      render "$statement" "$company" "$ids"
      echo ".timer off"
      echo "SELECT 'deleted ' || changes();"
      echo ".timer on"
      echo "COMMIT;"
      echo ".timer off"
    fi
  done
} > "$work/floor.sql"

echo "floor.sh: sqlite3 $(sqlite3 --version | cut -d' ' -f1), company $company, $reps x DELETE of $batch calls" >&2
echo "floor.sh: statement: $statement" >&2
sqlite3 "$copy" "EXPLAIN QUERY PLAN $(render "$statement" "$company" "$(head -n "$batch" "$work/ids" | sed "s/.*/'&'/" | paste -sd, -)")" |
  sed -n 's/^.--/floor.sh: plan: /p' >&2
sqlite3 "$copy" < "$work/floor.sql" | awk -v batch="$batch" '
  /^rep / { rep = $2; t[rep] = 0; next }
  /^Run Time: real / { t[rep] += $4; next }
  /^deleted / { d[rep] = $2; next }
  END {
    n = 0
    for (r = 1; r in t; r++) {
      printf "rep %d: %.1f ms, %d calls deleted\n", r, t[r] * 1000, d[r]
      if (d[r] != batch) bad = 1
      v[++n] = t[r]
    }
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] < v[j-1]; j--) { x = v[j]; v[j] = v[j-1]; v[j-1] = x }
    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "floor: median %.1f ms over %d deletes of %d terminal calls (min %.1f ms, max %.1f ms)\n", med * 1000, n, batch, v[1] * 1000, v[n] * 1000
    if (bad) { print "floor.sh: a repetition did not delete " batch " calls" > "/dev/stderr"; exit 1 }
  }'
