#!/usr/bin/env bash
# run.sh [SECONDS] - builds the libFuzzer harnesses (tests/fuzz/build.sh,
# into build-fuzz/) and runs each for SECONDS (default 10) on a copy of its
# seed corpus (tests/fuzz/corpus/<harness>/) in a temporary directory, so
# nothing is written into the repository. Exit status 0 only when no
# harness crashed. A longer session, e.g. ten minutes per harness:
#   tests/fuzz/run.sh 600
# A crash leaves its input (crash-*) and log in the printed temp directory.
# Reproduce one with: build-fuzz/<harness> <crash-file>
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
out=${FUZZ_OUT:-build-fuzz}
tests/fuzz/build.sh "$out" || { echo "fuzz build FAILED"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
passed=0 failed=0
for h in fuzz_msg fuzz_snapshot fuzz_map fuzz_discovery; do
    mkdir -p "$work/$h/corpus"
    cp tests/fuzz/corpus/$h/* "$work/$h/corpus/"
    log="$work/$h/log.txt"
    (cd "$work/$h" && "$OLDPWD/$out/$h" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$h/" corpus >"$log" 2>&1)
    rc=$?
    runs=$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+')
    [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    if [ $rc = 0 ]; then
        echo "$h: ok, ${runs:-?} runs in ${secs}s"
        passed=$((passed + 1))
    else
        echo "$h: FAILED (exit $rc) after ${runs:-0} runs; log: $log"
        ls "$work/$h"/crash-* "$work/$h"/timeout-* "$work/$h"/oom-* 2>/dev/null | sed 's/^/    artifact: /'
        grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
[ $failed = 0 ] && rm -rf "$work"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
