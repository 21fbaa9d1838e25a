#!/usr/bin/env bash
# --input-every: the server asks its clients (S_WELCOME) for an input packet
# every N ticks. With 2, one bot's packets reaching the server are about
# half the tick rate (with 1, about the tick rate), and the input loss the
# server reports back is still 0 % (its loss count expects a packet every
# 2 ticks, not every tick). Also: a bad value is a usage error, --help
# lists the flag.
. "$(dirname "$0")/lib.sh"
"$GAMESERVER" --help | grep -q -- "--input-every N" || fail "--help does not list --input-every"
for v in 0 5 x; do
    rc=0; "$GAMESERVER" --port 0 --input-every "$v" </dev/null >/dev/null 2>&1 || rc=$?
    expect_eq "exit for --input-every $v" "$rc" 2
done

# median_in FILE: the median packets_in_s of the stats lines with one player,
# leaving out the first (it holds the join).
median_in() {
    grep '"players":1,' "$1" | tail -n +2 | sed -n 's/.*"packets_in_s":\([0-9.]*\).*/\1/p' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) printf "%d\n", v[int((NR + 1) / 2)]; else print "" }'
}

for every in 1 2; do
    STATS="$WORK/stats$every.jsonl"
    start_srv "server$every" --max-players 4 --discovery-port 0 --tick-rate 60 --input-every "$every" --stats "$STATS"
    PORT=$SRV_PORT
    run_client "bot$every" --bot --duration 6
    expect_eq "bot$every exit" "$(wait_client "bot$every")" 0
    kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null
    expect_eq "input loss the server reported with --input-every $every" "$(json_get "bot$every" loss_up_pct)" 0
    eval "in$every=\$(median_in \"\$STATS\")"
done
# 60 ticks a second plus a few ENet pings and acknowledgements.
expect_ge "packets in a second with --input-every 1" "$in1" 55
[ "$in1" -le 75 ] || fail "packets in a second with --input-every 1: $in1, expected at most 75"
expect_ge "packets in a second with --input-every 2" "$in2" 28
[ "$in2" -le 40 ] || fail "packets in a second with --input-every 2: $in2, expected at most 40 (is the client ignoring it?)"
pass "--input-every: $in1 packets a second with 1, $in2 with 2, no input loss reported"
