#!/usr/bin/env bash
# A server stopped for 2 seconds (SIGSTOP, then SIGCONT) drops nobody: each
# client says the connection was interrupted and carries on when snapshots
# return, and the server skips the missed ticks instead of simulating a
# burst of them.
. "$(dirname "$0")/lib.sh"
start_server
run_client ann --bot --duration 8
run_client bob --bot --duration 8
wait_log "$WORK/server.log" "(2 playing)"
sleep 1
kill -STOP "$SERVER_PID"; sleep 2; kill -CONT "$SERVER_PID"
wait_log "$WORK/server.log" "server fell behind: skipped [0-9]* ticks instead of bursting" 5
for n in ann bob; do
    expect_eq "$n exit (stayed connected)" "$(wait_client "$n")" 0
    expect_ge "$n interruptions seen" "$(json_get "$n" interruptions)" 1
    grep -q "connection interrupted: no snapshot for" "$WORK/$n.log" || fail "$n did not report the interruption"
    grep -q "connection back after" "$WORK/$n.log" || fail "$n did not see the connection come back"
done
skipped=$(sed -n 's/.*skipped \([0-9]*\) ticks.*/\1/p' "$WORK/server.log" | head -n 1)
expect_ge "ticks skipped (2 s at 60 Hz, minus the 5 caught up)" "$skipped" 100
stop_server

# Timeouts are options: a client with --peer-timeout 2000 gives up on a server
# stalled for 4 s ("timed out", exit 5); a server with --peer-timeout 2000
# drops a client stalled that long. (cat does not reconnect: --reconnect 0.)
start_server --peer-timeout 2000
run_client cat --duration 20 --peer-timeout 2000 --reconnect 0
wait_log "$WORK/server.log" "'cat' joined"
kill -STOP "$SERVER_PID"; sleep 4; kill -CONT "$SERVER_PID"
expect_eq "cat exit (lost)" "$(wait_client cat)" 5
expect_eq "cat reason" "$(json_get cat disconnect_reason)" '"timed out"'
# A name no parallel test uses: the process is found by it (tests run side
# by side, and stopping another test's client would break that test).
dan="stall$$"
run_client "$dan" --duration 20
wait_log "$WORK/server.log" "'$dan' joined"
dan_pid=$(pgrep -f -- "--name $dan " | while read -r p; do [ "$(cat /proc/$p/comm)" = gameclient ] && echo "$p"; done | head -n 1)
[ -n "$dan_pid" ] || fail "cannot find $dan's process"
kill -STOP "$dan_pid"
wait_log "$WORK/server.log" "'$dan' (127.0.0.1:[0-9]*) lost: timed out" 8
kill -CONT "$dan_pid"
stop_server
pass "a 2-second server stall drops nobody; peer timeouts are options"
