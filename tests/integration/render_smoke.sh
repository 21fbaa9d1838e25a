#!/usr/bin/env bash
# Draws real frames with SDL's dummy video driver (software renderer) and
# checks the screenshots are not blank: the LAN browser listing the server,
# the game view with two players and the HUD, the scoreboard, and the
# "server full" panel.
. "$(dirname "$0")/lib.sh"
export XDG_DATA_HOME="$WORK/xdg"   # keep the remembered name out of the real home
# The offscreen driver loads Mesa, whose allocations LeakSanitizer reports
# from unloaded modules it cannot name; leak checks stay on for everything
# else (the headless clients and the server in this test included).
win() { ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" SDL_VIDEODRIVER=offscreen timeout 30 "$GAMECLIENT" "$@"; }
DPORT=$((40000 + $$ % 20000))
start_server --max-players 2 --discovery-port "$DPORT" --name "Smoke Test Server"
win --broadcast 127.255.255.255 --discovery-port "$DPORT" --duration 2 \
    --screenshot "$WORK/browser.bmp" >"$WORK/browser.json" 2>"$WORK/browser.log" || fail "browser screen failed"
"$BMPCHECK" "$WORK/browser.bmp" --min-colors 8 --min-fraction 0.03 || fail "browser screenshot looks blank"
# the selected row (the server found) is highlighted in this colour
"$BMPCHECK" "$WORK/browser.bmp" --has-color 284664 || fail "the browser did not list the server"

run_client other --bot --duration 25
wait_log "$WORK/server.log" "'other' joined"
win --connect "127.0.0.1:$PORT" --name viewer --bot --duration 2 \
    --screenshot "$WORK/game.bmp" >"$WORK/viewer.json" 2>"$WORK/viewer.log" || fail "windowed client failed"
"$BMPCHECK" "$WORK/game.bmp" --min-colors 8 --min-fraction 0.05 || fail "game screenshot looks blank"
"$BMPCHECK" "$WORK/game.bmp" --has-color "$("$BMPCHECK" --player-color 0)" || fail "other player not drawn"
win --connect "127.0.0.1:$PORT" --name viewer2 --duration 1.5 \
    --scoreboard --screenshot "$WORK/scores.bmp" >"$WORK/viewer2.json" 2>"$WORK/viewer2.log" || fail "scoreboard client failed"
"$BMPCHECK" "$WORK/scores.bmp" --min-colors 8 --min-fraction 0.05 || fail "scoreboard screenshot looks blank"
"$BMPCHECK" "$WORK/scores.bmp" --has-color a0a8b8 || fail "no scoreboard headings"  # COL_DIM: only panels use it
run_client filler --bot --duration 25
wait_log "$WORK/server.log" "(2 playing)"
rc=0
win --connect "127.0.0.1:$PORT" --name late --duration 2 \
    --screenshot "$WORK/full.bmp" >"$WORK/late.json" 2>"$WORK/late.log" || rc=$?
expect_eq "windowed client refused" "$rc" 4
"$BMPCHECK" "$WORK/full.bmp" --min-colors 4 --min-fraction 0.01 || fail "refusal screenshot looks blank"
stop_server
pass "screenshots drawn and not blank"
