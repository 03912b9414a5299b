#!/usr/bin/env bash
# pgcluster.sh: a 3-node synchronous PostgreSQL 15 cluster with automatic failover
# (pg_auto_failover) on 127.0.0.1, for failover tests and benchmarks. See docs/scale-out-cluster.md.
#
#   scripts/pgcluster.sh start DIR       create a monitor and 3 nodes under DIR (which must not exist
#                                        or be empty), run them, print the multi-host URL on stdout
#   scripts/pgcluster.sh stop DIR        stop the watchdog, every keeper and every postgres of the
#                                        cluster and wait for them to exit (DIR stays: rm -rf it)
#   scripts/pgcluster.sh status DIR      the monitor's view, the profile, the watchdog
#   scripts/pgcluster.sh url DIR         print the multi-host URL again
#   scripts/pgcluster.sh primary DIR     print the port of the current primary
#   scripts/pgcluster.sh kill-primary DIR [--node]
#                                        kill -9 the primary's postmaster; with --node its keeper too
#                                        (the machine is gone until `revive`); prints "PORT EPOCH_S"
#   scripts/pgcluster.sh revive DIR      start again every keeper (and the watchdog) that is gone
#   scripts/pgcluster.sh wait-healthy DIR [TIMEOUT_S]   (default 120)
#                                        wait for 1 primary + 2 streaming secondaries, all reporting
#                                        since the last kill and the monitor quiet for 3 s; prints the
#                                        seconds from the last kill-primary (or from the call) until
#                                        that healthy, quiet stretch began
#   scripts/pgcluster.sh tune DIR PROFILE  apply a failover-timing profile to a running cluster
#
# Ports: PGCLUSTER_BASE_PORT (56000) for the monitor, +1..+3 for the nodes. Database "callstore",
# owned by the superuser "postgres"; trust authentication on 127.0.0.1, no SSL.
# Failover timing: PGCLUSTER_PROFILE=tuned (the default) | fast | relaxed | default (pg_auto_failover's
# own values), see profile_values. Logs and pids: DIR/NAME.log, DIR/NAME.pid (monitor, node1..3,
# watchdog). Runs as root (the servers run as the postgres user through runuser) or as the user
# who will own DIR. Every wait is bounded; start takes 15-35 s on a 2-core machine.
set -euo pipefail

SELF=$(realpath "$0")
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_AUTOCTL=${PG_AUTOCTL:-$(command -v pg_autoctl || echo /usr/bin/pg_autoctl)}
HOST=127.0.0.1
BASE_PORT=${PGCLUSTER_BASE_PORT:-56000}
MONITOR_PORT=$BASE_PORT
NODES=(node1 node2 node3)
DBNAME=callstore
FORMATION=default

if [ "$(id -u)" = 0 ]; then RUNAS=${PGCLUSTER_USER:-postgres}; else RUNAS=$(id -un); fi
DBUSER=$RUNAS

die() { echo "pgcluster: $*" >&2; exit 1; }
log() { echo "pgcluster: $*" >&2; }
now() { date +%s.%3N; }
# elapsed START [END]: seconds between two now() values, 3 decimals
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }

usage() { sed -n '2,/^set -euo/p' "$SELF" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2; }

node_port() { echo $((BASE_PORT + ${1#node})); }   # node2 -> 56002
port_node() { echo "node$(($1 - BASE_PORT))"; }     # 56002 -> node2

# as_pg CMD...: run CMD as the postgres user, with pg_autoctl's config/state/pid files under DIR
as_pg() {
  local envs=(XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" XDG_RUNTIME_DIR="$DIR/xdg/run" PG_CONFIG="$PGBIN/pg_config")
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUNAS" -- env "${envs[@]}" "$@"; else env "${envs[@]}" "$@"; fi
}

psql_port() { # psql_port PORT DB USER SQL
  PGCONNECT_TIMEOUT=3 "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$HOST" -p "$1" -d "$2" -U "$3" -c "$4"
}
mon_sql() { psql_port "$MONITOR_PORT" pg_auto_failover autoctl_node "$1"; }
mon_super_sql() { psql_port "$MONITOR_PORT" pg_auto_failover "$DBUSER" "$1"; }

cluster_url() {
  local hosts="" n
  for n in "${NODES[@]}"; do hosts+="${hosts:+,}$HOST:$(node_port "$n")"; done
  echo "postgres://$DBUSER@$hosts/$DBNAME?target_session_attrs=read-write&sslmode=disable"
}

set_dir() {
  [ -n "${1:-}" ] || usage
  DIR=$(realpath -m "$1")
}

# ---------------------------------------------------------------------------------------------
# Failover timing profiles. Monitor GUCs are in milliseconds; keeper timeouts in seconds.
#   HC_PERIOD     pgautofailover.health_check_period        time between two health checks of a node
#   HC_TIMEOUT    pgautofailover.health_check_timeout       connect timeout of one health check
#   HC_RETRIES    pgautofailover.health_check_max_retries   retries before a node's health is "bad"
#   HC_DELAY      pgautofailover.health_check_retry_delay   pause between the retries
#   UNHEALTHY     pgautofailover.node_considered_unhealthy_timeout
#                                  a node whose keeper has not reported for this long and whose
#                                  health check failed is unhealthy (failover starts if primary)
#   DEMOTE        pgautofailover.primary_demote_timeout     how long a silent old primary is given to
#                                  stop itself before the standby is promoted anyway
#   GRACE         pgautofailover.startup_grace_period       no failover this soon after the monitor starts
#   PARTITION     timeout.network_partition_timeout         a primary that reaches neither the monitor
#                                  nor any standby for this long stops itself (split-brain guard);
#                                  must stay below DEMOTE
#   RESTART_T/_N  timeout.postgresql_restart_failure_timeout / _max_retries
#                                  the keeper's local restart attempts before it reports its Postgres
#                                  down (in 2.0 its postgres controller restarts a killed postmaster
#                                  by itself within 1-8 s, whatever these say)
# tuned is the default: a lost primary machine is replaced in ~13 s (default: ~53 s) and a keeper
# may stall 5 s (it does, 2-4 s, while its own postgres restarts) before its node counts as failed.
# fast replaces a lost machine in ~8 s but fails over on a 2 s stall. Measurements and reasons:
# docs/scale-out-cluster.md.
profile_values() {
  case "$1" in
    default) HC_PERIOD=5000 HC_TIMEOUT=5000 HC_RETRIES=2 HC_DELAY=2000 UNHEALTHY=20000 DEMOTE=30000 GRACE=10000 PARTITION=20 RESTART_T=20 RESTART_N=3 ;;
    relaxed) HC_PERIOD=2000 HC_TIMEOUT=2000 HC_RETRIES=2 HC_DELAY=1000 UNHEALTHY=6000  DEMOTE=10000 GRACE=10000 PARTITION=6  RESTART_T=10 RESTART_N=3 ;;
    tuned)   HC_PERIOD=1000 HC_TIMEOUT=1000 HC_RETRIES=1 HC_DELAY=500  UNHEALTHY=5000  DEMOTE=5000  GRACE=5000  PARTITION=3  RESTART_T=5  RESTART_N=2 ;;
    fast)    HC_PERIOD=500  HC_TIMEOUT=500  HC_RETRIES=1 HC_DELAY=250  UNHEALTHY=2000  DEMOTE=3000  GRACE=5000  PARTITION=2  RESTART_T=3  RESTART_N=1 ;;
    *) die "unknown profile '$1' (default, relaxed, tuned, fast)" ;;
  esac
}

apply_monitor_profile() {
  profile_values "$1"
  mon_super_sql "ALTER SYSTEM SET pgautofailover.health_check_period = $HC_PERIOD" >/dev/null
  mon_super_sql "ALTER SYSTEM SET pgautofailover.health_check_timeout = $HC_TIMEOUT" >/dev/null
  mon_super_sql "ALTER SYSTEM SET pgautofailover.health_check_max_retries = $HC_RETRIES" >/dev/null
  mon_super_sql "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = $HC_DELAY" >/dev/null
  mon_super_sql "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = $UNHEALTHY" >/dev/null
  mon_super_sql "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = $DEMOTE" >/dev/null
  mon_super_sql "ALTER SYSTEM SET pgautofailover.startup_grace_period = $GRACE" >/dev/null
  mon_super_sql "SELECT pg_reload_conf()" >/dev/null
}

apply_keeper_profile() { # apply_keeper_profile PROFILE NODE
  profile_values "$1"
  local pgdata="$DIR/$2"
  as_pg "$PG_AUTOCTL" config set --pgdata "$pgdata" timeout.network_partition_timeout "$PARTITION" >/dev/null
  as_pg "$PG_AUTOCTL" config set --pgdata "$pgdata" timeout.postgresql_restart_failure_timeout "$RESTART_T" >/dev/null
  as_pg "$PG_AUTOCTL" config set --pgdata "$pgdata" timeout.postgresql_restart_failure_max_retries "$RESTART_N" >/dev/null
}

# Keep 4 instances small on a shared 2-core machine: pg_autoctl sizes shared_buffers at a quarter
# of RAM and wal_keep_size at 8 GB per instance. postgresql.auto.conf is read last, so it wins;
# pg_basebackup copies node1's into the standbys.
instance_settings() {
  as_pg sh -c "cat >> '$1/postgresql.auto.conf'" <<'EOF'
# pgcluster.sh: a small test instance
shared_buffers = '128MB'
effective_cache_size = '1GB'
maintenance_work_mem = '64MB'
work_mem = '8MB'
wal_keep_size = '256MB'
# a standby whose upstream restarted tries to stream again after 1 s, not 5 s: commits wait for
# it (synchronous replication), so this bounds the write outage when a crashed primary is
# restarted in place instead of failed over
wal_retrieve_retry_interval = '1s'
EOF
}

# ---------------------------------------------------------------------------------------------
keeper_pid() { [ -f "$DIR/$1.pid" ] && cat "$DIR/$1.pid" || true; }
# alive PID: the process exists and is not a zombie waiting for its parent to reap it
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
keeper_alive() { alive "$(keeper_pid "$1")"; }

# run_keeper NAME: `pg_autoctl run` in its own session (so the caller's signals don't reach it),
# log appended to DIR/NAME.log, the session leader's pid in DIR/NAME.pid
run_keeper() {
  local name=$1
  if [ "$(id -u)" = 0 ]; then
    setsid runuser -u "$RUNAS" -- env XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" \
      XDG_RUNTIME_DIR="$DIR/xdg/run" "$PG_AUTOCTL" run --pgdata "$DIR/$name" >> "$DIR/$name.log" 2>&1 < /dev/null &
  else
    setsid env XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" \
      XDG_RUNTIME_DIR="$DIR/xdg/run" "$PG_AUTOCTL" run --pgdata "$DIR/$name" >> "$DIR/$name.log" 2>&1 < /dev/null &
  fi
  echo $! > "$DIR/$name.pid"
}

# wait_for TIMEOUT_S WHAT CMD...: poll CMD every 0.2 s
wait_for() {
  local timeout=$1 what=$2; shift 2
  local t0; t0=$(now)
  while ! "$@" >/dev/null 2>&1; do
    if awk -v e="$(elapsed "$t0")" -v t="$timeout" 'BEGIN { exit !(e > t) }'; then
      log "timed out after ${timeout}s waiting for $what"; return 1
    fi
    sleep 0.2
  done
}

node_state() { mon_sql "SELECT reportedstate || '/' || goalstate FROM pgautofailover.node WHERE nodeport = $1"; }
node_is() { [ "$(node_state "$1")" = "$2/$2" ]; }
monitor_ready() { mon_sql "SELECT count(*) FROM pgautofailover.node" >/dev/null; }

# healthy [SINCE_EPOCH]: one primary and two secondaries, settled (reported = goal), on the monitor;
# each node's postgres answers and is in the role the monitor says, both standbys stream from the
# primary; with SINCE, every node has reported to the monitor after that time (the monitor's view
# is not the one from before a kill)
healthy() {
  local since=${1:-0} rows p s n
  rows=$(mon_sql "SELECT nodeport, reportedstate, (reportedstate = goalstate AND reporttime > to_timestamp($since)) FROM pgautofailover.node WHERE formationid = '$FORMATION' ORDER BY nodeport") || return 1
  [ "$(echo "$rows" | grep -c '|primary|t$')" = 1 ] || return 1
  [ "$(echo "$rows" | grep -c '|secondary|t$')" = 2 ] || return 1
  while IFS='|' read -r p s _; do
    n=$(psql_port "$p" "$DBNAME" "$DBUSER" "SELECT pg_is_in_recovery()") || return 1
    if [ "$s" = primary ]; then
      [ "$n" = f ] || return 1
      n=$(psql_port "$p" "$DBNAME" "$DBUSER" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") || return 1
      [ "$n" = 2 ] || return 1
    else
      [ "$n" = t ] || return 1
    fi
  done <<< "$rows"
}

current_primary() {
  mon_sql "SELECT nodeport FROM pgautofailover.node WHERE formationid = '$FORMATION' AND reportedstate = goalstate AND goalstate IN ('primary', 'wait_primary', 'single') ORDER BY nodeport LIMIT 1"
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# The watchdog works around a deadlock of pg_auto_failover 2.0, the version Debian 12 ships
# (hapostgres/pg_auto_failover#1060; fixed upstream by pull request #1143, after 2.0). When the
# primary's postmaster dies, its keeper restarts it within seconds; if it is back before the failover
# starts, it holds the most WAL of the group (at least its end-of-recovery checkpoint record), the
# monitor elects it and (apparently comparing two LSNs of that node read at different moments) may send
# it to "fast_forward" to fetch the missing WAL from... itself. It then loops for ever trying to
# stream from its own stopped server and the group has no primary. The watchdog looks for a node in
# report_lsn (reported) / fast_forward (assigned) for WATCH_STUCK seconds that already has the
# highest LSN of its group, and assigns it prepare_promotion, the goal the monitor gives an elected
# node that has all the WAL; the promotion then goes on as usual (see watchdog_reset_keeper for the
# one clean-up it needs afterwards). Every repair goes to DIR/watchdog.log.
WATCH_STUCK=${PGCLUSTER_WATCHDOG_STUCK:-2}

cmd_watchdog() {
  local seen="" first=0 row id name
  log "watchdog $$ for $DIR (repairs a node stuck in report_lsn/fast_forward for ${WATCH_STUCK}s)"
  while keeper_alive monitor; do
    row=$(mon_sql "SELECT n.nodeid || '|' || n.nodename FROM pgautofailover.node n
      WHERE n.reportedstate = 'report_lsn' AND n.goalstate = 'fast_forward'
        AND n.reportedlsn >= ALL (SELECT o.reportedlsn FROM pgautofailover.node o
                                  WHERE o.formationid = n.formationid AND o.groupid = n.groupid)
      ORDER BY n.nodeid LIMIT 1" 2>/dev/null) || row=""
    if [ -z "$row" ]; then
      seen=""
    elif [ "$row" != "$seen" ]; then
      seen=$row; first=$(date +%s)
    elif [ $(( $(date +%s) - first )) -ge "$WATCH_STUCK" ]; then
      IFS='|' read -r id name <<< "$row"
      if mon_super_sql "UPDATE pgautofailover.node SET goalstate = 'prepare_promotion', statechangetime = now()
          WHERE nodeid = $id AND reportedstate = 'report_lsn' AND goalstate = 'fast_forward'" >/dev/null 2>&1; then
        log "$(date +%T.%3N) $name (node $id) was stuck in report_lsn/fast_forward for ${WATCH_STUCK}s with the highest LSN of its group (pg_auto_failover#1060): assigned prepare_promotion"
        watchdog_reset_keeper "$id" "$name"
      else
        log "$(date +%T.%3N) $name (node $id) is stuck in report_lsn/fast_forward, and the repair failed"
      fi
      seen=""
    fi
    sleep 1
  done
  log "watchdog $$: the monitor's keeper is gone, exiting"
}

# The aborted fast_forward leaves its target LSN in the memory of the node's keeper (the
# "node-active" process): the next time that keeper sets the node up as a standby it writes
# recovery_target_lsn = that old LSN, and the standby stops replaying there and never rejoins. Once
# the repaired node is the primary, restart only that process (postgres keeps running).
watchdog_reset_keeper() { # watchdog_reset_keeper NODEID NAME
  local st=""
  for _ in $(seq 120); do
    st=$(mon_sql "SELECT reportedstate || '/' || goalstate FROM pgautofailover.node WHERE nodeid = $1" 2>/dev/null) || st=""
    case "$st" in wait_primary/*|primary/primary) break ;; esac
    sleep 0.5
  done
  if as_pg env PG_AUTOCTL_DEBUG=1 "$PG_AUTOCTL" "do" service restart node-active --pgdata "$DIR/$2" >/dev/null 2>&1; then
    log "$(date +%T.%3N) $2 is $st: restarted its keeper's node-active process to drop the aborted fast_forward target"
  else
    log "$(date +%T.%3N) $2 is $st: could not restart its keeper's node-active process"
  fi
}

run_watchdog() {
  setsid "$SELF" watchdog "$DIR" >> "$DIR/watchdog.log" 2>&1 < /dev/null &
  echo $! > "$DIR/watchdog.pid"
}

# ---------------------------------------------------------------------------------------------
cmd_start() {
  local profile=${PGCLUSTER_PROFILE:-tuned} t0 name port
  profile_values "$profile"
  t0=$(now)
  [ -x "$PG_AUTOCTL" ] || die "pg_autoctl not found: apt-get install -y postgresql-15-auto-failover"
  [ -x "$PGBIN/pg_ctl" ] || die "no $PGBIN/pg_ctl: apt-get install -y postgresql-15 (or set PGBIN)"
  if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    die "$DIR already exists and is not empty (a cluster may live there): run '$0 stop $DIR' and remove it, or choose another DIR"
  fi
  for port in "$MONITOR_PORT" $(for n in "${NODES[@]}"; do node_port "$n"; done); do
    port_in_use "$port" && die "port $port on $HOST is already in use"
  done
  mkdir -p "$DIR/xdg/config" "$DIR/xdg/data" "$DIR/xdg/run"
  if [ "$(id -u)" = 0 ]; then
    chown -R "$RUNAS:" "$DIR"
    runuser -u "$RUNAS" -- test -w "$DIR" || die "user $RUNAS cannot write $DIR (is a parent directory closed to it?)"
  fi
  chmod 700 "$DIR/xdg/run"
  echo "$profile" > "$DIR/profile"
  # from here on, a failure leaves nothing running (the logs stay in DIR)
  trap 'if [ -z "${started:-}" ]; then log "start failed; stopping what was started (logs in $DIR/*.log)"; cmd_stop >/dev/null 2>&1 || true; fi' EXIT

  log "monitor on port $MONITOR_PORT"
  as_pg timeout 60 "$PG_AUTOCTL" create monitor --pgdata "$DIR/monitor" --pgport "$MONITOR_PORT" \
    --hostname "$HOST" --auth trust --no-ssl --pgctl "$PGBIN/pg_ctl" > "$DIR/create-monitor.log" 2>&1 \
    || { log "pg_autoctl create monitor failed, see $DIR/create-monitor.log"; false; }
  as_pg "$PG_AUTOCTL" config set --pgdata "$DIR/monitor" postgresql.listen_addresses "$HOST" >/dev/null
  instance_settings "$DIR/monitor"
  run_keeper monitor
  wait_for 30 "the monitor" monitor_ready
  apply_monitor_profile "$profile"
  run_watchdog

  for name in "${NODES[@]}"; do
    port=$(node_port "$name")
    log "$name on port $port"
    as_pg timeout 90 "$PG_AUTOCTL" create postgres --pgdata "$DIR/$name" --pgport "$port" --listen "$HOST" \
      --hostname "$HOST" --name "$name" --dbname "$DBNAME" --auth trust --no-ssl --pgctl "$PGBIN/pg_ctl" \
      --monitor "postgres://autoctl_node@$HOST:$MONITOR_PORT/pg_auto_failover?sslmode=prefer" \
      > "$DIR/create-$name.log" 2>&1 \
      || { log "pg_autoctl create postgres failed for $name, see $DIR/create-$name.log"; false; }
    apply_keeper_profile "$profile" "$name"
    if [ "$name" = node1 ]; then instance_settings "$DIR/$name"; fi
    run_keeper "$name"
    if [ "$name" = node1 ]; then
      wait_for 30 "node1 to be the single primary" node_is "$port" single
    else
      wait_for 60 "$name to be a secondary" node_is "$port" secondary
    fi
  done
  # every commit waits for one standby (ANY 1 of the two, both in the replication quorum)
  as_pg "$PG_AUTOCTL" set formation number-sync-standbys --pgdata "$DIR/node1" 1 >/dev/null 2>&1
  wait_for 60 "one primary and two secondaries" healthy
  local ssn
  ssn=$(psql_port "$(current_primary)" "$DBNAME" "$DBUSER" "SHOW synchronous_standby_names")
  [ -n "$ssn" ] || { log "synchronous_standby_names is empty on the primary"; false; }
  started=1
  log "up in $(elapsed "$t0")s, profile $profile, synchronous_standby_names = $ssn"
  cluster_url
}

# stop: every keeper gets SIGTERM (it stops its postgres with a fast shutdown); what is still
# there after 30 s gets SIGKILL, the keeper's whole session and the postmaster
cmd_stop() {
  [ -d "$DIR" ] || die "no cluster directory $DIR"
  local name p pids=() deadline
  keeper_alive watchdog && kill -TERM "$(keeper_pid watchdog)" 2>/dev/null || true
  for name in "${NODES[@]}" monitor; do
    keeper_alive "$name" && as_pg "$PG_AUTOCTL" stop --pgdata "$DIR/$name" >/dev/null 2>&1 || true
  done
  deadline=$(( $(date +%s) + 30 ))
  while :; do
    pids=()
    p=$(keeper_pid watchdog); alive "$p" && pids+=("$p")
    for name in "${NODES[@]}" monitor; do
      p=$(keeper_pid "$name"); alive "$p" && pids+=("$p")
      p=$(postmaster_pid "$name"); [ -n "$p" ] && pids+=("$p")
    done
    [ ${#pids[@]} = 0 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "still running after 30s, killing: ${pids[*]}"
      for name in "${NODES[@]}" monitor; do
        p=$(keeper_pid "$name"); [ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null || true
        p=$(postmaster_pid "$name"); [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
      done
      p=$(keeper_pid watchdog); [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
      sleep 1; deadline=$(( $(date +%s) + 10 ))
    fi
    sleep 0.2
  done
  for name in "${NODES[@]}" monitor watchdog; do rm -f "$DIR/$name.pid"; done
  log "stopped $DIR"
}

# postmaster_pid NAME: pid of the live postmaster of DIR/NAME, if any
postmaster_pid() {
  local f="$DIR/$1/postmaster.pid" p
  [ -f "$f" ] || return 0
  p=$(head -1 "$f" 2>/dev/null) || return 0
  [ -n "$p" ] && [ -r "/proc/$p/cmdline" ] || return 0
  tr '\0' ' ' < "/proc/$p/cmdline" | grep -q -- "-D $DIR/$1 " && echo "$p"
  return 0
}

cmd_primary() {
  local p
  p=$(current_primary) || die "the monitor on port $MONITOR_PORT does not answer"
  [ -n "$p" ] || die "no primary right now (failover in progress?)"
  echo "$p"
}

cmd_kill_primary() {
  local whole=${1:-} port name pid kp t
  port=$(cmd_primary)
  name=$(port_node "$port")
  pid=$(postmaster_pid "$name")
  [ -n "$pid" ] || die "no running postmaster for $name (port $port)"
  if [ "$whole" = --node ]; then
    kp=$(keeper_pid "$name")
    [ -n "$kp" ] && kill -KILL -- "-$kp" 2>/dev/null || true   # the keeper's session: runuser, pg_autoctl and its children
  elif [ -n "$whole" ]; then
    usage
  fi
  t=$(now)
  kill -KILL "$pid" 2>/dev/null || true
  echo "$port $t" > "$DIR/last-kill"
  log "killed the postmaster (pid $pid)${kp:+ and the keeper} of $name, port $port, at $(date -d "@$t" +%T.%3N)"
  echo "$port $t"
}

cmd_revive() {
  local name
  for name in "${NODES[@]}" monitor; do
    if ! keeper_alive "$name"; then
      log "starting the keeper of $name again"
      run_keeper "$name"
    fi
  done
  if ! keeper_alive watchdog; then log "starting the watchdog again"; run_watchdog; fi
}

# wait-healthy: healthy() must hold for SETTLE seconds in a row with no new event on the monitor
# (a node's postgres restarted by its keeper can look healthy for a moment before the monitor
# reacts to the crash); the time reported is when that quiet, healthy stretch began
SETTLE=${PGCLUSTER_SETTLE:-3}
quiet_since() { [ "$(mon_sql "SELECT count(*) FROM pgautofailover.event WHERE eventtime > to_timestamp($1)")" = 0 ]; }

cmd_wait_healthy() {
  local timeout=${1:-120} t0 since=0 kport="" ktime="" stable="" t
  t0=$(now)
  if [ -f "$DIR/last-kill" ]; then read -r kport ktime < "$DIR/last-kill"; since=$ktime; fi
  while :; do
    t=$(now)
    if healthy "$since" 2>/dev/null; then
      [ -n "$stable" ] || stable=$t
      if awk -v e="$(elapsed "$stable" "$t")" -v s="$SETTLE" 'BEGIN { exit !(e >= s) }'; then
        quiet_since "$stable" 2>/dev/null && break
        stable=""   # something happened on the monitor meanwhile: start over
      fi
    else
      stable=""
    fi
    if awk -v e="$(elapsed "$t0" "$t")" -v m="$timeout" 'BEGIN { exit !(e > m) }'; then
      log "timed out after ${timeout}s waiting for one primary and two secondaries"
      cmd_status >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  if [ -n "$ktime" ]; then
    rm -f "$DIR/last-kill"
    log "healthy again $(elapsed "$ktime" "$stable")s after the kill of port $kport (and quiet for ${SETTLE}s since); primary is now $(current_primary)"
    elapsed "$ktime" "$stable"; echo
  else
    log "healthy (since $(elapsed "$t0" "$stable")s into the wait, quiet for ${SETTLE}s since); primary is $(current_primary)"
    elapsed "$t0" "$stable"; echo
  fi
}

cmd_status() {
  as_pg "$PG_AUTOCTL" show state --pgdata "$DIR/monitor"
  echo "profile: $(cat "$DIR/profile" 2>/dev/null || echo '?')"
  echo "watchdog: $(keeper_alive watchdog && echo running || echo 'not running'), $(grep -c 'assigned prepare_promotion' "$DIR/watchdog.log" 2>/dev/null || true) repair(s)"
  mon_sql "SELECT name || ' = ' || setting FROM pg_settings WHERE name ~ '^pgautofailover\.(health|node_considered|primary_demote|startup)' ORDER BY name"
}

cmd_tune() {
  local profile=${1:?usage: pgcluster.sh tune DIR PROFILE} name
  profile_values "$profile"
  apply_monitor_profile "$profile"
  for name in "${NODES[@]}"; do
    apply_keeper_profile "$profile" "$name"
    as_pg "$PG_AUTOCTL" reload --pgdata "$DIR/$name" >/dev/null 2>&1 || log "could not signal the keeper of $name to reload"
  done
  echo "$profile" > "$DIR/profile"
  log "profile $profile applied"
}

cmd=${1:-}; shift || true
case "$cmd" in
  start) set_dir "${1:-}"; cmd_start ;;
  stop) set_dir "${1:-}"; cmd_stop ;;
  status) set_dir "${1:-}"; cmd_status ;;
  url) set_dir "${1:-}"; cluster_url ;;
  primary) set_dir "${1:-}"; cmd_primary ;;
  kill-primary) set_dir "${1:-}"; cmd_kill_primary "${2:-}" ;;
  revive) set_dir "${1:-}"; cmd_revive ;;
  wait-healthy) set_dir "${1:-}"; cmd_wait_healthy "${2:-120}" ;;
  tune) set_dir "${1:-}"; cmd_tune "${2:-}" ;;
  watchdog) set_dir "${1:-}"; cmd_watchdog ;;
  *) usage ;;
esac
