#!/usr/bin/env bash
# Nobody listening: the client gives up with "could not connect" (exit 3).
. "$(dirname "$0")/lib.sh"
start_server
stop_server  # the port is now free and silent
run_client lonely --duration 20
rc=$(wait_client lonely)
expect_eq "exit code (could not connect)" "$rc" 3
expect_eq "reason" "$(json_get lonely disconnect_reason)" '"could not connect"'
expect_eq "client_id" "$(json_get lonely client_id)" null
pass "unreachable server reported"
