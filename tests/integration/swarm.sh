#!/usr/bin/env bash
# botswarm: twenty bots from one process join one server, play for 5 s and
# leave. All stay connected, each receives at least 20 snapshots a second
# (the server sends 30), the last stdout line is the JSON summary, and the
# server logs twenty joins and twenty clean leaves, each bot from its own
# loopback address (the swarm's one shared socket). Also: a usage error
# gives exit 2, and a swarm with nowhere to connect exits 1 with every bot
# failed.
. "$(dirname "$0")/lib.sh"
: "${BOTSWARM:?set BOTSWARM to the botswarm binary}"

# Usage errors.
"$BOTSWARM" --bots 0 >/dev/null 2>&1; expect_eq "exit for --bots 0" "$?" 2
"$BOTSWARM" --bots 1025 >/dev/null 2>&1; expect_eq "exit for --bots 1025" "$?" 2
"$BOTSWARM" --name-prefix thirteen_byte >/dev/null 2>&1; expect_eq "exit for a 13-byte prefix" "$?" 2
"$BOTSWARM" --help | grep -q -- "--connect-rate" || fail "--help does not list --connect-rate"

start_server --max-players 24
timeout 60 "$BOTSWARM" --connect "127.0.0.1:$PORT" --bots 20 --duration 5 --name-prefix sw --seed 7 \
    >"$WORK/swarm.json" 2>"$WORK/swarm.log"
rc=$?
expect_eq "botswarm exit" "$rc" 0
line=$(tail -n 1 "$WORK/swarm.json")
case "$line" in "{\"bots\":"*"}") ;; *) fail "last stdout line is not the JSON summary: $line" ;; esac
get() { echo "$line" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
expect_eq "bots" "$(get bots)" 20
expect_eq "connected" "$(get connected)" 20
expect_eq "ever_connected" "$(get ever_connected)" 20
expect_eq "failed" "$(get failed)" 0
expect_eq "lost" "$(get lost)" 0
hz=$(get snapshot_hz); hz_min=$(get snapshot_hz_min)
awk -v h="$hz_min" 'BEGIN { exit !(h + 0 >= 20) }' || fail "snapshot_hz_min $hz_min (median $hz) below 20"
for k in rtt_ms_median rtt_ms_p99 cpu_percent rss_kb; do
    v=$(get $k); [ -n "$v" ] && [ "$v" != null ] || fail "$k missing from the summary: $line"
done
grep -q "connected to the end *20" "$WORK/swarm.log" || fail "no table on stderr"

# The server saw twenty distinct bots join and leave cleanly (the swarm
# waited for the confirmations, so the lines are there by now).
joins=$(grep -c "'sw00[0-2][0-9]' joined" "$WORK/server.log")
expect_eq "joins in the server log" "$joins" 20
for n in sw0001 sw0020; do grep -q "'$n' joined" "$WORK/server.log" || fail "$n never joined"; done
quits=$(grep -c "'sw00[0-2][0-9]' (127\.1\.0\.[0-9]*:[0-9]*) disconnected: quit" "$WORK/server.log")
expect_eq "clean leaves in the server log" "$quits" 20
# One shared socket: each bot from its own loopback address (bot i: 127.1.0.i).
expect_eq "shared_socket" "$(get shared_socket)" true
for i in 1 20; do
    grep -q "'sw00$(printf %02d $i)' (127\.1\.0\.$i:[0-9]*) disconnected: quit" "$WORK/server.log" ||
        fail "bot $i did not come from 127.1.0.$i"
done
stop_server

# Nothing listening (the stopped server's port): every bot fails to
# connect (5 s), exit 1.
timeout 60 "$BOTSWARM" --connect "127.0.0.1:$PORT" --bots 3 --duration 6 --progress 0 >"$WORK/none.json" 2>"$WORK/none.log"
expect_eq "exit with no server" "$?" 1
line=$(tail -n 1 "$WORK/none.json")
expect_eq "failed with no server" "$(get failed)" 3
expect_eq "connected with no server" "$(get connected)" 0
pass "botswarm: 20 bots stayed connected at $hz snapshots/s (min $hz_min) and left cleanly"
