#!/usr/bin/env bash
# A connected peer sends garbage at a high rate (hostile --garbage: a proper
# ENet connection with the protocol version as connect data, then random
# bytes on both channels, reliable and not) while three bots play. The
# server kicks it, and only it, for "too many malformed packets" (reason 5),
# logs it without a line per packet, a fresh client still joins within 2 s,
# the bots receive at least 95 % of the snapshots due (received / ((leave -
# join) x 30 Hz)), and the server's resident memory grows by less than 8 MB.
# Rate: 2000 packets/s of 1..1200 bytes, at most 6000 or 3 s; the kick
# comes after SV_BAD_PACKET_LIMIT (50) of them. Then a second garbage
# sender straight after the fresh client joined, to show the kick again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flood_lib.sh"
RATE=2000
start_server --discovery-port 0 --snapshot-rate "$SNAP_RATE"
for n in ann bob cy; do run_client "$n" --bot --duration 9; done
wait_log "$WORK/server.log" "(3 playing)"
sleep 0.5
rss0=$(rss_kb "$SERVER_PID")
hostile garbage --garbage --rate "$RATE" --count $((RATE * 3)) --seconds 3 --seed 4
g_pid=$HOSTILE_PID
sleep 0.2
fresh_join dan --duration 2
wait_hostile "$g_pid"
hostile garbage2 --garbage --rate "$RATE" --count $((RATE * 3)) --seconds 3 --seed 5
wait_hostile "$HOSTILE_PID"
sleep 0.5
rss1=$(rss_kb "$SERVER_PID")
check_bots ann bob cy
expect_eq "dan exit" "$(wait_client dan)" 0
for g in garbage garbage2; do
    expect_eq "$g: connected" "$(hostile_get $g connected)" true
    expect_eq "$g: disconnected by the server" "$(hostile_get $g disconnected)" true
    expect_eq "$g: reason (PROTO_REASON_BAD_PACKETS)" "$(hostile_get $g reason)" 5
done
kicks=$(grep -c "too many malformed packets" "$WORK/server.log")
expect_eq "kicks for malformed packets (the two garbage senders only)" "$kicks" 2
drops=$(grep -cE "dropping |disconnected: (timed out|too many)" "$WORK/server.log")
expect_eq "drops of any kind (the two kicks)" "$drops" 2
bad_lines=$(grep -c "bad packet #" "$WORK/server.log")
[ "$bad_lines" -le 20 ] || fail "$bad_lines 'bad packet' lines: logging is not rate limited"
[ "$JOIN_MS" -le "$JOIN_LIMIT_MS" ] || fail "fresh client joined after $JOIN_MS ms (limit $JOIN_LIMIT_MS)"
growth=$((rss1 - rss0))
[ "$growth" -lt "$RSS_LIMIT_KB" ] || fail "server VmRSS grew by $growth kB (limit $RSS_LIMIT_KB)"
echo "figures: garbage at $RATE/s: kicked after $(hostile_get garbage kicked_after_packets) packets" \
     "($(hostile_get garbage kicked_after_s) s) and $(hostile_get garbage2 kicked_after_packets) packets" \
     "($(hostile_get garbage2 kicked_after_s) s), reason $(hostile_get garbage reason); kicks $kicks;" \
     "fresh join ${JOIN_MS} ms; snapshots$SNAP_FIGURES; server VmRSS $rss0 -> $rss1 kB (+$growth)"
stop_server
pass "a garbage sender is kicked alone; a fresh client joins in ${JOIN_MS} ms, bots keep their snapshots"
