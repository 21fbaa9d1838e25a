#!/usr/bin/env bash
# Hundreds of connection attempts that never complete, while three bots
# play: ENet CONNECTs whose VERIFY_CONNECT is never acknowledged (hostile
# --halfopen: each would hold an ENet peer for 5-30 s, and they outnumber
# the server's peers), and complete ENet connections that never send the
# game's hello (hostile --idle). A fresh client still joins within 2 s, the
# connection guard resets the half-open peers (oldest first: past 32 if
# 0.5 s old, any 3 s old, and younger ones while fewer than 320 peers would
# be free), so that no CONNECT ever finds every peer taken, and says so in
# a few rate-limited lines, the bots receive at least
# 95 % of the snapshots due (received / ((leave - join) x 30 Hz)), nobody
# is dropped, and the server's resident memory grows by less than 8 MB.
# Rates: 4000 half-open attempts (the tool's limit) at 2000/s from 4
# sockets (2 s: past the rate at which the reserve comes into play), and
# 100 idle connections at 50/s (2 s), together.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flood_lib.sh"
HALF=4000 HALF_RATE=2000 IDLE=100 IDLE_RATE=50
start_server --discovery-port 0 --snapshot-rate "$SNAP_RATE"
for n in ann bob cy; do run_client "$n" --bot --duration 11; done
wait_log "$WORK/server.log" "(3 playing)"
sleep 0.5
rss0=$(rss_kb "$SERVER_PID")
hostile half --halfopen "$HALF" --rate "$HALF_RATE" --seconds 5 --seed 2
half_pid=$HOSTILE_PID
hostile idle --idle "$IDLE" --rate "$IDLE_RATE" --seconds 5 --seed 3
idle_pid=$HOSTILE_PID
sleep 2 # the server's peers beyond its players (80 before the guard) are long gone by now
fresh_join dan --duration 2
wait_hostile "$half_pid"
wait_hostile "$idle_pid"
wait_log "$WORK/server.log" "connection guard: reset [0-9]* half-open" 1
sleep 0.5
rss1=$(rss_kb "$SERVER_PID")
check_bots ann bob cy
expect_eq "dan exit" "$(wait_client dan)" 0
[ "$JOIN_MS" -le "$JOIN_LIMIT_MS" ] || fail "fresh client joined after $JOIN_MS ms (limit $JOIN_LIMIT_MS)"
expect_eq "half-open attempts sent" "$(hostile_get half sent)" "$HALF"
growth=$((rss1 - rss0))
[ "$growth" -lt "$RSS_LIMIT_KB" ] || fail "server VmRSS grew by $growth kB (limit $RSS_LIMIT_KB)"
if grep -E "disconnected: (timed out|too many)|dropping (player|lost)" "$WORK/server.log"; then fail "a player was dropped"; fi
lines=$(grep -c "connection guard: reset" "$WORK/server.log")
[ "$lines" -le 4 ] || fail "the guard logged $lines lines in ~10 s (rate limit: one per 5 s)"
last=$(grep "connection guard" "$WORK/server.log" | tail -n 1)
peak=$(printf '%s' "$last" | sed -n 's/.*(peak \([0-9]* of [0-9]* peers\)).*/\1/p')
busy=$(printf '%s' "$last" | sed -n 's/.*every peer busy at \([0-9]*\) polls.*/\1/p')
expect_eq "polls that found every ENet peer taken" "$busy" 0
room=$(grep "connection guard" "$WORK/server.log" | sed -n 's/.* \([0-9]*\) to keep [0-9]* peers free.*/\1/p' | awk '{s += $1} END {print s + 0}')
echo "figures: $HALF half-open at $HALF_RATE/s, $IDLE idle at $IDLE_RATE/s" \
     "(idle: $(hostile_get idle connected) connected, $(hostile_get idle disconnected) dropped by the server, reasons $(hostile_get idle reasons));" \
     "fresh join ${JOIN_MS} ms; snapshots$SNAP_FIGURES; server VmRSS $rss0 -> $rss1 kB (+$growth);" \
     "half-open peak $peak; reset to keep peers free $room; guard's last line: $(printf '%s' "$last" | sed 's/.*WARN  //')"
stop_server
pass "half-open and idle floods: a fresh client joins in ${JOIN_MS} ms, bots keep their snapshots, memory bounded"
