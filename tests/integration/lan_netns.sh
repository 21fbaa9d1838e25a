#!/usr/bin/env bash
# Two "machines" on a LAN: network namespaces joined by a veth pair, made and
# removed by this test. The server runs in one, a bot plays from each, and
# each sees the other move. Traffic stays inside the test's own namespaces.
# Skipped (exit 77) where namespaces cannot be made (not root, no iproute2).
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then echo "SKIP: needs root and iproute2"; exit 77; fi
id=$$
A="lanA$id"; B="lanB$id"; net="10.$((200 + id % 50)).$((id / 50 % 250)).0"
host_a="${net%.0}.1"; host_b="${net%.0}.2"
cleanup_ns() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; cleanup; }
trap cleanup_ns EXIT
ip netns add "$A" && ip netns add "$B" || { echo "SKIP: cannot create network namespaces"; exit 77; }
ip link add "va$id" type veth peer name "vb$id" || { echo "SKIP: cannot create veth"; exit 77; }
ip link set "va$id" netns "$A"; ip link set "vb$id" netns "$B"
ip -n "$A" addr add "$host_a/24" dev "va$id"; ip -n "$B" addr add "$host_b/24" dev "vb$id"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set "va$id" up; ip -n "$B" link set "vb$id" up

ip netns exec "$A" "$GAMESERVER" --port 0 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on UDP port \([0-9]*\).*/\1/p' "$WORK/server.log" | head -n 1)
    [ -n "$PORT" ] && break; sleep 0.05
done
[ -n "$PORT" ] || fail "server did not start in namespace $A"
( ip netns exec "$A" timeout 60 "$GAMECLIENT" --headless --bot --duration 4 --name host_player \
    --connect "127.0.0.1:$PORT" >"$WORK/a.json" 2>"$WORK/a.log"; echo $? >"$WORK/a.rc" ) &
CLIENT_PIDS="$!"
( ip netns exec "$B" timeout 60 "$GAMECLIENT" --headless --bot --duration 4 --name lan_player \
    --connect "$host_a:$PORT" >"$WORK/b.json" 2>"$WORK/b.log"; echo $? >"$WORK/b.rc" ) &
CLIENT_PIDS="$CLIENT_PIDS $!"
expect_eq "host player exit" "$(wait_client a)" 0
expect_eq "LAN player exit" "$(wait_client b)" 0
expect_ge "host player saw the LAN player" "$(json_get a players_seen)" 1
expect_ge "LAN player saw the host player" "$(json_get b players_seen)" 1
expect_ge "LAN player snapshots" "$(json_get b snapshots)" 60
grep -q "'lan_player' joined from $host_b:" "$WORK/server.log" || fail "server did not see the LAN address"
stop_server
pass "two hosts on a (virtual) LAN played together"
