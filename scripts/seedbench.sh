#!/usr/bin/env bash
# seedbench.sh: wall time of `callstore seed` of two builds, side by side.
#
#   scripts/seedbench.sh BASE NEW [ROUNDS] [-- SEED FLAGS...]
#
# Runs the seed of BASE and of NEW alternately, ROUNDS times each (default 5), so that whatever
# else the machine does weighs on both builds alike. Every run writes a fresh database under
# $TMPDIR (default /tmp), removed right after. Prints each run's wall time and CPU time (user plus
# system), then the medians of each build and their ratios NEW/BASE: the wall time is what the
# target is about; the CPU time is less disturbed by other load on the machine. The default data
# set is issue #11's: 100,000 calls of 20 messages and 5 log rows, ending 2026-11-01; flags after
# -- replace it.
set -euo pipefail
usage="usage: scripts/seedbench.sh BASE NEW [ROUNDS] [-- SEED FLAGS...]"
base=${1:?$usage}
new=${2:?$usage}
shift 2
rounds=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  rounds=$1
  shift
fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(-calls 100000 -messages-per-call 20 -logs-per-call 5 -end 2026-11-01T00:00:00Z)

work=$(mktemp -d "${TMPDIR:-/tmp}/seedbench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run BIN prints the wall seconds and the CPU seconds (user + system) of one seed of BIN into a
# new file.
run() {
  local db="$work/seed.db"
  rm -f "$db" "$db-wal" "$db-shm"
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$1" seed -db "$db" "${flags[@]}" > "$work/out" 2>&1 ||
    { cat "$work/out" >&2; return 1; }
  rm -f "$db" "$db-wal" "$db-shm"
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$work/time"
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

echo "seed ${flags[*]}, $rounds rounds" >&2
tb=() tn=() cb=() cn=()
for i in $(seq "$rounds"); do
  read -r b bc < <(run "$base")
  read -r n nc < <(run "$new")
  tb+=("$b") tn+=("$n") cb+=("$bc") cn+=("$nc")
  printf 'round %d: base %6.2f s (cpu %6.2f s)  new %6.2f s (cpu %6.2f s)\n' "$i" "$b" "$bc" "$n" "$nc"
done
mb=$(median "${tb[@]}") mn=$(median "${tn[@]}")
mcb=$(median "${cb[@]}") mcn=$(median "${cn[@]}")
printf 'median wall: base %.2f s  new %.2f s  ratio new/base %.3f\n' "$mb" "$mn" "$(echo "$mn / $mb" | bc -l)"
printf 'median cpu:  base %.2f s  new %.2f s  ratio new/base %.3f\n' "$mcb" "$mcn" "$(echo "$mcn / $mcb" | bc -l)"
