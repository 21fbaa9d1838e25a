#!/usr/bin/env bash
# Three bots play through the project's fault simulator (tests/netsim):
# 100 ms +- 20 ms each way, 5 % loss and 2 % duplication both ways, for 15 s.
# Every bot stays connected for the whole run and sees the others; its own
# player needs few prediction corrections (bound: CORRECTIONS_MAX over the
# run, about one every 3 s); remote players are never drawn past the newest
# snapshot for longer than the extrapolation limit (no freeze); deltas never
# arrive without their baseline; and the measured loss is about what the
# simulator was told.
. "$(dirname "$0")/lib.sh"
: "${NETSIM:?set NETSIM to the netsim binary}"
SECONDS_RUN=${SECONDS_RUN:-15}
CORRECTIONS_MAX=5
start_server --max-players 8
"$NETSIM" --server "127.0.0.1:$PORT" --latency 100 --jitter 20 --loss 5 --dup 2 --seed 11 \
    >"$WORK/netsim.json" 2>"$WORK/netsim.log" &
NETSIM_PID=$!
CLIENT_PIDS="$NETSIM_PID"
wait_log "$WORK/netsim.log" "listening on UDP port"
RELAY=$(sed -n 's/.*listening on UDP port \([0-9]*\).*/\1/p' "$WORK/netsim.log" | head -n 1)
SERVER_PORT=$PORT
PORT=$RELAY   # clients connect through the relay
for n in ann bob cat; do run_client "$n" --bot --duration "$SECONDS_RUN"; done
for n in ann bob cat; do
    rc=$(wait_client "$n")
    expect_eq "$n exit (stayed connected)" "$rc" 0
    expect_eq "$n connected" "$(json_get "$n" connected)" true
    expect_ge "$n players_seen" "$(json_get "$n" players_seen)" 2
    rtt=$(json_get "$n" rtt_ms); expect_ge "$n rtt_ms (two 100 ms legs)" "$rtt" 150
    corr=$(json_get "$n" corrections)
    [ "$corr" -le "$CORRECTIONS_MAX" ] || fail "$n: $corr prediction corrections (bound $CORRECTIONS_MAX)"
    freeze=$(json_get "$n" max_freeze_ms)
    awk -v f="$freeze" 'BEGIN{exit !(f == 0)}' || fail "$n: remote players froze for $freeze ms past the extrapolation limit"
    expect_eq "$n deltas without baseline" "$(json_get "$n" snapshots_no_baseline)" 0
    expect_eq "$n bad packets" "$(json_get "$n" bad_packets)" 0
    up=$(json_get "$n" loss_up_pct); [ "$up" -le 15 ] || fail "$n: upstream loss measured $up % (simulated 5 %)"
    echo "$n: rtt $rtt ms, corrections $corr, jitter $(json_get "$n" jitter_ms) ms, interp $(json_get "$n" interp_delay_ms) ms, loss down $(json_get "$n" loss_down_pct) % up $up %, max extrapolation $(json_get "$n" max_extrapolation_ms) ms"
done
kill -TERM "$NETSIM_PID"; wait "$NETSIM_PID" 2>/dev/null
lost=$(sed -n 's/.*"up":{[^}]*"lost":\([0-9]*\).*/\1/p' "$WORK/netsim.json")
expect_ge "packets the relay dropped upstream" "$lost" 1
PORT=$SERVER_PORT
stop_server
pass "three bots through 100+-20 ms, 5 % loss, 2 % duplication"
