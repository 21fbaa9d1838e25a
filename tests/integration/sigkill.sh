#!/usr/bin/env bash
# Clients killed with SIGKILL (no goodbye) free their slots: after the peer
# timeout (2 s here) the server holds each slot for the resume grace period
# (2 s), then frees it and tells the others. Three rounds of four kills on a
# 6-slot server: every slot comes back (five fresh clients fit afterwards),
# the player who stayed is untouched, and the server's memory after the
# third round is where it was after the first (round one warms up the
# allocator; bound: 256 KiB).
. "$(dirname "$0")/lib.sh"
start_server --max-players 6 --peer-timeout 2000 --resume-grace 2
run_client keep --bot --duration 40
wait_log "$WORK/server.log" "'keep' joined"

# pid_of NAME: the gameclient process started as NAME.
pid_of() {
    pgrep -f -- "--name $1 " | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = gameclient ] && echo "$p"; done | head -n 1
}

round() { # N: four clients join, play a moment, and are killed
    local names="" n
    for k in 1 2 3 4; do n="k$$r$1c$k"; names="$names $n"; run_client "$n" --bot --duration 30; done
    for n in $names; do wait_log "$WORK/server.log" "'$n' joined" 10; done
    sleep 1
    for n in $names; do
        p=$(pid_of "$n"); [ -n "$p" ] || fail "cannot find $n's process"
        kill -KILL "$p"
    done
    for n in $names; do wait_log "$WORK/server.log" "'$n' did not come back in 2 s: slot freed" 15; done
    sleep 0.5
}

round 1; rss1=$(rss_kb "$SERVER_PID")
round 2; rss2=$(rss_kb "$SERVER_PID")
round 3; rss3=$(rss_kb "$SERVER_PID")
echo "server VmRSS after rounds 1, 2, 3: $rss1 $rss2 $rss3 KiB"
# Under AddressSanitizer freed memory sits in its quarantine, so resident
# size says nothing there; LeakSanitizer checks what is never freed at exit.
if ldd "$GAMESERVER" 2>/dev/null | grep -q libasan; then
    echo "sanitizer build: memory bound not checked (LeakSanitizer checks leaks at exit)"
else
    [ $((rss3 - rss1)) -le 256 ] || fail "server memory grew by $((rss3 - rss1)) KiB over two rounds of killed clients"
fi
grep -q "'k$$r1c1' left (timed out)" "$WORK/keep.log" || fail "keep was not told a killed player's slot was freed"

# Every slot is free again: five more fit beside keep (6 slots).
for k in 1 2 3 4 5; do run_client "late$k" --duration 2; done
for k in 1 2 3 4 5; do expect_eq "late$k exit (got a slot)" "$(wait_client "late$k")" 0; done
expect_eq "keep exit" "$(wait_client keep)" 0
expect_eq "keep bad packets" "$(json_get keep bad_packets)" 0
stop_server
pass "SIGKILLed clients' slots are freed after timeout + grace; memory back to $rss3 KiB (after round one: $rss1)"
