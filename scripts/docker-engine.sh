#!/usr/bin/env bash
# Starts a local Docker engine for hopscope when none answers. Idempotent: exits 0 at once if `docker info` works.
# The engine runs without a bridge or iptables rules because hopscope's containers use host networking only,
# and that also lets it start in sandboxes without NET_ADMIN. Needs root (installing, starting dockerd).
set -euo pipefail

readonly SOCKET=/var/run/docker.sock
readonly LOG_FILE=/tmp/dockerd.log
readonly WAIT_S=60

engine_version() { docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown; }

if docker info >/dev/null 2>&1; then
  echo "docker-engine: an engine already answers (version $(engine_version))"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "docker-engine: no engine answers and starting one needs root: run 'sudo $0'" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-engine: dockerd is missing: installing Debian's docker.io (apt-get update && apt-get install -y docker.io)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io
fi

# A dockerd that is running but not answering yet (e.g. started a moment ago) must not be doubled.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "docker-engine: starting dockerd --bridge=none --iptables=false --ip6tables=false (log: $LOG_FILE)"
  setsid dockerd --bridge=none --iptables=false --ip6tables=false >"$LOG_FILE" 2>&1 </dev/null &
else
  echo "docker-engine: dockerd is already running; waiting for it to answer"
fi

deadline=$((SECONDS + WAIT_S))
until [[ -S $SOCKET ]] && docker info >/dev/null 2>&1; do
  if ((SECONDS >= deadline)); then
    echo "docker-engine: no answer on $SOCKET after ${WAIT_S} s; last lines of $LOG_FILE:" >&2
    tail -n 20 "$LOG_FILE" >&2 || true
    exit 1
  fi
  sleep 0.5
done

echo "docker-engine: engine ready at $SOCKET (version $(engine_version))"
