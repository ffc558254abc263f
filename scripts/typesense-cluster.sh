#!/usr/bin/env bash
# Starts (or stops) a three-node Typesense cluster on loopback, for `trove bench --push` and for
# trying `trove push` / `trove serve --engine typesense` by hand. The server is the pinned one
# that scripts/install-typesense.sh installs (called here when it is missing).
#
# Usage:
#   scripts/typesense-cluster.sh start [DIR]   # nodes' data and logs in DIR (default target/typesense-cluster)
#   scripts/typesense-cluster.sh stop [DIR]
#
# `start` waits until every node is healthy (a leader was elected, ~30 s), then prints the
# `[typesense]` table to put in trove.toml and the key to export. The API key is random per
# cluster and kept in DIR/api-key (mode 0600); the servers read it from their environment
# (TYPESENSE_API_KEY), so it is on no command line and out of the process list.
set -euo pipefail
cd "$(dirname "$0")/.."

CMD=${1:-}
DIR=${2:-target/typesense-cluster}
BIN=target/typesense/typesense-server
# peering:api port pairs, as in the Typesense clustering guide.
NODES=(127.0.0.1:8107:8108 127.0.0.1:9107:9108 127.0.0.1:10107:10108)

stop() {
    if [ -f "$DIR/pids" ]; then
        # shellcheck disable=SC2046
        kill $(cat "$DIR/pids") 2>/dev/null || true
        rm -f "$DIR/pids"
        echo "stopped the cluster in $DIR"
    else
        echo "no cluster is running from $DIR"
    fi
}

healthy() {
    curl -fsS "http://127.0.0.1:$1/health" 2>/dev/null | grep -q '"ok":true'
}

start() {
    if [ -f "$DIR/pids" ]; then
        echo "error: a cluster from $DIR is already running (pids in $DIR/pids); run: $0 stop $DIR" >&2
        exit 1
    fi
    [ -x "$BIN" ] || scripts/install-typesense.sh
    command -v curl >/dev/null || { echo "error: curl is needed to check the nodes' health" >&2; exit 1; }
    mkdir -p "$DIR"
    umask 077
    [ -s "$DIR/api-key" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/api-key"
    local IFS=,
    echo "${NODES[*]}" >"$DIR/nodes"
    unset IFS
    : >"$DIR/pids"
    local urls=()
    for i in "${!NODES[@]}"; do
        local peer api
        peer=$(echo "${NODES[$i]}" | cut -d: -f2)
        api=$(echo "${NODES[$i]}" | cut -d: -f3)
        mkdir -p "$DIR/node$i"
        TYPESENSE_API_KEY="$(cat "$DIR/api-key")" "$BIN" --data-dir="$DIR/node$i" \
            --api-address=127.0.0.1 --api-port="$api" \
            --peering-address=127.0.0.1 --peering-port="$peer" \
            --nodes="$DIR/nodes" --enable-cors=false \
            </dev/null >/dev/null 2>"$DIR/node$i.log" &
        echo -n "$! " >>"$DIR/pids"
        urls+=("\"http://127.0.0.1:$api\"")
    done
    echo "waiting for the three nodes to elect a leader (logs in $DIR/node*.log)..."
    for _ in $(seq 1 240); do
        if healthy 8108 && healthy 9108 && healthy 10108; then
            local IFS=,
            cat <<EOF
cluster ready. In trove.toml:

[typesense]
nodes = [${urls[*]}]
api_key_env = "TYPESENSE_API_KEY"

and in the shell: export TYPESENSE_API_KEY=\$(cat $DIR/api-key)
EOF
            return 0
        fi
        sleep 0.5
    done
    echo "error: the cluster was not healthy after 120 s; see $DIR/node*.log" >&2
    stop
    exit 1
}

case "$CMD" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
