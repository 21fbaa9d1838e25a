#!/usr/bin/env bash
# The server console on standard input: status lists the players, say
# reaches them as a server chat line, kick removes one with the reason it
# shows, map changes the map (clients load it and play on), quit shuts down.
. "$(dirname "$0")/lib.sh"
start_console_server --max-players 4
run_client ann --duration 8
run_client bob --duration 8
wait_log "$WORK/server.log" "(2 playing)"
echo "status" >&3
wait_log "$WORK/console.out" "2/4 players"
grep -q " ann " "$WORK/console.out" && grep -q " bob " "$WORK/console.out" || fail "status does not list both players"
echo "say hello from the console" >&3
wait_log "$WORK/ann.log" "chat \[server\] hello from the console"
echo "kick bob" >&3
expect_eq "bob exit (kicked: connection lost)" "$(wait_client bob)" 5
expect_eq "bob's reason" "$(json_get bob disconnect_reason)" '"kicked by the server"'
echo "kick nobody" >&3
wait_log "$WORK/console.out" "no player 'nobody'"
echo "map crossroads" >&3
wait_log "$WORK/console.out" "map changed to Crossroads"
wait_log "$WORK/ann.log" "joined \"LAN Arena\" .*map Crossroads"
echo "map nosuchmap" >&3
wait_log "$WORK/console.out" "map 'nosuchmap' not found"
echo "quit" >&3
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=""
expect_eq "server exit after quit" "$rc" 0
grep -q "console quit" "$WORK/server.log" || fail "quit not logged"
expect_eq "ann exit (server shut down)" "$(wait_client ann)" 5
expect_eq "ann's reason" "$(json_get ann disconnect_reason)" '"server shut down"'
pass "console: status, say, kick, map, quit"
