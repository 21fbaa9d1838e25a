#!/usr/bin/env bash
# Draws real frames with SDL's dummy video driver (software renderer) and
# checks the screenshots are not blank: the game view with two players, and
# the "server full" panel.
. "$(dirname "$0")/lib.sh"
start_server --max-players 2
run_client other --bot --duration 6
wait_log "$WORK/server.log" "'other' joined"
SDL_VIDEODRIVER=dummy timeout 30 "$GAMECLIENT" --connect "127.0.0.1:$PORT" --name viewer --bot --duration 2 \
    --screenshot "$WORK/game.bmp" >"$WORK/viewer.json" 2>"$WORK/viewer.log" || fail "windowed client failed"
"$BMPCHECK" "$WORK/game.bmp" --min-colors 8 --min-fraction 0.05 || fail "game screenshot looks blank"
"$BMPCHECK" "$WORK/game.bmp" --has-color "$("$BMPCHECK" --player-color 0)" || fail "other player not drawn"
run_client filler --bot --duration 6
wait_log "$WORK/server.log" "(2 playing)"
rc=0
SDL_VIDEODRIVER=dummy timeout 30 "$GAMECLIENT" --connect "127.0.0.1:$PORT" --name late --duration 2 \
    --screenshot "$WORK/full.bmp" >"$WORK/late.json" 2>"$WORK/late.log" || rc=$?
expect_eq "windowed client refused" "$rc" 4
"$BMPCHECK" "$WORK/full.bmp" --min-colors 4 --min-fraction 0.01 || fail "refusal screenshot looks blank"
wait_client other >/dev/null
wait_client filler >/dev/null
stop_server
pass "screenshots drawn and not blank"
