#!/usr/bin/env bash
# Command lines: --help works, bad options and values are usage errors (2),
# a malformed map stops the server with the line named.
. "$(dirname "$0")/lib.sh"
"$GAMESERVER" --help >"$WORK/h1" || fail "gameserver --help failed"
grep -q -- "--snapshot-rate" "$WORK/h1" || fail "server help lacks --snapshot-rate"
grep -q -- "--threads N" "$WORK/h1" || fail "server help lacks --threads"
"$GAMECLIENT" --help >"$WORK/h2" || fail "gameclient --help failed"
grep -q "5  connection lost" "$WORK/h2" || fail "client help lacks the exit codes"
for args in "--bogus" "--port 70000" "--tick-rate 5" "--max-players 0" "--tick-rate 30 --snapshot-rate 60" \
            "--threads 0" "--threads 9" "--threads two" "--send-thread 2"; do
    rc=0; "$GAMESERVER" $args 2>/dev/null || rc=$?
    expect_eq "gameserver $args" "$rc" 2
done
for args in "--bogus" "--duration -1" "--connect" "--headless --screenshot x.bmp"; do
    rc=0; "$GAMECLIENT" $args >/dev/null 2>&1 || rc=$?
    expect_eq "gameclient $args" "$rc" 2
done
printf 'arena-map 1\nname Broken\ntiles\n#####\n#S..#\n#..#\n#####\n' >"$WORK/broken.map"
rc=0; "$GAMESERVER" --port 0 --map "$WORK/broken.map" 2>"$WORK/bad.log" || rc=$?
expect_eq "server with a malformed map" "$rc" 1
grep -q "broken.map: line 6: row is 4 tiles wide, expected 5" "$WORK/bad.log" || fail "map error does not name the line"
rc=0; "$GAMESERVER" --port 0 --map nosuchmap 2>"$WORK/bad2.log" || rc=$?
expect_eq "server with a missing map" "$rc" 1
grep -q "map 'nosuchmap' not found" "$WORK/bad2.log" || fail "missing map not reported"
pass "command lines and map errors"
