#!/usr/bin/env bash
# Two bots join one server, each sees the other move, one renames, both
# leave cleanly and the server logs it.
. "$(dirname "$0")/lib.sh"
start_server --max-players 4
run_client alice --bot --duration 4
wait_log "$WORK/server.log" "'alice' joined"
run_client bob --bot --duration 3 --rename robert
a=$(wait_client alice); b=$(wait_client bob)
expect_eq "alice exit" "$a" 0
expect_eq "bob exit" "$b" 0
for n in alice bob; do
    expect_eq "$n connected" "$(json_get $n connected)" true
    expect_ge "$n players_seen" "$(json_get $n players_seen)" 1
    expect_ge "$n snapshots" "$(json_get $n snapshots)" 60
    expect_eq "$n disconnect_reason" "$(json_get $n disconnect_reason)" null
    # A clean link: prediction matches the server exactly. One correction is
    # tolerated for a scheduling stall of the busy test machine (> 33 ms,
    # the jitter buffer's depth), never more.
    c=$(json_get $n corrections); [ "$c" -le 1 ] || fail "$n: $c prediction corrections on loopback"
    expect_eq "$n deltas without baseline" "$(json_get $n snapshots_no_baseline)" 0
    # At 60/30 alice (slot 0) and bob (slot 1) get their snapshots on
    # alternate ticks; each must still count them as one unbroken sequence
    # (a wrong phase shows up here as loss). A busy machine may really lose
    # one or two.
    l=$(json_get $n loss_down_pct); [ "$l" -le 2 ] || fail "$n: loss_down_pct $l on loopback"
done
expect_eq "alice client_id" "$(json_get alice client_id)" 0
expect_eq "bob client_id" "$(json_get bob client_id)" 1
expect_eq "bob's final name" "$(json_get bob name)" '"robert"'
grep -q "player 1 'bob' is now 'robert'" "$WORK/alice.log" || fail "alice was not told of the rename"
grep -q "renamed to 'robert'" "$WORK/server.log" || fail "server did not log the rename"
grep -q "'alice' (127.0.0.1:[0-9]*) disconnected: quit" "$WORK/server.log" || fail "alice did not leave cleanly"
grep -q "'robert' (127.0.0.1:[0-9]*) disconnected: quit" "$WORK/server.log" || fail "bob did not leave cleanly"
grep -q "player 1 'robert' left (quit)" "$WORK/alice.log" || fail "alice was not told bob left"
stop_server
pass "two bots saw each other and left cleanly"
