#!/usr/bin/env bash
# Server instrumentation: --stats FILE gets one JSON line a second (tick
# time split p50/p99/max, CPU, bytes and packets per second), and the
# console's status prints the same figures. A --stats file that cannot be
# opened stops the server at start-up with a message.
. "$(dirname "$0")/lib.sh"
STATS="$WORK/stats.jsonl"

# Start-up errors first: an empty path is a usage error, an unopenable one a
# start-up error naming the file.
rc=0; "$GAMESERVER" --port 0 --discovery-port 0 --stats "" </dev/null >/dev/null 2>"$WORK/empty.err" || rc=$?
expect_eq "exit for --stats ''" "$rc" 2
rc=0; "$GAMESERVER" --port 0 --discovery-port 0 --stats "$WORK/no/such/dir/s.jsonl" </dev/null >/dev/null \
    2>"$WORK/nodir.err" || rc=$?
expect_eq "exit for an unopenable --stats file" "$rc" 1
grep -q "cannot open the --stats file $WORK/no/such/dir/s.jsonl" "$WORK/nodir.err" || fail "no message for the bad --stats file"
"$GAMESERVER" --help | grep -q -- "--stats FILE" || fail "--help does not list --stats"

start_console_server --max-players 4 --discovery-port 0 --stats "$STATS"
run_client ann --bot --duration 4
run_client bob --bot --duration 4
wait_log "$STATS" '"players":2,' 8
echo "status" >&3
wait_log "$WORK/console.out" "frame p50 [0-9.]*  p99 [0-9.]*  max [0-9.]*"
grep -q "receive [0-9.]*/[0-9.]*  simulate [0-9.]*/[0-9.]*  snapshots [0-9.]*/[0-9.]*  send " "$WORK/console.out" \
    || fail "status lacks the per-phase split"
grep -q "cpu [0-9.]*%  in [0-9]* B/s [0-9]* pkt/s  out [0-9]* B/s [0-9]* pkt/s  ticks skipped [0-9]*" \
    "$WORK/console.out" || fail "status lacks cpu and traffic"
expect_eq "ann exit" "$(wait_client ann)" 0
expect_eq "bob exit" "$(wait_client bob)" 0
echo "quit" >&3
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=""
expect_eq "server exit after quit" "$rc" 0

lines=$(wc -l <"$STATS")
expect_ge "stats lines" "$lines" 3
[ "$(tail -c 1 "$STATS" | od -An -c | tr -d ' ')" = '\n' ] || fail "last stats line is not complete"
# Every line: one JSON object with every documented key.
keys="t tick players frame_p50_ms frame_p99_ms frame_max_ms recv_p50_ms recv_p99_ms sim_p50_ms sim_p99_ms
      snap_p50_ms snap_p99_ms send_p50_ms send_p99_ms cpu_percent bytes_in_s bytes_out_s packets_in_s
      packets_out_s ticks_skipped"
while IFS= read -r line; do
    case "$line" in "{"*"}") ;; *) fail "not a JSON object: $line" ;; esac
    for k in $keys; do
        echo "$line" | grep -q "\"$k\":-\?[0-9][0-9.]*[,}]" || fail "key $k missing or not a number in: $line"
    done
done <"$STATS"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then
    python3 - "$STATS" <<'EOF' || fail "stats lines do not parse as JSON"
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    d = json.loads(line)
    assert isinstance(d, dict), n
    for k, v in d.items():
        assert isinstance(v, (int, float)), (n, k, v)
EOF
fi
# While both bots played: ticks took measurable time and snapshots went out.
playing=$(grep '"players":2,' "$STATS")
[ -n "$playing" ] || fail "players never reached 2"
num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
echo "$playing" | num frame_p50_ms | awk '$1 > 0 { ok = 1 } END { exit !ok }' || fail "frame_p50_ms never > 0"
echo "$playing" | num bytes_out_s | awk '$1 > 0 { ok = 1 } END { exit !ok }' || fail "bytes_out_s never > 0"
echo "$playing" | num packets_in_s | awk '$1 > 0 { ok = 1 } END { exit !ok }' || fail "packets_in_s never > 0"
# p50 <= p99 <= max on every line; the window holds at most 5 s of 60 Hz ticks.
while IFS= read -r line; do
    p50=$(echo "$line" | num frame_p50_ms); p99=$(echo "$line" | num frame_p99_ms); mx=$(echo "$line" | num frame_max_ms)
    awk -v a="$p50" -v b="$p99" -v c="$mx" 'BEGIN { exit !(a <= b && b <= c) }' || fail "frame p50/p99/max out of order: $line"
    s=$(echo "$line" | num samples); [ "$s" -le 301 ] || fail "window holds $s ticks: $line"
done <"$STATS"
pass "stats: $lines JSON lines, players 2, frame and traffic figures; status prints them"
