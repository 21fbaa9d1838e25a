#!/usr/bin/env bash
# threads: a server running three snapshot threads and a sender thread
# (--threads 3 --send-thread 1, normal scheduling) with 30 bots for 6 s.
# All stay connected at the full snapshot rate; at exit the server reports
# that the helpers encoded some of the clients' snapshots, that they were
# woken ahead of the rounds (sv_workers_prepare), and that every datagram
# went out through the sender thread with none refused. The run-tests.sh
# ThreadSanitizer stage runs this test too.
. "$(dirname "$0")/lib.sh"
: "${BOTSWARM:?set BOTSWARM to the botswarm binary}"

start_server --max-players 40 --threads 3 --send-thread 1 --rt-priority 0 --tick-rate 60 --snapshot-rate 30 \
    --time-limit 0 --frag-limit 0
grep -q "snapshot threads 3, sends on their own thread, real-time priority 0" "$WORK/server.log" ||
    fail "start line does not show 3 snapshot threads and the sender thread"
timeout 90 "$BOTSWARM" --connect "127.0.0.1:$PORT" --bots 30 --duration 6 --name-prefix th --seed 3 --progress 0 \
    >"$WORK/swarm.json" 2>"$WORK/swarm.log"
expect_eq "botswarm exit" "$?" 0
line=$(tail -n 1 "$WORK/swarm.json")
get() { echo "$line" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
expect_eq "connected" "$(get connected)" 30
hz_min=$(get snapshot_hz_min)
awk -v h="$hz_min" 'BEGIN { exit !(h + 0 >= 20) }' || fail "snapshot_hz_min $hz_min below 20 (server sends 30)"
stop_server

report=$(grep "snapshot threads: 3," "$WORK/server.log") || fail "no snapshot threads report at exit"
num() { echo "$report" | sed -n "s/.*$1.*/\1/p"; }
rounds=$(num ' \([0-9]*\) rounds')
helper_chunks=$(num ', \([0-9]*\) on the helpers')
ahead=$(num 'woken ahead \([0-9]*\) times')
gave_up=$(num ', \([0-9]*\) gave up')
[ -n "$rounds" ] && [ -n "$helper_chunks" ] && [ -n "$ahead" ] && [ -n "$gave_up" ] || fail "cannot read: $report"
[ "$rounds" -ge 100 ] || fail "only $rounds snapshot rounds in 6 s at 30 Hz: $report"
[ "$helper_chunks" -gt 0 ] || fail "the helpers encoded nothing: $report"
[ $((ahead + gave_up)) -gt 0 ] || fail "no helper was ever woken ahead of a round: $report"
sent=$(grep "batched UDP:" "$WORK/server.log") || fail "no batched UDP report"
case "$sent" in *"(by a sender thread, and "*" small windows by the main thread while it slept), 0 refused"*) ;; *) fail "not sent by the sender thread, or refused: $sent" ;; esac
pass "3 snapshot threads and a sender thread: 30 bots at $hz_min+ snapshots/s; $rounds rounds, $helper_chunks chunks on the helpers, woken ahead $ahead times ($gave_up gave up)"
