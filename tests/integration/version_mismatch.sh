#!/usr/bin/env bash
# A client announcing another protocol version is refused with the reason.
. "$(dirname "$0")/lib.sh"
start_server
run_client old --protocol-version 999 --duration 8
rc=$(wait_client old)
expect_eq "exit code (refused)" "$rc" 4
expect_eq "disconnect_reason" "$(json_get old disconnect_reason)" '"protocol version mismatch"'
expect_eq "connected" "$(json_get old connected)" false
ver=$(sed -n 's/.*, protocol \([0-9]*\).*/\1/p' "$WORK/server.log" | head -n 1)
[ -n "$ver" ] || fail "server did not log its protocol version"
grep -q "version mismatch (server speaks protocol $ver, this client 999)" "$WORK/old.log" || fail "client did not show the versions"
grep -q "refused 127.0.0.1:[0-9]*: protocol version 999" "$WORK/server.log" || fail "server did not log the refusal"
stop_server
pass "version mismatch refused with its reason"
