#!/usr/bin/env bash
# build.sh [OUT_DIR] - builds the libFuzzer harnesses (clang only) into
# OUT_DIR (default build-fuzz/, relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz}
mkdir -p "$out"
cc=${CC_FUZZ:-clang}
flags=(-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Ishared -Itests/fuzz)
libs=($(pkg-config --libs libenet) -lm)
common=(shared/wire.c shared/text.c shared/protocol.c)
build() { # harness, shared sources...
    local name=$1; shift
    echo "build: $out/$name"
    "$cc" "${flags[@]}" "tests/fuzz/$name.c" "$@" "${common[@]}" -o "$out/$name" "${libs[@]}"
}
build fuzz_msg shared/msg.c shared/sim.c shared/map.c &
build fuzz_snapshot shared/snapshot.c shared/bits.c shared/sim.c shared/map.c &
build fuzz_map shared/map.c &
build fuzz_discovery shared/discovery.c &
status=0
for job in $(jobs -p); do wait "$job" || status=1; done
exit $status
