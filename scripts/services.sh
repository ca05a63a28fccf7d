#!/usr/bin/env bash
# Starts, stops and reports the two servers llm-chat needs, without Docker:
#   Redis (Debian's redis-server) and FerretDB 1.24.2 (MongoDB wire protocol on SQLite).
# Both listen on 127.0.0.1 only; data, logs and pid files live under <repo>/.data/.
# A server already answering on its port is used as it is and never touched, and `stop`
# only stops what this script started (recorded in pid files).
#   [REDIS_PORT=6379] [MONGO_PORT=27017] bash scripts/services.sh start|stop|status [redis|ferretdb]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
REDIS_PORT="${REDIS_PORT:-6379}"
MONGO_PORT="${MONGO_PORT:-27017}"
for port in "$REDIS_PORT" "$MONGO_PORT"; do
  [[ $port =~ ^[0-9]{1,5}$ ]] || { echo "services: bad port '$port'" >&2; exit 2; }
done
FERRET_BIN="$DATA/bin/ferretdb"
FERRET_SRC="$ROOT/tools/ferretdb"
# Directories, logs and pid files carry the port, so instances on other ports (tests,
# benchmarks) never share an AOF directory, a SQLite file or a pid file with the default ones.
REDIS_DIR="$DATA/redis-$REDIS_PORT" REDIS_LOG="$DATA/redis-$REDIS_PORT.log" REDIS_PID="$DATA/redis-$REDIS_PORT.pid"
FERRET_DIR="$DATA/ferretdb-$MONGO_PORT" FERRET_LOG="$DATA/ferretdb-$MONGO_PORT.log" FERRET_PID="$DATA/ferretdb-$MONGO_PORT.pid"
# What each server's command line contains; checked before trusting a pid file, because a
# stale pid may since have been reused by an unrelated process.
REDIS_CMD="redis-server 127.0.0.1:$REDIS_PORT "
FERRET_CMD="-listen 127.0.0.1:$MONGO_PORT "
# The Go tarball installs here and is often not on PATH in non-login shells.
case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) PATH="$PATH:/usr/local/go/bin" ;; esac

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# timeout: something that is not Redis may hold the port and never answer.
redis_up() { [ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
ferret_up() { port_open "$MONGO_PORT"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

alive() { # pid: running and not a zombie
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ $st != Z* ]]
}

ours() { # pidfile, command-line fragment: prints the pid if it is our live server
  local pid cmd
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd " == *"$2"* ]] || return 1
  echo "$pid"
}

lock() {
  # start/stop are serialised: concurrent callers (parallel test scripts) would otherwise
  # both see a free port and race to start two servers, or build the binary twice at once.
  exec 9>"$DATA/services.lock"
  flock -w 300 9 || { echo "services: lock $DATA/services.lock busy for 5 min" >&2; exit 1; }
}

install_redis() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  echo "redis: installing redis-server from Debian's packages"
  # Without systemd the package's postinst starts a system-wide Redis on 6379 through its
  # init script: one this script did not start and could not stop. A policy-rc.d answering
  # 101 ("forbidden") prevents that; we add one only if there is none and remove it after.
  local own_policy=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  # env: sudo would drop DEBIAN_FRONTEND from the environment.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
  if [ "$rc" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null || rc=$?
  fi
  if [ "$own_policy" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  if [ "$rc" -ne 0 ]; then echo "redis: apt-get failed (exit $rc)" >&2; exit 1; fi
}

build_ferretdb() {
  if [ -x "$FERRET_BIN" ] && [ -z "$(find "$FERRET_SRC" -maxdepth 1 \( -name '*.go' -o -name go.mod \
      -o -name go.sum \) -newer "$FERRET_BIN")" ]; then
    return 0
  fi
  command -v go >/dev/null || { echo "ferretdb: Go is needed to build FerretDB (go not found)" >&2; exit 1; }
  echo "ferretdb: building FerretDB 1.24.2 from tools/ferretdb (about a minute the first time)"
  mkdir -p "$DATA/bin"
  # Build beside the binary, then rename: a FerretDB still running the old file is unaffected.
  (cd "$FERRET_SRC" && go build -o "$FERRET_BIN.tmp" .)
  mv -f "$FERRET_BIN.tmp" "$FERRET_BIN"
}

# The last 25 lines of a log, but none from before the latest "=== ... start" marker.
log_tail() { awk '/^=== .* start$/ { out = "" } { out = out $0 "\n" } END { printf "%s", out }' "$1" | tail -n 25; }

wait_up() { # name, port, log, pidfile, cmd fragment, probe...: 20 s; stops early if the process died
  local name=$1 port=$2 log=$3 pidfile=$4 frag=$5 pid
  shift 5
  for _ in $(seq 200); do
    "$@" && return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && ! alive "$pid"; then break; fi
    sleep 0.1
  done
  echo "$name: FAILED to come up on 127.0.0.1:$port; last lines of $log:" >&2
  log_tail "$log" >&2 || true
  # Do not leave a half-started server behind that a later run would take for a working one.
  if pid=$(ours "$pidfile" "$frag"); then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
  exit 1
}

start_redis() {
  if redis_up || port_open "$REDIS_PORT"; then
    echo "redis: already listening on 127.0.0.1:$REDIS_PORT, left alone"
    return 0
  fi
  mkdir -p "$REDIS_DIR"
  rm -f "$REDIS_PID" # stale: nothing listens, so no server of ours is behind it
  # AOF fsynced every second so an accepted query survives a restart; noeviction so queue
  # entries are refused loudly rather than dropped when memory is full; no RDB snapshots,
  # the AOF is the copy of record. 9>&-: the daemon must not inherit (and keep) the lock.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --dir "$REDIS_DIR" --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction --save "" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" 9>&- ||
    { echo "redis: redis-server refused to start" >&2; log_tail "$REDIS_LOG" >&2 || true; exit 1; }
  wait_up redis "$REDIS_PORT" "$REDIS_LOG" "$REDIS_PID" "$REDIS_CMD" redis_up
  echo "redis: started on 127.0.0.1:$REDIS_PORT (pid $(cat "$REDIS_PID"), data in ${REDIS_DIR#"$ROOT/"})"
}

start_ferretdb() {
  if ferret_up; then
    echo "ferretdb: already listening on 127.0.0.1:$MONGO_PORT, left alone"
    return 0
  fi
  mkdir -p "$FERRET_DIR"
  rm -f "$FERRET_PID"
  echo "=== $(date -u +%FT%TZ) services.sh start" >>"$FERRET_LOG"
  # setsid + nohup: own session, so FerretDB outlives this script and a Ctrl-C in its
  # terminal. The inner shell writes its own pid and then execs FerretDB, so the pid file
  # is FerretDB's pid whether or not setsid had to fork.
  # shellcheck disable=SC2016 # $$ and $@ are for the inner shell
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$FERRET_PID" \
    "$FERRET_BIN" -listen "127.0.0.1:$MONGO_PORT" -data "$FERRET_DIR" -log-level warn \
    >>"$FERRET_LOG" 2>&1 </dev/null 9>&- &
  wait_up ferretdb "$MONGO_PORT" "$FERRET_LOG" "$FERRET_PID" "$FERRET_CMD" ferret_up
  echo "ferretdb: started on 127.0.0.1:$MONGO_PORT (pid $(cat "$FERRET_PID"), data in ${FERRET_DIR#"$ROOT/"})"
}

stop_one() { # name, port, pidfile, command-line fragment
  local name=$1 port=$2 pidfile=$3 pid
  if ! pid=$(ours "$pidfile" "$4"); then
    rm -f "$pidfile"
    echo "$name: nothing of ours running on 127.0.0.1:$port, nothing to stop"
    return 0
  fi
  # SIGTERM: Redis flushes its AOF and FerretDB closes SQLite cleanly before exiting.
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 200); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then
    echo "$name: pid $pid still running after 20 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  echo "$name: stopped (was pid $pid on 127.0.0.1:$port)"
}

status_one() { # name, port, pidfile, command-line fragment, probe...: 0 if up
  local name=$1 port=$2 pidfile=$3 frag=$4 pid who
  shift 4
  if pid=$(ours "$pidfile" "$frag"); then who="pid $pid, started by services.sh"; else who="not started by services.sh"; fi
  if "$@"; then echo "$name: up on 127.0.0.1:$port ($who)"; return 0; fi
  echo "$name: down on 127.0.0.1:$port"
  return 1
}

mkdir -p "$DATA"
# An optional second argument limits start/stop to one server (the fault tests restart one at a time).
only="${2:-both}"
case "$only" in both | redis | ferretdb) ;; *) echo "services: unknown server '$only'" >&2; exit 2 ;; esac
case "${1:-}" in
  start)
    lock
    if [ "$only" != ferretdb ]; then install_redis; start_redis; fi
    if [ "$only" != redis ]; then build_ferretdb; start_ferretdb; fi
    ;;
  stop)
    lock
    [ "$only" = ferretdb ] || stop_one redis "$REDIS_PORT" "$REDIS_PID" "$REDIS_CMD"
    [ "$only" = redis ] || stop_one ferretdb "$MONGO_PORT" "$FERRET_PID" "$FERRET_CMD"
    ;;
  status)
    rc=0
    status_one redis "$REDIS_PORT" "$REDIS_PID" "$REDIS_CMD" redis_up || rc=1
    status_one ferretdb "$MONGO_PORT" "$FERRET_PID" "$FERRET_CMD" ferret_up || rc=1
    exit "$rc"
    ;;
  *)
    echo "usage: [REDIS_PORT=6379] [MONGO_PORT=27017] $0 start|stop|status" >&2
    exit 2
    ;;
esac
