# flood_lib.sh - helpers for the flood tests (flood_*.sh), sourced after
# lib.sh: times from log lines, a fresh client's join time, the share of
# snapshots a bot received, the server's resident memory, and the run of
# the hostile tool (tests/tools/hostile.c; HOSTILE is set by CTest).
: "${HOSTILE:?set HOSTILE to the hostile tool}"
SNAP_RATE=30        # the servers below run with --snapshot-rate 30
JOIN_LIMIT_MS=2000  # a fresh client joins within this, flood or not
SNAP_MIN_PERMILLE=950
RSS_LIMIT_KB=8192   # server VmRSS growth over a flood

now_ms() { date +%s%3N; }

# log_ms LINE: the epoch milliseconds of a log line's timestamp
# ("2026-11-24 09:10:11.123 INFO ...").
log_ms() { date -d "$(printf '%s' "$1" | cut -c1-23)" +%s%3N; }

# rss_kb PID: resident memory in kB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# fresh_join NAME [client options...]: launches a headless client and sets
# JOIN_MS to the time from its launch to the server's "player N 'NAME'
# joined" line (process start, ENet handshake, hello, welcome).
fresh_join() {
    local name=$1; shift
    local t0; t0=$(now_ms)
    run_client "$name" "$@"
    wait_log "$WORK/server.log" "player [0-9]* '$name' joined" 10
    JOIN_MS=$(( $(log_ms "$(grep -m1 "player [0-9]* '$name' joined" "$WORK/server.log")") - t0 ))
}

# snap_permille NAME: snapshots client NAME received, per thousand of those
# the server should have sent it: (its leave - its join, both from the
# server log) x SNAP_RATE. A server that skips ticks under the flood sends
# fewer, and snapshots lost on the way arrive fewer: both count against it.
snap_permille() {
    local join leave snaps
    join=$(grep -m1 "player [0-9]* '$1' joined" "$WORK/server.log")
    leave=$(grep -m1 "'$1' ([0-9.:]*) disconnected" "$WORK/server.log")
    [ -n "$join" ] && [ -n "$leave" ] || fail "$1: no join or leave line in the server log"
    snaps=$(json_get "$1" snapshots)
    local span=$(( $(log_ms "$leave") - $(log_ms "$join") ))
    [ "$span" -gt 0 ] || fail "$1: joined and left at the same time"
    echo $(( snaps * 1000 * 1000 / (span * SNAP_RATE) ))
}

# check_bots NAME...: each exited 0 (stayed connected), left with "quit",
# and received at least SNAP_MIN_PERMILLE of its snapshots; appends
# "NAME=xx.x%" to SNAP_FIGURES.
SNAP_FIGURES=""
check_bots() {
    for n in "$@"; do
        expect_eq "$n exit (stayed connected)" "$(wait_client "$n")" 0
        grep -q "'$n' ([0-9.:]*) disconnected: quit" "$WORK/server.log" || fail "$n did not leave with 'quit'"
        local pm; pm=$(snap_permille "$n")
        SNAP_FIGURES="$SNAP_FIGURES $n=$((pm / 10)).$((pm % 10))%"
        expect_ge "$n snapshots received, per mille of those due" "$pm" "$SNAP_MIN_PERMILLE"
    done
}

# hostile TAG ARGS...: runs the hostile tool against the server in the
# background, its JSON in $WORK/TAG.json; HOSTILE_PID is its pid.
hostile() {
    local tag=$1; shift
    "$HOSTILE" --target "127.0.0.1:$PORT" "$@" >"$WORK/$tag.json" 2>"$WORK/$tag.log" &
    HOSTILE_PID=$!
    CLIENT_PIDS="$CLIENT_PIDS $HOSTILE_PID"
}

# hostile_get TAG KEY: a value from the hostile tool's JSON line.
hostile_get() { sed -n "s/.*\"$2\":\(\"[^\"]*\"\|{[^}]*}\|[^,}]*\).*/\1/p" "$WORK/$1.json"; }

# wait_hostile PID: waits for that run of the tool; fails unless it exited 0.
wait_hostile() {
    local rc=0
    wait "$1" || rc=$?
    expect_eq "hostile tool exit" "$rc" 0
}
