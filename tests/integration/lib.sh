# lib.sh - helpers for integration tests that run the real gameserver and
# gameclient on loopback. Each test gets its own temp dir and a server on a
# port the OS picks (--port 0), so tests can run in parallel.
# Expects GAMESERVER and GAMECLIENT in the environment (set by CTest).
set -u
: "${GAMESERVER:?set GAMESERVER to the gameserver binary}" "${GAMECLIENT:?set GAMECLIENT to the gameclient binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/it.XXXXXX")
SERVER_PID=""
PORT=""
FAILED=0
CLIENT_PIDS=""

cleanup() {
    # Kill everything we started first, then reap it (a bare `wait` before the
    # kills would wait for the server forever).
    for p in $CLIENT_PIDS; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null; fi
    wait 2>/dev/null
    if [ "$FAILED" = 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILED=1; for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done; exit 1; }
pass() { echo "PASS: $*"; }

# start_srv TAG [options...]: a gameserver on an OS-chosen game port, its log
# in $WORK/TAG.log; sets SRV_PID and SRV_PORT. Killed by the cleanup.
start_srv() {
    local tag=$1; shift
    "$GAMESERVER" --port 0 "$@" 2>"$WORK/$tag.log" &
    SRV_PID=$!
    CLIENT_PIDS="$CLIENT_PIDS $SRV_PID"
    SRV_PORT=""
    for _ in $(seq 1 100); do
        SRV_PORT=$(sed -n 's/.*listening on UDP port \([0-9]*\).*/\1/p' "$WORK/$tag.log" | head -n 1)
        [ -n "$SRV_PORT" ] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || fail "server $tag exited at start-up"
        sleep 0.05
    done
    fail "server $tag did not print its port"
}

# start_console_server [options...]: the test's main server with its console
# on a FIFO: write commands to descriptor 3 (echo status >&3); what the
# console prints goes to console.out, the log to server.log. Sets SERVER_PID
# and PORT.
start_console_server() {
    mkfifo "$WORK/stdin"
    "$GAMESERVER" --port 0 "$@" <"$WORK/stdin" >"$WORK/console.out" 2>"$WORK/server.log" &
    SERVER_PID=$!
    exec 3>"$WORK/stdin"   # keep the console open while the test talks to it
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's/.*listening on UDP port \([0-9]*\).*/\1/p' "$WORK/server.log" | head -n 1)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    fail "server did not start"
}

# start_server [options...]: the test's main server (log server.log); sets
# SERVER_PID and PORT.
start_server() {
    start_srv server "$@"
    SERVER_PID=$SRV_PID
    PORT=$SRV_PORT
}

# wait_log FILE PATTERN [SECONDS]: waits until FILE has a line matching PATTERN.
wait_log() {
    local deadline=$((SECONDS + ${3:-10}))
    while [ $SECONDS -lt $deadline ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "timed out waiting for '$2' in $1"
}

# run_client NAME [options...]: runs a headless client in the background;
# its JSON goes to $WORK/NAME.json, its log to $WORK/NAME.log, its exit code
# to $WORK/NAME.rc when it ends.
run_client() {
    local name=$1; shift
    ( timeout 60 "$GAMECLIENT" --headless --connect "127.0.0.1:$PORT" --name "$name" "$@" \
        >"$WORK/$name.json" 2>"$WORK/$name.log"; echo $? >"$WORK/$name.rc" ) &
    CLIENT_PIDS="$CLIENT_PIDS $!"
}

# wait_client NAME: waits for a client started with run_client, echoes its code.
wait_client() {
    for _ in $(seq 1 1300); do
        [ -s "$WORK/$1.rc" ] && { cat "$WORK/$1.rc"; return 0; }
        sleep 0.05
    done
    fail "client $1 did not finish"
}

# json_get NAME KEY: the raw value of KEY in client NAME's last output line.
json_get() {
    tail -n 1 "$WORK/$1.json" | sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p"
}

expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; }
expect_ge() { [ -n "$2" ] && [ "$2" -ge "$3" ] 2>/dev/null || fail "$1: expected >= $3, got '$2'"; }

stop_server() {
    kill -TERM "$SERVER_PID"
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=""
    expect_eq "server exit code after SIGTERM" "$rc" 0
}

# start_netsim TAG [netsim options...]: the fault-injecting relay (tests/netsim)
# in front of the test's server ($PORT); sets NS_PID and NS_PORT (connect
# clients with PORT=$NS_PORT run_client ...). Killed by the cleanup.
start_netsim() {
    local tag=$1; shift
    : "${NETSIM:?set NETSIM to the netsim binary}"
    "$NETSIM" --server "127.0.0.1:$PORT" "$@" >"$WORK/$tag.json" 2>"$WORK/$tag.log" &
    NS_PID=$!
    CLIENT_PIDS="$CLIENT_PIDS $NS_PID"
    wait_log "$WORK/$tag.log" "listening on UDP port"
    NS_PORT=$(sed -n 's/.*listening on UDP port \([0-9]*\).*/\1/p' "$WORK/$tag.log" | head -n 1)
}

# rss_kb PID: resident memory of a process, in KiB.
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
