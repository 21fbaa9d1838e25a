#!/usr/bin/env bash
# Match flow with fighting bots: the first frag ends a match at
# --frag-limit 1, the intermission shows the scores, the next map of the
# rotation loads on every client and play goes on; a time limit also ends a
# match. Nobody is disconnected by a map change.
. "$(dirname "$0")/lib.sh"
start_server --frag-limit 1 --intermission 1 --map courtyard,crossroads
for n in ann bob cat dan; do run_client "$n" --bot --duration 30; done
wait_log "$WORK/server.log" "match over (frag limit): [a-z]* wins with 1 frags; next map crossroads" 25
wait_log "$WORK/server.log" "match started on Crossroads" 5
wait_log "$WORK/ann.log" "next match: loading map Crossroads" 5
for n in ann bob cat dan; do
    expect_eq "$n exit (stayed through the map change)" "$(wait_client "$n")" 0
    expect_eq "$n bad packets" "$(json_get "$n" bad_packets)" 0
    # on the new map the server still acknowledges its commands and sends it
    # itself: its own player is being predicted
    expect_eq "$n predicting its player after the map change" "$(json_get "$n" predicting)" true
done
kills=$(grep -c "kill: " "$WORK/server.log")
expect_ge "frags scored" "$kills" 1
stop_server
# A time limit of 3 seconds ends a match on its own.
start_server --time-limit 0.05 --intermission 1
run_client eve --duration 6
wait_log "$WORK/server.log" "match over (time limit)" 8
wait_log "$WORK/server.log" "match started on Crossroads" 4
expect_eq "eve exit" "$(wait_client eve)" 0
stop_server
pass "frag limit and time limit end matches; the rotation moves on"
