#!/usr/bin/env bash
# With --max-players 2, a third client is refused as "server full" while the
# first two keep playing.
. "$(dirname "$0")/lib.sh"
start_server --max-players 2
run_client p1 --bot --duration 4
run_client p2 --bot --duration 4
wait_log "$WORK/server.log" "(2 playing)"
run_client p3 --bot --duration 4
rc=$(wait_client p3)
expect_eq "p3 exit code (refused)" "$rc" 4
expect_eq "p3 reason" "$(json_get p3 disconnect_reason)" '"server full"'
grep -q "Refused by 127.0.0.1:$PORT: server full" "$WORK/p3.log" || fail "p3 did not show 'server full'"
expect_eq "p1 exit" "$(wait_client p1)" 0
expect_eq "p2 exit" "$(wait_client p2)" 0
expect_ge "p1 players_seen" "$(json_get p1 players_seen)" 1
grep -q "refused 127.0.0.1:[0-9]*: server full" "$WORK/server.log" || fail "server did not log the refusal"
stop_server
pass "third client refused as server full"
