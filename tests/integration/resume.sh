#!/usr/bin/env bash
# A pulled cable, and the way back in. Through the fault simulator, ann's
# link goes dark for 5 s, longer than the 2 s peer timeouts: the server holds
# her slot, the client reconnects by itself and shows the session token, and
# she gets back the same slot, name, frags and deaths, without downloading
# the map again (she still holds it); nobody saw her leave.
# While she is away a stranger asks for her slot with a made-up token and
# joins as a new player instead. carl's link goes dark for good: the client
# gives up after its --reconnect time (exit 5, "timed out") and the server
# frees his slot when the grace period ends, announcing the leave. Last, a
# client that notices the loss before the server does gets back into its own
# slot on a full server.
. "$(dirname "$0")/lib.sh"
# A small open room, so the bots (who aim at the nearest player and fire)
# score before the cable is pulled.
printf 'arena-map 1\nname Pit\ntiles\n############\n#S........S#\n#..........#\n#S........S#\n############\n' >"$WORK/pit.map"
start_server --peer-timeout 2000 --resume-grace 8 --frag-limit 0 --time-limit 0 --map "$WORK/pit.map"
start_netsim ns_ann --blackout 8:5 --duration 40
ANN_RELAY=$NS_PORT
start_netsim ns_carl --blackout 3:60 --duration 60
CARL_RELAY=$NS_PORT
run_client bob --bot --duration 18
wait_log "$WORK/server.log" "'bob' joined"
PORT=$ANN_RELAY run_client ann --bot --duration 17 --peer-timeout 2000 --reconnect 20
PORT=$CARL_RELAY run_client carl --duration 15 --peer-timeout 2000 --reconnect 4
wait_log "$WORK/server.log" "player [0-9]* 'ann' (127.0.0.1:[0-9]*) lost: timed out; slot held 8 s" 15
ann_id=$(sed -n "s/.*player \([0-9]*\) 'ann' joined.*/\1/p" "$WORK/server.log" | head -n 1)
[ -n "$ann_id" ] || fail "ann never joined"
# The stranger: ann's slot number, a token it made up.
run_client eve --duration 3 --resume-token "$ann_id:00112233445566778899aabbccddeeff"
wait_log "$WORK/server.log" "asked for slot $ann_id back with a wrong or expired token: joining as a new player" 5
expect_eq "eve exit" "$(wait_client eve)" 0
eve_id=$(json_get eve client_id)
[ "$eve_id" != "$ann_id" ] || fail "the stranger got ann's slot $ann_id"
wait_log "$WORK/server.log" "player $ann_id 'ann' resumed from" 15

expect_eq "ann exit (back in, stayed to the end)" "$(wait_client ann)" 0
expect_eq "ann resumes" "$(json_get ann resumes)" 1
expect_eq "ann client_id after resuming" "$(json_get ann client_id)" "$ann_id"
expect_eq "ann name" "$(json_get ann name)" '"ann"'
grep -q "resumed the session as player $ann_id" "$WORK/ann.log" || fail "ann's client did not report the resume"
# Frags and deaths: what the server counted before the loss is what she had
# when she came back (kill lines: "kill: 'K' fragged 'V' (N frags)").
pre=$(sed -n "1,/'ann' (127.0.0.1:[0-9]*) lost/p" "$WORK/server.log")
deaths=$(printf '%s\n' "$pre" | grep -c "kill: '[^']*' fragged 'ann'")
frags=$(printf '%s\n' "$pre" | sed -n "s/.*kill: 'ann' fragged '[^']*' (\(-\?[0-9]*\) frags).*/\1/p" | tail -n 1)
resumed=$(grep "player $ann_id 'ann' resumed" "$WORK/server.log")
echo "ann before the loss: frags ${frags:-0}, deaths $deaths; server: $resumed"
echo "$resumed" | grep -q "frags ${frags:-0}, deaths $deaths[,)]" || fail "ann's score was not kept: $resumed"
# She still held the map (her C_HELLO named it): it was not sent again. The
# stranger held none and got it.
echo "$resumed" | grep -q ", map kept)" || fail "the map was sent to ann again: $resumed"
grep "'eve' joined from" "$WORK/server.log" | grep -q "map kept" && fail "eve, who held no map, was not sent one"

expect_eq "carl exit (lost for good)" "$(wait_client carl)" 5
expect_eq "carl reason" "$(json_get carl disconnect_reason)" '"timed out"'
expect_eq "carl resumes" "$(json_get carl resumes)" 0
grep -q "reconnecting for up to 4 s" "$WORK/carl.log" || fail "carl did not try to reconnect"
wait_log "$WORK/server.log" "player [0-9]* 'carl' did not come back in 8 s: slot freed" 15

expect_eq "bob exit" "$(wait_client bob)" 0
grep -q "'ann' left (timed out)" "$WORK/bob.log" && fail "bob saw ann leave while her slot was held"
grep -q "'carl' left (timed out)" "$WORK/bob.log" || fail "bob was not told that carl's slot was freed"
stop_server

# The client gives up on the old connection before the server does (its
# timeout is 2 s, the server's 20 s) and the server is full: the returning
# client is still let in to show its token, and takes over its own slot.
start_server --max-players 2 --peer-timeout 20000
start_netsim ns_dora --blackout 4:4 --duration 30
run_client fred --duration 14
PORT=$NS_PORT run_client dora --duration 13 --peer-timeout 2000 --reconnect 15
wait_log "$WORK/server.log" "player [0-9]* 'dora' resumed from" 15
grep -q "'dora': the old connection from 127.0.0.1:[0-9]* is replaced" "$WORK/server.log" ||
    fail "the server did not replace dora's old connection"
expect_eq "dora exit" "$(wait_client dora)" 0
expect_eq "dora resumes" "$(json_get dora resumes)" 1
grep "'dora' resumed from" "$WORK/server.log" | grep -q ", map kept)" || fail "the map was sent to dora again"
expect_eq "fred exit" "$(wait_client fred)" 0
grep -q "server full" "$WORK/dora.log" && fail "dora was refused by her own full server"
stop_server
pass "a lost player reconnects by itself and resumes slot $ann_id with frags and deaths; a wrong token gets a new slot; the slot is freed after the grace period"
