#!/usr/bin/env bash
# Starts, stops and reports the servers llm-chat needs, without Docker:
#   Redis (Debian's redis-server) and FerretDB 1.24.2 (MongoDB wire protocol) on its
#   PostgreSQL handler, over a PostgreSQL cluster of our own (Debian's postgresql).
# All listen on 127.0.0.1 only; data, logs and pid files live under <repo>/.data/.
# A server already answering on its port is used as it is and never touched, and `stop`
# only stops what this script started (recorded in pid files).
#   [REDIS_PORT=6379] [MONGO_PORT=27017] [PG_PORT=MONGO_PORT+1000] \
#     bash scripts/services.sh start|stop|status [redis|ferretdb]
# "ferretdb" is the store as a whole: FerretDB and the PostgreSQL cluster behind it.
# A Redis Cluster of six nodes (3 masters + 3 replicas) for the cluster tests:
#   [REDIS_CLUSTER_FIRST_PORT=7101] bash scripts/services.sh cluster start|stop|status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
REDIS_PORT="${REDIS_PORT:-6379}"
MONGO_PORT="${MONGO_PORT:-27017}"
# Each FerretDB gets a PostgreSQL cluster of its own, on its port + 1000 (dev 28017, bench
# 28091, fault suite 28092): the fault suite can stop its store without touching the others.
PG_PORT="${PG_PORT:-$((MONGO_PORT + 1000))}"
CLUSTER_FIRST_PORT="${REDIS_CLUSTER_FIRST_PORT:-7101}"
for port in "$REDIS_PORT" "$MONGO_PORT" "$PG_PORT" "$CLUSTER_FIRST_PORT"; do
  [[ $port =~ ^[0-9]{1,5}$ ]] && [ "$port" -le 65530 ] || { echo "services: bad port '$port'" >&2; exit 2; }
done
FERRET_BIN="$DATA/bin/ferretdb"
FERRET_SRC="$ROOT/tools/ferretdb"
# Directories, logs and pid files carry the port, so instances on other ports (tests,
# benchmarks) never share an AOF directory, a database cluster or a pid file with the default ones.
REDIS_DIR="$DATA/redis-$REDIS_PORT" REDIS_LOG="$DATA/redis-$REDIS_PORT.log" REDIS_PID="$DATA/redis-$REDIS_PORT.pid"
FERRET_LOG="$DATA/ferretdb-$MONGO_PORT.log" FERRET_PID="$DATA/ferretdb-$MONGO_PORT.pid"
# PostgreSQL writes its own pid file (postmaster.pid, pid on the first line) in its data
# directory, which also holds its unix socket.
PG_DIR="$DATA/postgres-$PG_PORT" PG_LOG="$DATA/postgres-$PG_PORT.log"
PG_PID="$PG_DIR/postmaster.pid" PG_PASSWORD_FILE="$DATA/postgres-$PG_PORT.password"
# What each server's command line contains; checked before trusting a pid file, because a
# stale pid may since have been reused by an unrelated process.
REDIS_CMD="redis-server 127.0.0.1:$REDIS_PORT "
FERRET_CMD="-listen 127.0.0.1:$MONGO_PORT "
PG_CMD="-D $PG_DIR "
# The Go tarball installs here and is often not on PATH in non-login shells.
case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) PATH="$PATH:/usr/local/go/bin" ;; esac

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# timeout: something that is not Redis may hold the port and never answer.
redis_up() { [ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
ferret_up() { port_open "$MONGO_PORT"; }
pg_up() { [ -n "${PG_BIN:-}" ] && "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT" -t 2 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

alive() { # pid: running and not a zombie
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ $st != Z* ]]
}

ours() { # pidfile, command-line fragment: prints the pid if it is our live server
  local pid cmd
  pid=$(head -n 1 "$1" 2>/dev/null) || return 1
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

install_debian() { # what, package...: apt-get install without starting any system service
  echo "$1: installing ${*:2} from Debian's packages"
  # Without systemd a package's postinst starts a system-wide server through its init script
  # (Redis on 6379, PostgreSQL's "main" cluster on 5432): one this script did not start and
  # could not stop. A policy-rc.d answering 101 ("forbidden") prevents that; we add one only
  # if there is none and remove it after.
  local own_policy=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  # env: sudo would drop DEBIAN_FRONTEND from the environment.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
  if [ "$rc" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${@:2}" >/dev/null || rc=$?
  fi
  if [ "$own_policy" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  if [ "$rc" -ne 0 ]; then echo "$1: apt-get failed (exit $rc)" >&2; exit 1; fi
}

install_redis() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  install_debian redis redis-server
}

# The newest PostgreSQL Debian installed (/usr/lib/postgresql/<major>/bin), or nothing.
find_pg_bin() { PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1); }

install_postgres() {
  find_pg_bin
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && return 0
  # The package also creates a "main" cluster under /var/lib/postgresql; it is never started
  # (policy-rc.d) nor used: ours lives under .data/.
  install_debian postgresql postgresql
  find_pg_bin
  [ -n "$PG_BIN" ] || { echo "postgresql: installed, but no /usr/lib/postgresql/*/bin" >&2; exit 1; }
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

# PostgreSQL refuses to run as root: as root it runs as the "postgres" user Debian's package
# creates (and owns its data directory); otherwise as whoever runs this script.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_fail() { # message: print it and the log's last lines, then exit
  echo "postgresql: $1; last lines of $PG_LOG:" >&2
  log_tail "$PG_LOG" >&2 || true
  exit 1
}

init_postgres() {
  [ -s "$PG_DIR/PG_VERSION" ] && return 0
  if [ -d "$PG_DIR" ] && [ -n "$(ls -A "$PG_DIR")" ]; then
    echo "postgresql: $PG_DIR is not empty but holds no cluster (no PG_VERSION); move it away" >&2
    exit 1
  fi
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR" "$PG_LOG"
    runuser -u postgres -- test -w "$PG_DIR" || {
      echo "postgresql: the postgres user cannot reach $PG_DIR: every directory above it must be" \
        "searchable by others (chmod o+x), or put the repository elsewhere" >&2
      exit 1
    }
  fi
  echo "postgresql: creating a cluster of our own in ${PG_DIR#"$ROOT/"} (once)"
  # C locale and UTF-8: what FerretDB checks for at start, and the cheapest collation.
  # Over the unix socket (in the 0700 data directory: only its owner and root reach it)
  # logins are trusted; over TCP they need the password set below.
  as_pg "$PG_BIN/initdb" -D "$PG_DIR" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 || pg_fail "initdb failed"
}

# Settings given at every start (not written into the cluster), so a change here applies to
# clusters created before it. See docs/decisions.md, "FerretDB on PostgreSQL".
pg_settings() {
  # A crash of PostgreSQL (not only of a process talking to it) may lose the commits of the
  # last ~0.6 s (3 x wal_writer_delay), never corrupt: MongoDB's default write concern
  # likewise acknowledges before its journal (flushed every 100 ms) is on disk.
  # fsync and full_page_writes stay on. wal_level=minimal: no replication here, less WAL.
  # max_connections: FerretDB's pool (see start_ferretdb) and a few for psql. shared_buffers
  # stays at the default: three clusters (dev, bench, fault suite) may run on one machine.
  # plan_cache_mode: FerretDB prepares `_jsonb->$1 @> $2` with the field as a parameter; only
  # a plan made for the actual field can use the index on it (ferretdb-indexes.sql).
  printf '%s ' -c listen_addresses=127.0.0.1 -c "port=$PG_PORT" \
    -c "unix_socket_directories='$PG_DIR'" -c synchronous_commit=off -c wal_level=minimal \
    -c max_wal_senders=0 -c max_connections=210 -c shared_buffers=128MB -c jit=off \
    -c plan_cache_mode=force_custom_plan
}

start_postgres() {
  if pg_up; then
    echo "postgresql: already running in ${PG_DIR#"$ROOT/"} on port $PG_PORT, left alone"
    return 0
  fi
  if port_open "$PG_PORT"; then
    echo "postgresql: 127.0.0.1:$PG_PORT is taken by another server; set PG_PORT to a free port" >&2
    exit 1
  fi
  touch "$PG_LOG"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_LOG"; fi
  init_postgres
  echo "=== $(date -u +%FT%TZ) services.sh start" >>"$PG_LOG"
  # setsid -w: the server gets a session of its own (a Ctrl-C in this terminal must not
  # reach it) and pg_ctl -w still waits until it accepts connections.
  as_pg setsid -w "$PG_BIN/pg_ctl" start -D "$PG_DIR" -l "$PG_LOG" -w -t 60 -s -o "$(pg_settings)" 9>&- ||
    pg_fail "FAILED to start on 127.0.0.1:$PG_PORT"
  local psql=("$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1)
  if [ "$(as_pg "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'")" != 1 ]; then
    as_pg "${psql[@]}" -c "CREATE DATABASE ferretdb" >>"$PG_LOG" 2>&1 || pg_fail "cannot create database ferretdb"
  fi
  # Indexes FerretDB's filters can use (why: the file's header). Through stdin: the postgres
  # user need not be able to read the repository.
  as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d ferretdb -qtAX -v ON_ERROR_STOP=1 -f - <"$ROOT/scripts/lib/ferretdb-indexes.sql" >>"$PG_LOG" 2>&1 ||
    pg_fail "cannot install the index trigger in database ferretdb"
  if [ ! -s "$PG_PASSWORD_FILE" ]; then
    # For TCP logins by people and tools (psql -h 127.0.0.1 -p $PG_PORT -U postgres); set
    # through stdin so the password never appears on a command line.
    local password
    password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    printf "ALTER ROLE postgres PASSWORD '%s';\n" "$password" | as_pg "${psql[@]}" -f - >/dev/null ||
      pg_fail "cannot set the postgres password"
    (umask 077 && printf '%s\n' "$password" >"$PG_PASSWORD_FILE")
  fi
  echo "postgresql: started on 127.0.0.1:$PG_PORT (pid $(head -n 1 "$PG_PID"), data in ${PG_DIR#"$ROOT/"})"
}

stop_postgres() {
  local pid
  if ! pid=$(ours "$PG_PID" "$PG_CMD"); then
    echo "postgresql: nothing of ours running on 127.0.0.1:$PG_PORT, nothing to stop"
    return 0
  fi
  # Fast: roll back open transactions and disconnect clients, then a clean shutdown
  # checkpoint (the default, "smart", would wait for every client to leave).
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DIR" -m fast -w -t 60 -s ||
    { echo "postgresql: pg_ctl stop failed, sending SIGQUIT to pid $pid" >&2; kill -QUIT "$pid" 2>/dev/null || true; }
  echo "postgresql: stopped (was pid $pid on 127.0.0.1:$PG_PORT)"
}

start_ferretdb() {
  rm -f "$FERRET_PID"
  echo "=== $(date -u +%FT%TZ) services.sh start" >>"$FERRET_LOG"
  # Over the cluster's unix socket: cheaper than TCP, and protected by its directory.
  # The pool must be larger than the number of MongoDB connections of all clients together:
  # FerretDB 1.24 holds two PostgreSQL connections for an update or delete (the cursor that
  # finds the document, then the write), so with as many such commands at once as the pool
  # has connections, every one waits for a second connection forever. Seen with 32 driver
  # connections on a pool of 20; FerretDB's default is 50. Connections open on demand.
  local url="postgres://postgres@/ferretdb?host=$PG_DIR&port=$PG_PORT&pool_max_conns=200"
  # setsid + nohup: own session, so FerretDB outlives this script and a Ctrl-C in its
  # terminal. The inner shell writes its own pid and then execs FerretDB, so the pid file
  # is FerretDB's pid whether or not setsid had to fork.
  # shellcheck disable=SC2016 # $$ and $@ are for the inner shell
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$FERRET_PID" \
    "$FERRET_BIN" -listen "127.0.0.1:$MONGO_PORT" -postgresql-url "$url" -log-level warn \
    >>"$FERRET_LOG" 2>&1 </dev/null 9>&- &
  wait_up ferretdb "$MONGO_PORT" "$FERRET_LOG" "$FERRET_PID" "$FERRET_CMD" ferret_up
  echo "ferretdb: started on 127.0.0.1:$MONGO_PORT (pid $(cat "$FERRET_PID"), PostgreSQL on port $PG_PORT)"
}

start_store() {
  if ferret_up; then
    echo "ferretdb: already listening on 127.0.0.1:$MONGO_PORT, left alone"
    return 0
  fi
  install_postgres
  start_postgres
  build_ferretdb
  start_ferretdb
}

stop_one() { # name, port, pidfile, command-line fragment
  local name=$1 port=$2 pidfile=$3 pid
  if ! pid=$(ours "$pidfile" "$4"); then
    rm -f "$pidfile"
    echo "$name: nothing of ours running on 127.0.0.1:$port, nothing to stop"
    return 0
  fi
  # SIGTERM: Redis flushes its AOF and FerretDB closes its connections before exiting.
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

# --- Redis Cluster: six nodes on ports CLUSTER_FIRST_PORT..+5, three masters and their replicas.
CLUSTER_PORTS=$(seq "$CLUSTER_FIRST_PORT" $((CLUSTER_FIRST_PORT + 5)))
node_pid() { echo "$DATA/redis-cluster-$1.pid"; }
node_log() { echo "$DATA/redis-cluster-$1.log"; }
node_cmd() { echo "redis-server 127.0.0.1:$1 "; }
node_cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$@" 2>/dev/null | tr -d '\r'; }
node_up() { [ "$(node_cli "$1" ping)" = PONG ]; }
node_field() { node_cli "$1" "${@:3}" | sed -n "s/^$2://p"; } # port, field, command...

cluster_ready() { # every node up, the cluster ok, and every replica in sync with its master
  local port
  for port in $CLUSTER_PORTS; do
    [ "$(node_field "$port" cluster_state cluster info)" = ok ] || return 1
    if [ "$(node_field "$port" role info replication)" = slave ]; then
      [ "$(node_field "$port" master_link_status info replication)" = up ] || return 1
    fi
  done
}

start_cluster() {
  local port dir hosts=()
  for port in $CLUSTER_PORTS; do
    hosts+=("127.0.0.1:$port")
    if node_up "$port"; then
      [ -n "$(node_field "$port" cluster_state cluster info)" ] || {
        echo "redis-cluster: 127.0.0.1:$port answers but is not a cluster node; set REDIS_CLUSTER_FIRST_PORT" >&2
        exit 1
      }
      continue
    fi
    if port_open "$port"; then
      echo "redis-cluster: 127.0.0.1:$port is taken by another server; set REDIS_CLUSTER_FIRST_PORT" >&2
      exit 1
    fi
    dir="$DATA/redis-cluster-$port"
    mkdir -p "$dir"
    rm -f "$(node_pid "$port")"
    # As the single Redis (AOF every second, noeviction), plus the cluster's own state file.
    # A 3 s node timeout: a dead master is replaced within a few seconds, yet a busy
    # two-core machine does not make healthy nodes look dead.
    redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000 \
      --dir "$dir" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save "" \
      --daemonize yes --pidfile "$(node_pid "$port")" --logfile "$(node_log "$port")" 9>&- ||
      { echo "redis-cluster: redis-server refused to start on $port" >&2; exit 1; }
    wait_up redis-cluster "$port" "$(node_log "$port")" "$(node_pid "$port")" "$(node_cmd "$port")" node_up "$port"
  done
  # New nodes (no slot assigned anywhere) are joined into a cluster once; nodes restarted
  # later find each other again through their nodes.conf.
  if [ "$(node_field "$CLUSTER_FIRST_PORT" cluster_slots_assigned cluster info)" = 0 ] &&
    [ "$(node_field "$CLUSTER_FIRST_PORT" cluster_known_nodes cluster info)" = 1 ]; then
    echo "redis-cluster: creating a cluster of 3 masters and 3 replicas on ${hosts[0]}..${hosts[5]}"
    redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes \
      >>"$(node_log "$CLUSTER_FIRST_PORT")" 2>&1 ||
      { echo "redis-cluster: redis-cli --cluster create failed; see $(node_log "$CLUSTER_FIRST_PORT")" >&2; exit 1; }
  fi
  for _ in $(seq 300); do cluster_ready && break; sleep 0.1; done
  if ! cluster_ready; then
    echo "redis-cluster: not ready within 30 s; cluster info of 127.0.0.1:$CLUSTER_FIRST_PORT:" >&2
    node_cli "$CLUSTER_FIRST_PORT" cluster info | head -n 7 >&2
    echo "redis-cluster: to start afresh: bash scripts/services.sh cluster stop && rm -rf .data/redis-cluster-*" >&2
    exit 1
  fi
  echo "redis-cluster: ready on ${hosts[0]}..${hosts[5]} (REDIS_URL=redis-cluster://$(IFS=,; echo "${hosts[*]}"))"
}

cluster_command() {
  local port rc=0 role
  case "${1:-}" in
    start) lock; install_redis; start_cluster ;;
    stop)
      lock
      for port in $CLUSTER_PORTS; do stop_one redis-cluster "$port" "$(node_pid "$port")" "$(node_cmd "$port")"; done
      ;;
    status)
      for port in $CLUSTER_PORTS; do
        role=$(node_field "$port" role info replication)
        [ "$role" = slave ] && role=replica
        status_one "redis-cluster ${role:-node}" "$port" "$(node_pid "$port")" "$(node_cmd "$port")" node_up "$port" || rc=1
      done
      echo "redis-cluster: cluster_state $(node_field "$CLUSTER_FIRST_PORT" cluster_state cluster info || true)"
      cluster_ready || rc=1
      exit "$rc"
      ;;
    *) echo "usage: [REDIS_CLUSTER_FIRST_PORT=7101] $0 cluster start|stop|status" >&2; exit 2 ;;
  esac
}

mkdir -p "$DATA"
if [ "${1:-}" = cluster ]; then
  cluster_command "${2:-}"
  exit 0
fi
# An optional second argument limits start/stop to one server (the fault tests restart one
# at a time); "ferretdb" is FerretDB together with its PostgreSQL.
only="${2:-both}"
case "$only" in both | redis | ferretdb) ;; *) echo "services: unknown server '$only'" >&2; exit 2 ;; esac
find_pg_bin
case "${1:-}" in
  start)
    lock
    if [ "$only" != ferretdb ]; then install_redis; start_redis; fi
    if [ "$only" != redis ]; then start_store; fi
    ;;
  stop)
    lock
    [ "$only" = ferretdb ] || stop_one redis "$REDIS_PORT" "$REDIS_PID" "$REDIS_CMD"
    if [ "$only" != redis ]; then
      stop_one ferretdb "$MONGO_PORT" "$FERRET_PID" "$FERRET_CMD"
      stop_postgres
    fi
    ;;
  status)
    rc=0
    status_one redis "$REDIS_PORT" "$REDIS_PID" "$REDIS_CMD" redis_up || rc=1
    status_one ferretdb "$MONGO_PORT" "$FERRET_PID" "$FERRET_CMD" ferret_up || rc=1
    status_one postgresql "$PG_PORT" "$PG_PID" "$PG_CMD" pg_up || rc=1
    exit "$rc"
    ;;
  *)
    echo "usage: [REDIS_PORT=6379] [MONGO_PORT=27017] [PG_PORT=MONGO_PORT+1000] $0 start|stop|status [redis|ferretdb]" >&2
    echo "       [REDIS_CLUSTER_FIRST_PORT=7101] $0 cluster start|stop|status" >&2
    exit 2
    ;;
esac
