#!/usr/bin/env bash
# relay_smoke.sh - integration test for netsim on loopback only: a udp_echo
# server with netsim in front of it, driven by udp_probe. Checks latency
# (RTT), loss, per-direction duplication/reorder, blackout windows,
# oversize datagrams, queue overflow, the 256-client limit, repeatability,
# the stats JSON and the command-line errors. Expects NETSIM, UDP_ECHO and
# UDP_PROBE in the environment (set by CTest). Every loop is bounded in count
# and time.
set -u
: "${NETSIM:?set NETSIM to the netsim binary}" "${UDP_ECHO:?set UDP_ECHO to the udp_echo binary}" \
  "${UDP_PROBE:?set UDP_PROBE to the udp_probe binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/netsim.XXXXXX")
ECHO_PID=""
NETSIM_PID=""
FAILED=0

cleanup() {
    for p in $NETSIM_PID $ECHO_PID; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "$FAILED" = 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    FAILED=1
    for f in "$WORK"/*.log "$WORK"/*.json; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
    exit 1
}
pass() { echo "PASS: $*"; }

# get FILE KEY: value of a top-level KEY in the last line of FILE (flat JSON).
get() { tail -n 1 "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }
# sub FILE OBJ KEY: value of KEY inside the object OBJ ("up" or "down").
sub() { tail -n 1 "$1" | sed -n "s/.*\"$2\":{\([^}]*\)}.*/\1/p" | sed -n "s/.*\"$3\":\([^,}]*\).*/\1/p"; }
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; }
# expect_range WHAT VALUE LO HI: LO <= VALUE <= HI (decimals ok).
expect_range() {
    awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 <= hi) }' ||
        fail "$1: expected $3..$4, got '$2'"
}

# wait_pid PID SECONDS: waits (bounded) until PID ends; sets RC to its status.
wait_pid() {
    local pid=$1 tries=$(($2 * 20))
    while [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; tries=$((tries - 1)); done
    kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "process $pid did not stop within $2 s"; }
    RC=0
    wait "$pid" || RC=$?
}

# --- echo server --------------------------------------------------------
"$UDP_ECHO" --duration 115 >"$WORK/echo.out" 2>"$WORK/echo.log" &
ECHO_PID=$!
ECHO_PORT=""
for _ in $(seq 1 200); do
    ECHO_PORT=$(sed -n 's/^udp_echo listening on UDP port \([0-9][0-9]*\)$/\1/p' "$WORK/echo.out" | head -n 1)
    [ -n "$ECHO_PORT" ] && break
    kill -0 "$ECHO_PID" 2>/dev/null || fail "udp_echo exited at start-up"
    sleep 0.02
done
[ -n "$ECHO_PORT" ] || fail "udp_echo did not print its port"

# start_netsim NAME [options...]: netsim in front of the echo server; sets
# NS_PORT and NS_START (its CLOCK_MONOTONIC start, ms). Output in NAME.json,
# log in NAME.log. --duration 60 is a safety net; tests stop it earlier.
start_netsim() {
    local name=$1; shift
    "$NETSIM" --server "127.0.0.1:$ECHO_PORT" --duration 60 "$@" >"$WORK/$name.json" 2>"$WORK/$name.log" &
    NETSIM_PID=$!
    NS_PORT=""
    for _ in $(seq 1 500); do
        if [ -s "$WORK/$name.log" ]; then
            NS_PORT=$(head -n 1 "$WORK/$name.log" | sed -n 's/^netsim listening on UDP port \([0-9][0-9]*\)$/\1/p')
            [ -n "$NS_PORT" ] && break
        fi
        kill -0 "$NETSIM_PID" 2>/dev/null || fail "netsim ($name) exited at start-up"
        sleep 0.01
    done
    [ -n "$NS_PORT" ] || fail "netsim ($name): first stderr line is not 'netsim listening on UDP port N'"
    NS_START=""
    for _ in $(seq 1 200); do
        NS_START=$(sed -n 's/.*started at CLOCK_MONOTONIC \([0-9]*\) ms.*/\1/p' "$WORK/$name.log" | head -n 1)
        [ -n "$NS_START" ] && break
        sleep 0.01
    done
    [ -n "$NS_START" ] || fail "netsim ($name) did not log its start time"
}

# stop_netsim NAME: SIGTERM, exit 0, exactly one JSON line on stdout.
stop_netsim() {
    kill -TERM "$NETSIM_PID"
    wait_pid "$NETSIM_PID" 10
    NETSIM_PID=""
    expect_eq "netsim ($1) exit status after SIGTERM" "$RC" 0
    check_json "$1"
}
check_json() {
    expect_eq "netsim ($1) stdout lines" "$(wc -l <"$WORK/$1.json" | tr -d ' ')" 1
    grep -q '^{"up":{"received":[0-9]*,"forwarded":[0-9]*,"lost":[0-9]*,"duplicated":[0-9]*,"reordered":[0-9]*,"blackout_dropped":[0-9]*,"overflow_dropped":[0-9]*.*},"down":{"received":.*},"clients":[0-9]*' \
        "$WORK/$1.json" || fail "netsim ($1) JSON summary malformed: $(cat "$WORK/$1.json")"
}

# probe NAME [udp_probe options...]: runs udp_probe through netsim, JSON in NAME.probe.
probe() {
    local name=$1; shift
    timeout 60 "$UDP_PROBE" "127.0.0.1:$NS_PORT" "$@" >"$WORK/$name.probe" 2>"$WORK/$name.probe.log" ||
        fail "udp_probe ($name) failed"
}

# --- 1. latency 50 ms each way, no loss: all 200 echo, RTT about 100 ms ----
start_netsim lat --latency 50 --loss 0
probe lat --count 200 --rate 100 --linger 1000
expect_eq "latency run: echoes" "$(get "$WORK/lat.probe" echoed)" 200
expect_eq "latency run: duplicate echoes" "$(get "$WORK/lat.probe" duplicates)" 0
LAT_MED=$(get "$WORK/lat.probe" rtt_median_ms)
LAT_MIN=$(get "$WORK/lat.probe" rtt_min_ms)
LAT_MAX=$(get "$WORK/lat.probe" rtt_max_ms)
expect_range "latency run: median RTT ms" "$LAT_MED" 95 160
expect_range "latency run: min RTT ms" "$LAT_MIN" 95 160
# oversize datagrams are dropped and counted; 2048 bytes still pass
probe big --count 5 --size 3000 --rate 100 --linger 300
expect_eq "3000-byte datagrams echoed" "$(get "$WORK/big.probe" echoed)" 0
probe edge --count 3 --size 2048 --rate 100 --linger 1000
expect_eq "2048-byte datagrams echoed" "$(get "$WORK/edge.probe" echoed)" 3
stop_netsim lat
J="$WORK/lat.json"
expect_eq "latency run: up.received" "$(sub "$J" up received)" 208
expect_eq "latency run: up.forwarded" "$(sub "$J" up forwarded)" 203
expect_eq "latency run: up.oversize_dropped" "$(sub "$J" up oversize_dropped)" 5
expect_eq "latency run: up.lost" "$(sub "$J" up lost)" 0
expect_eq "latency run: down.received" "$(sub "$J" down received)" 203
expect_eq "latency run: down.forwarded" "$(sub "$J" down forwarded)" 203
# oversize datagrams are dropped before a client entry is made for them
expect_eq "latency run: clients" "$(get "$J" clients)" 2
pass "latency 50 ms: 200/200 echoed, RTT min $LAT_MIN / median $LAT_MED / max $LAT_MAX ms; oversize dropped"

# --- 2. 20% loss each way: about 64% echo; same seed, same result --------
loss_run() { # name
    start_netsim "$1" --loss 20 --seed 7
    probe "$1" --count 500 --rate 250 --linger 500
    stop_netsim "$1"
}
loss_run loss1
LOSS_PCT=$(get "$WORK/loss1.probe" echo_pct)
expect_range "loss run: echo %" "$LOSS_PCT" 55 73
J="$WORK/loss1.json"
UP_LOST=$(sub "$J" up lost)
DOWN_LOST=$(sub "$J" down lost)
expect_eq "loss run: up.received" "$(sub "$J" up received)" 500
expect_range "loss run: up.lost" "$UP_LOST" 65 135
expect_eq "loss run: down.received = up.forwarded" "$(sub "$J" down received)" "$(sub "$J" up forwarded)"
expect_eq "loss run: echoes = down.forwarded" "$(get "$WORK/loss1.probe" echoed)" "$(sub "$J" down forwarded)"
loss_run loss2
expect_eq "loss run repeated with the same seed: up.lost" "$(sub "$WORK/loss2.json" up lost)" "$UP_LOST"
expect_eq "loss run repeated with the same seed: down.lost" "$(sub "$WORK/loss2.json" down lost)" "$DOWN_LOST"
expect_eq "loss run repeated with the same seed: echoes" "$(get "$WORK/loss2.probe" echoed)" "$(get "$WORK/loss1.probe" echoed)"
pass "loss 20% both ways: $LOSS_PCT% echoed (up lost $UP_LOST/500, down lost $DOWN_LOST), identical on a rerun with seed 7"

# --- 3. blackout 0.5:1 (and 3:1): nothing sent inside comes back ---------
# Probe send times are compared with netsim's start (both CLOCK_MONOTONIC).
# "inside" stops 100 ms before a window ends (transit time); "outside" keeps
# 100 ms away from every edge. The second window is there for very loaded
# machines, where the probe may start late and miss much of the first; if
# both are mostly missed, the run is repeated (at most 3 times).
# At 100 probes/s the two 900 ms windows hold 180 send times; a probe that
# was held up by a loaded machine sends its backlog at once, so a few more
# can land inside (bound 200).
for attempt in 1 2 3; do
    start_netsim bo --blackout 0.5:1 --blackout 3:1
    probe bo --count 450 --rate 100 --linger 300 --log "$WORK/bo.probes"
    stop_netsim bo
    read -r FIRST IN IN_ECHO IN1 OUT OUT_ECHO < <(awk -v t0="$NS_START" '
        NR == 1 { first = $2 - t0 }
        { rel = $2 - t0; echoed = ($3 != "-1") }
        (rel >= 500 && rel < 1400) || (rel >= 3000 && rel < 3900) { inside++; inside_echo += echoed }
        rel >= 500 && rel < 1400 { inside1++ }
        rel < 400 || (rel >= 1600 && rel < 2900) || rel >= 4100 { out++; out_echo += echoed }
        END { printf "%d %d %d %d %d %d\n", first, inside, inside_echo, inside1, out, out_echo }' "$WORK/bo.probes")
    [ "$IN" -ge 100 ] && break
    echo "note: probe started $FIRST ms after netsim (loaded machine); repeating the blackout run"
done
expect_range "blackout: probes sent inside the windows" "$IN" 100 200
expect_eq "blackout: echoes for probes sent inside the windows" "$IN_ECHO" 0
expect_range "blackout: probes sent outside the windows" "$OUT" 150 450
expect_range "blackout: echoed outside the windows" "$OUT_ECHO" $((OUT * 9 / 10)) "$OUT"
BO_UP=$(sub "$WORK/bo.json" up blackout_dropped)
expect_range "blackout: up.blackout_dropped" "$BO_UP" "$IN" 240
pass "blackout 0.5:1 and 3:1: 0/$IN echoed inside ($IN1 in the first window; probe started at +$FIRST ms), $OUT_ECHO/$OUT outside; up.blackout_dropped $BO_UP"

# --- 4. per direction: dup + reorder up, latency down; ends by --duration -
"$NETSIM" --server "127.0.0.1:$ECHO_PORT" --duration 3 --seed 3 --up-latency 20 --up-reorder 50 \
    --up-dup 100 --down-latency 60 --dup 0 >"$WORK/dir.json" 2>"$WORK/dir.log" &
NETSIM_PID=$!
NS_PORT=""
for _ in $(seq 1 500); do
    NS_PORT=$(head -n 1 "$WORK/dir.log" 2>/dev/null | sed -n 's/^netsim listening on UDP port \([0-9][0-9]*\)$/\1/p')
    [ -n "$NS_PORT" ] && break
    sleep 0.01
done
[ -n "$NS_PORT" ] || fail "netsim (dir) did not print its port"
probe dir --count 200 --rate 200 --linger 500 --full-linger
wait_pid "$NETSIM_PID" 10
NETSIM_PID=""
expect_eq "netsim exit status after --duration" "$RC" 0
check_json dir
P="$WORK/dir.probe"; J="$WORK/dir.json"
DIR_MED=$(get "$P" rtt_median_ms)
DIR_OOO=$(get "$P" out_of_order)
expect_eq "direction run: echoes" "$(get "$P" echoed)" 200
expect_eq "direction run: duplicate echoes" "$(get "$P" duplicates)" 200
expect_range "direction run: median RTT ms (20 up + 60 down)" "$DIR_MED" 75 130
expect_range "direction run: out-of-order echoes" "$DIR_OOO" 1 200
expect_eq "direction run: up.duplicated" "$(sub "$J" up duplicated)" 200
expect_eq "direction run: up.forwarded" "$(sub "$J" up forwarded)" 400
expect_range "direction run: up.reordered (of 400 copies)" "$(sub "$J" up reordered)" 140 260
expect_eq "direction run: down.received" "$(sub "$J" down received)" 400
expect_eq "direction run: down.duplicated" "$(sub "$J" down duplicated)" 0
expect_eq "direction run: down.reordered" "$(sub "$J" down reordered)" 0
pass "per-direction: 200 dup echoes, $DIR_OOO out of order, median RTT $DIR_MED ms; stopped by --duration"

# --- 5. queue overflow: more than 8192 copies waiting are dropped ---------
# 10000 datagrams in 2.5 s with 10 s latency: nothing is due before netsim
# is stopped. The kernel may drop some of the burst on a very loaded
# machine; if fewer than 8193 reach netsim the run is repeated (at most 3).
for attempt in 1 2 3; do
    start_netsim ovf --latency 10000
    probe ovf --count 10000 --rate 4000 --linger 0
    stop_netsim ovf
    J="$WORK/ovf.json"
    OVF_RX=$(sub "$J" up received)
    OVF_DROP=$(sub "$J" up overflow_dropped)
    [ "$OVF_RX" -gt 8192 ] && break
    echo "note: only $OVF_RX of 10000 datagrams reached netsim (loaded machine); repeating the overflow run"
done
expect_range "overflow run: up.received" "$OVF_RX" 8193 10000
expect_eq "overflow run: up.overflow_dropped" "$OVF_DROP" $((OVF_RX - 8192))
expect_eq "overflow run: up.forwarded" "$(sub "$J" up forwarded)" 0
pass "overflow: $OVF_RX received with 10 s latency, $OVF_DROP dropped beyond 8192 queued"

# --- 6. client table: 256 client addresses at most ---------------------
start_netsim cl
probe cl --count 260 --sources 260 --rate 1000 --linger 1000
stop_netsim cl
J="$WORK/cl.json"
expect_eq "260 sources: echoes" "$(get "$WORK/cl.probe" echoed)" 256
expect_eq "260 sources: echoes back on the wrong socket" "$(get "$WORK/cl.probe" misrouted)" 0
expect_eq "260 sources: clients" "$(get "$J" clients)" 256
expect_eq "260 sources: refused_datagrams" "$(get "$J" refused_datagrams)" 4
expect_eq "260 sources: up.forwarded" "$(sub "$J" up forwarded)" 256
expect_eq "260 sources: down.forwarded" "$(sub "$J" down forwarded)" 256
expect_eq "260 sources: distinct upstream ports" "$(sed -n 's/.*(upstream port \([0-9]*\))$/\1/p' "$WORK/cl.log" | sort -u | wc -l | tr -d ' ')" 256
pass "client table: 256 of 260 source addresses relayed, each on its own upstream socket"

# --- 7. command line ------------------------------------------------------
"$NETSIM" --help >"$WORK/help.txt" 2>&1 || fail "netsim --help failed"
for opt in --server --listen --seed --duration --latency --jitter --loss --dup --reorder \
    --up-latency --up-jitter --up-loss --up-dup --up-reorder --down-latency --down-jitter \
    --down-loss --down-dup --down-reorder --blackout --stats-json; do
    grep -q -- "$opt" "$WORK/help.txt" || fail "--help does not mention $opt"
done
rc=0; "$NETSIM" --server 10.1.2.3:27500 2>"$WORK/nonlo.log" || rc=$?
expect_eq "non-loopback --server" "$rc" 2
grep -q "only loopback" "$WORK/nonlo.log" || fail "non-loopback refusal not explained"
many=""
for i in $(seq 0 16); do many="$many --blackout $i:0.5"; done
for args in "" "--bogus" "--server 127.0.0.1" "--server 127.0.0.1:0" "--server 127.0.0.1:9 --loss 101" \
    "--server 127.0.0.1:9 --up-jitter -1" "--server 127.0.0.1:9 --blackout 1" \
    "--server 127.0.0.1:9 --duration 0" "--server 127.0.0.1:9 --listen 70000" \
    "--server 127.0.0.1:9 --latency" "--server 127.0.0.1:9 $many"; do
    rc=0; timeout 10 "$NETSIM" $args >/dev/null 2>&1 || rc=$?
    expect_eq "netsim $args" "$rc" 2
done
pass "help and usage errors"
echo "measured: latency_rtt_ms min=$LAT_MIN median=$LAT_MED max=$LAT_MAX; loss_echo_pct=$LOSS_PCT;" \
    "blackout inside=$IN (first window $IN1) echoed=$IN_ECHO outside=$OUT_ECHO/$OUT; direction median=$DIR_MED out_of_order=$DIR_OOO; overflow_dropped=$OVF_DROP"
exit 0
