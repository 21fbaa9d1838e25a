#!/usr/bin/env bash
# play.sh - installs what is missing, builds, starts a local gameserver and
# opens game windows connected to it. See README.md.
#   ./play.sh                  one window
#   ./play.sh --windows 3      three windows (three players on this machine)
#   ./play.sh --server-only    just the server, for others on the LAN
#   ./play.sh --connect HOST   no local server: join the one on HOST[:PORT]
#   ./play.sh --browser        no local server: pick one found on the LAN
#   ./play.sh --name NAME      player name (the first window's; others add 2, 3..)
#   ./play.sh -- [gameserver options]   e.g. -- --map crossroads --port 27600
set -euo pipefail
cd "$(dirname "$0")"
windows=1
server_only=0
connect=""
browser=0
name="${USER:-player}"
server_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --windows) windows=${2:?--windows needs a number}; shift 2 ;;
        --server-only) server_only=1; shift ;;
        --connect) connect=${2:?--connect needs HOST[:PORT]}; shift 2 ;;
        --name) name=${2:?--name needs a name}; shift 2 ;;
        --browser) browser=1; shift ;;
        --) shift; server_args=("$@"); break ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$server_only" = 1 ]; then scripts/deps.sh server; else scripts/deps.sh play; fi
client_opt=AUTO
[ "$server_only" = 1 ] && client_opt=OFF
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAME_BUILD_TESTS=OFF -DGAME_BUILD_CLIENT=$client_opt >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
if [ "$server_only" = 1 ]; then exec build/gameserver "${server_args[@]}"; fi
if [ -n "$connect" ]; then exec build/gameclient --connect "$connect" --name "$name"; fi
if [ "$browser" = 1 ]; then exec build/gameclient; fi

log=build/server.log
build/gameserver "${server_args[@]}" 2>"$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on UDP port \([0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 $server 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.05
done
[ -n "$port" ] || { echo "server did not start"; cat "$log"; exit 1; }
echo "Server running on UDP port $port (log: $log). Others on the LAN: gameclient --connect $(hostname -I 2>/dev/null | awk '{print $1}'):$port"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "No display found (DISPLAY is not set): the server keeps running; Ctrl-C stops it."
    wait $server
    exit 0
fi
pids=()
for i in $(seq 1 "$windows"); do
    n="$name"; [ "$i" -gt 1 ] && n="$name$i"
    build/gameclient --connect "127.0.0.1:$port" --name "$n" >/dev/null &
    pids+=($!)
done
[ ${#pids[@]} -gt 0 ] && { wait "${pids[@]}" || true; }
