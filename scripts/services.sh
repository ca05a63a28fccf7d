#!/usr/bin/env bash
# Starts, stops and reports the two servers llm-chat needs, without Docker:
#   Redis (Debian's redis-server) and FerretDB 1.24.2 (MongoDB wire protocol on SQLite).
# Both listen on 127.0.0.1 only; data, logs and pid files live under <repo>/.data/.
# A server already answering on its port is used as it is and never touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
REDIS_PORT="${REDIS_PORT:-6379}"
MONGO_PORT="${MONGO_PORT:-27017}"
FERRET_BIN="$DATA/bin/ferretdb"
FERRET_SRC="$ROOT/tools/ferretdb"
# Pid files carry the port, so instances on other ports (tests, benchmarks) do not collide.
REDIS_PID="$DATA/redis-$REDIS_PORT.pid"
FERRET_PID="$DATA/ferretdb-$MONGO_PORT.pid"
export PATH="$PATH:/usr/local/go/bin"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
redis_up() { command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
ours() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

wait_until() { # description, seconds, command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
  echo "$what did not come up within ${seconds}s" >&2
  return 1
}

install_redis() {
  command -v redis-server >/dev/null && return 0
  echo "redis: installing redis-server from Debian's packages"
  as_root apt-get update -qq
  # policy-rc.d 101 keeps the package from starting a system-wide instance on 6379 that
  # this script did not start (and could not stop).
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
  [ "$own_policy" -eq 0 ] || as_root rm -f /usr/sbin/policy-rc.d
}

build_ferretdb() {
  if [ -x "$FERRET_BIN" ] && [ -z "$(find "$FERRET_SRC" -newer "$FERRET_BIN" -type f)" ]; then return 0; fi
  command -v go >/dev/null || { echo "ferretdb: Go is needed to build FerretDB (go not found)" >&2; exit 1; }
  echo "ferretdb: building FerretDB 1.24.2 from its Go module (about a minute the first time)"
  mkdir -p "$DATA/bin"
  (cd "$FERRET_SRC" && go build -o "$FERRET_BIN" .)
}

start_redis() {
  if redis_up || port_open "$REDIS_PORT"; then
    echo "redis: already listening on 127.0.0.1:$REDIS_PORT, left alone"
    return 0
  fi
  install_redis
  mkdir -p "$DATA/redis-$REDIS_PORT"
  # AOF so an accepted query survives a Redis restart; noeviction so queues are never evicted.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --dir "$DATA/redis-$REDIS_PORT" --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction --save "" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$DATA/redis-$REDIS_PORT.log"
  wait_until "redis" 20 redis_up || { tail -n 20 "$DATA/redis-$REDIS_PORT.log" >&2; exit 1; }
  echo "redis: started on 127.0.0.1:$REDIS_PORT"
}

start_ferretdb() {
  if port_open "$MONGO_PORT"; then
    echo "ferretdb: something already listens on 127.0.0.1:$MONGO_PORT, left alone"
    return 0
  fi
  build_ferretdb
  mkdir -p "$DATA/ferretdb-$MONGO_PORT"
  setsid nohup "$FERRET_BIN" -listen "127.0.0.1:$MONGO_PORT" -data "$DATA/ferretdb-$MONGO_PORT" \
    >"$DATA/ferretdb-$MONGO_PORT.log" 2>&1 </dev/null &
  echo $! >"$FERRET_PID"
  wait_until "ferretdb" 20 port_open "$MONGO_PORT" || { tail -n 20 "$DATA/ferretdb-$MONGO_PORT.log" >&2; exit 1; }
  echo "ferretdb: started on 127.0.0.1:$MONGO_PORT"
}

stop_one() { # name, pid file
  local name=$1 pidfile=$2
  if ! ours "$pidfile"; then
    rm -f "$pidfile"
    echo "$name: not started by this script, nothing to stop"
    return 0
  fi
  local pid
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$pidfile"
  echo "$name: stopped"
}

status() {
  local ok=0
  if redis_up; then echo "redis: up on 127.0.0.1:$REDIS_PORT$(ours "$REDIS_PID" && echo " (pid $(cat "$REDIS_PID"))")"
  else echo "redis: down (127.0.0.1:$REDIS_PORT)"; ok=1; fi
  if port_open "$MONGO_PORT"; then echo "ferretdb: up on 127.0.0.1:$MONGO_PORT$(ours "$FERRET_PID" && echo " (pid $(cat "$FERRET_PID"))")"
  else echo "ferretdb: down (127.0.0.1:$MONGO_PORT)"; ok=1; fi
  return $ok
}

mkdir -p "$DATA"
case "${1:-}" in
  start) start_redis; start_ferretdb ;;
  stop) stop_one redis "$REDIS_PID"; stop_one ferretdb "$FERRET_PID" ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
