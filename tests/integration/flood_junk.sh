#!/usr/bin/env bash
# A flood of random UDP datagrams at the game port (tests/tools/hostile.c
# --junk: noise, datagrams with plausible ENet headers, CONNECT-shaped ones,
# and 5 % real CONNECTs that are never completed) while three bots play:
# a fresh client still joins within 2 s, every bot receives at least 95 % of
# the snapshots due to it (received / ((leave - join) x 30 Hz), join and
# leave from the server log: a server starved of ticks and snapshots lost
# on the way both show), nobody is dropped, and the server's resident
# memory grows by less than 8 MB.
# Rate: 10000 datagrams/s for 5 s (50000, ~35 MB; 2500 of them CONNECTs):
# a 2-core machine runs it beside the server, three bots and a fresh client,
# under ASan too (the server then uses about a quarter of a core).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flood_lib.sh"
RATE=10000 SECONDS_FLOOD=5
start_server --discovery-port 0 --snapshot-rate "$SNAP_RATE"
for n in ann bob cy; do run_client "$n" --bot --duration 11; done
wait_log "$WORK/server.log" "(3 playing)"
sleep 0.5
rss0=$(rss_kb "$SERVER_PID")
hostile junk --junk --rate "$RATE" --count $((RATE * SECONDS_FLOOD)) --seconds "$SECONDS_FLOOD" --seed 1
junk_pid=$HOSTILE_PID
sleep 2
fresh_join dan --duration 2
wait_hostile "$junk_pid"
sleep 0.5
rss1=$(rss_kb "$SERVER_PID")
check_bots ann bob cy
expect_eq "dan exit" "$(wait_client dan)" 0
sent=$(hostile_get junk sent)
expect_ge "junk datagrams sent (half at least, on a busy machine)" "$sent" $((RATE * SECONDS_FLOOD / 2))
[ "$JOIN_MS" -le "$JOIN_LIMIT_MS" ] || fail "fresh client joined after $JOIN_MS ms (limit $JOIN_LIMIT_MS)"
growth=$((rss1 - rss0))
[ "$growth" -lt "$RSS_LIMIT_KB" ] || fail "server VmRSS grew by $growth kB (limit $RSS_LIMIT_KB)"
if grep -E "disconnected: (timed out|too many)|dropping (player|lost)" "$WORK/server.log"; then fail "a player was dropped"; fi
skipped=$(sed -n 's/.*skipped \([0-9]*\) ticks.*/\1/p' "$WORK/server.log" | awk '{s += $1} END {print s + 0}')
guard=$(grep -c "connection guard: reset" "$WORK/server.log")
echo "figures: junk $sent datagrams at $RATE/s ($(hostile_get junk connects) real CONNECTs, $(hostile_get junk replies) replies);" \
     "fresh join ${JOIN_MS} ms; snapshots$SNAP_FIGURES; server VmRSS $rss0 -> $rss1 kB (+$growth);" \
     "ticks skipped $skipped; guard lines $guard"
stop_server
pass "a junk flood: a fresh client joins in ${JOIN_MS} ms, bots keep their snapshots, memory bounded"
