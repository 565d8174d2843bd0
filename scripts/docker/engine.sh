#!/usr/bin/env bash
# A Docker engine for the testcontainers tests, on machines that have only the client (CI here).
#
#   scripts/docker/engine.sh start   # engine answers already? use it. Else install docker.io if
#                                    # dockerd is missing, start dockerd (host networking only),
#                                    # wait until `docker info` answers; then build the Redis image.
#   scripts/docker/engine.sh image   # build the Redis image from this machine's redis-server (if absent)
#   scripts/docker/engine.sh stop    # stop the dockerd that `start` started (nothing else)
#   eval "$(scripts/docker/engine.sh env)"   # the variables the tests need for such an engine
#
# The dockerd started here runs with --bridge=none --iptables=false: Docker's default bridge
# (172.17.x, a private range) is never created, so containers can only use `--network host`
# (see docs/containers-and-versions.md). No registry is reachable from these machines, so the image
# is built locally: the machine's redis-server binary plus the shared libraries ldd lists,
# `tar | docker import`. Variables:
#   SA_DOCKER_STATE  folder for dockerd's log and pid file (default /tmp/sa-storage-kit-docker)
#   REDIS_IMAGE      tag of the image to build (default sa-storage-kit/redis:<redis-server version>)
set -euo pipefail

state=${SA_DOCKER_STATE:-/tmp/sa-storage-kit-docker}
pid_file=$state/dockerd.pid
log_file=$state/dockerd.log

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

redis_version() { redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p'; }

default_image() { echo "sa-storage-kit/redis:$(redis_version)"; }

install_dockerd() {
  echo "dockerd not found: apt-get install docker.io (Debian's packages)"
  # No service may start during the install: a default dockerd would create the 172.17 bridge.
  local guard=/usr/sbin/policy-rc.d added=
  if [ ! -e "$guard" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard" && added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  if [ -n "$added" ]; then rm -f "$guard"; fi
}

start_engine() {
  if engine_answers; then
    echo "a Docker engine answers already: using it (not started here, not stopped by 'stop')"
    return
  fi
  command -v dockerd >/dev/null || install_dockerd
  mkdir -p "$state"
  echo "starting dockerd --bridge=none --iptables=false (log: $log_file)"
  # setsid: dockerd gets its own process group, so a Ctrl-C in the caller does not orphan it half-way.
  setsid dockerd --bridge=none --iptables=false --ip6tables=false >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  local waited=0
  until engine_answers; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "dockerd exited; the end of its log:" >&2
      tail -n 30 "$log_file" >&2
      rm -f "$pid_file"
      exit 1
    fi
    if [ "$waited" -ge 60 ]; then
      echo "dockerd did not answer 'docker info' within 60 s; the end of its log:" >&2
      tail -n 30 "$log_file" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "dockerd answers (after ${waited} s)"
}

build_image() {
  local image=${REDIS_IMAGE:-$(default_image)}
  if docker image inspect "$image" >/dev/null 2>&1; then
    echo "image $image is there"
    return
  fi
  local binary root
  binary=$(command -v redis-server) || { echo "redis-server is needed to build $image" >&2; exit 1; }
  binary=$(readlink -f "$binary")
  root=$(mktemp -d)
  # The binary and every library it links, at their own paths (the dynamic loader included).
  mkdir -p "$root/usr/bin" "$root/tmp" "$root/data"
  cp "$binary" "$root/usr/bin/redis-server"
  ldd "$binary" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/bin' \
    --change 'WORKDIR /data' \
    --change 'CMD ["redis-server", "--save", "", "--appendonly", "no"]' \
    - "$image" >/dev/null
  rm -rf "$root"
  echo "built $image from $binary ($(docker image inspect -f '{{.Size}}' "$image") bytes)"
}

stop_engine() {
  if [ ! -f "$pid_file" ]; then
    echo "no dockerd started by this script: nothing to stop"
    return
  fi
  local pid
  pid=$(cat "$pid_file")
  # A pid file left by a run whose dockerd was killed may name an unrelated process by now.
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
    echo "the dockerd recorded in $pid_file ($pid) is gone: nothing to stop"
    rm -f "$pid_file"
    return
  fi
  if kill -0 "$pid" 2>/dev/null; then
    # Containers the tests left behind (testcontainers labels its own; its reaper is off here).
    local left
    left=$(docker ps -aq --filter label=org.testcontainers=true 2>/dev/null || true)
    if [ -n "$left" ]; then docker rm -f $left >/dev/null 2>&1 || true; fi
    kill -TERM "$pid"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "dockerd ($pid) still running after 30 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pid_file"
  echo "dockerd ($pid) stopped"
}

case "${1:-}" in
  start)
    start_engine
    build_image
    ;;
  image) build_image ;;
  stop) stop_engine ;;
  env)
    # Host networking (no bridge here), testcontainers told where containers are reachable and
    # without its reaper (its image cannot be pulled): provision.ts stops what it starts.
    echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 TESTCONTAINERS_RYUK_DISABLED=true"
    echo "export REDIS_CONTAINER_NETWORK=host REDIS_IMAGE=${REDIS_IMAGE:-$(default_image)}"
    ;;
  *)
    echo "usage: $0 start|image|stop|env" >&2
    exit 2
    ;;
esac
