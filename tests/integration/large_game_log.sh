#!/usr/bin/env bash
# A large game's log stays readable: with more than 64 players the server
# writes no line per kill and no line per player every 10 s, but one
# "stats game" line (players, round trips, input loss, bytes, kills counted)
# and lines only for players in trouble. Seventy bots from botswarm play for
# 8 s; SIGUSR1 asks for the stats lines at once.
. "$(dirname "$0")/lib.sh"
: "${BOTSWARM:?set BOTSWARM to the botswarm binary}"

start_server --max-players 80 --map metropolis --time-limit 0 --frag-limit 0
timeout 60 "$BOTSWARM" --connect "127.0.0.1:$PORT" --bots 70 --duration 8 --name-prefix lg --progress 0 \
    >"$WORK/swarm.json" 2>"$WORK/swarm.log" &
swarm=$!
wait_log "$WORK/server.log" "(70 playing)" 20
sleep 5
kill -USR1 "$SERVER_PID"
wait_log "$WORK/server.log" "stats game: " 5
wait "$swarm"
expect_eq "botswarm exit" "$?" 0
stop_server

line=$(grep "stats game: " "$WORK/server.log" | tail -n 1)
case "$line" in *"stats game: 70 players, rtt median "*" ms, max "*" ms, input loss mean "*"bad packets 0, 0 in trouble (lines for 0), "*" kills in "*) ;;
*) fail "unexpected stats game line: $line" ;; esac
kills=$(echo "$line" | sed -n 's/.*, \([0-9]*\) kills in .*/\1/p')
expect_ge "kills counted in the stats game line" "$kills" 1
# once the game was large (65 playing), no line per kill and no line per player
large_from=$(grep -n "(65 playing)" "$WORK/server.log" | head -n 1 | cut -d: -f1)
[ -n "$large_from" ] || fail "the game never reached 65 players"
late_kills=$(tail -n +"$large_from" "$WORK/server.log" | grep -c "kill: ")
expect_eq "kill lines once the game was large" "$late_kills" 0
expect_eq "per-player stats lines" "$(grep -c "stats player " "$WORK/server.log")" 0
pass "large game log: one stats game line ($kills kills counted), no per-kill or per-player lines"
