#!/usr/bin/env bash
# SIGTERM on the server tells connected clients why; they end as "lost"
# with the reason, and the server exits 0.
. "$(dirname "$0")/lib.sh"
start_server
run_client c1 --bot --duration 30
wait_log "$WORK/server.log" "'c1' joined"
start=$SECONDS
stop_server
rc=$(wait_client c1)
expect_eq "client exit code (lost)" "$rc" 5
expect_eq "reason" "$(json_get c1 disconnect_reason)" '"server shut down"'
[ $((SECONDS - start)) -le 5 ] || fail "client took too long to learn of the shutdown"
grep -q "shutdown complete" "$WORK/server.log" || fail "server did not finish its shutdown"
pass "shutdown reached the client with its reason"
