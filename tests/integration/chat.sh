#!/usr/bin/env bash
# Chat goes to everyone reliably, cleaned by the server (control characters
# dropped, tabs become spaces), and a flood is cut to the rate limit (a
# burst of 4) with a notice to the sender, who is not kicked.
. "$(dirname "$0")/lib.sh"
start_server
run_client ann --duration 6
wait_log "$WORK/server.log" "'ann' joined"
run_client bob --duration 4 --say "$(printf 'hi\a there\tfriend')"
run_client cat --duration 4 --say spam --say-count 10
expect_eq "ann exit" "$(wait_client ann)" 0
expect_eq "bob exit" "$(wait_client bob)" 0
expect_eq "cat exit (not kicked)" "$(wait_client cat)" 0
grep -q "chat bob: hi there friend$" "$WORK/ann.log" || fail "ann did not get bob's cleaned line"
n=$(grep -c "chat cat: spam$" "$WORK/ann.log")
expect_eq "cat's lines that reached ann (burst 4)" "$n" 4
grep -q "chat \[server\] You are sending messages too fast" "$WORK/cat.log" || fail "cat was not told of the limit"
grep -q "chat from player [0-9]* 'cat' refused: rate limit" "$WORK/server.log" || fail "server did not log the refusal"
expect_eq "bad packets at ann" "$(json_get ann bad_packets)" 0
stop_server
pass "chat delivered, cleaned and rate limited"
