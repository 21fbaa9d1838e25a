#!/usr/bin/env bash
# The window client remembers the chosen name between runs (SDL's
# preference path, here under a temporary XDG_DATA_HOME).
. "$(dirname "$0")/lib.sh"
export XDG_DATA_HOME="$WORK/xdg"
start_server
SDL_VIDEODRIVER=dummy timeout 30 "$GAMECLIENT" --connect "127.0.0.1:$PORT" --name "Zoë K" --duration 1.5 \
    >"$WORK/first.json" 2>"$WORK/first.log" || fail "first run failed"
[ -f "$XDG_DATA_HOME/lanarena/gameclient/name.txt" ] || fail "name not saved"
SDL_VIDEODRIVER=dummy timeout 30 "$GAMECLIENT" --connect "127.0.0.1:$PORT" --duration 1.5 \
    >"$WORK/second.json" 2>"$WORK/second.log" || fail "second run failed"
grep -q '"name":"Zoë K"' "$WORK/second.json" || fail "second run did not use the remembered name: $(cat "$WORK/second.json")"
stop_server
pass "name remembered between runs"
