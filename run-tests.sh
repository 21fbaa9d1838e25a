#!/usr/bin/env bash
# run-tests.sh - installs what is missing, builds from scratch and runs the
# whole suite twice: a plain build (warnings are errors) and an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Runs the tests of the
# server's threads under ThreadSanitizer. Also checks that the
# code compiles warning-free under clang, that the server builds alone
# without SDL, and runs every libFuzzer harness for 10 s. Exit status 0 only
# when everything passed.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh test
jobs=$(nproc)
status=0

run_suite() { # name, build dir, cmake args...
    local name=$1 dir=$2; shift 2
    echo "=== $name: configure and build in $dir"
    rm -rf "$dir"
    cmake -S . -B "$dir" -DGAME_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j"$jobs" 2>&1 | grep -E "warning|error|Error" && return 1
    echo "=== $name: tests"
    (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 180)
}

run_suite "plain (gcc)" build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
run_suite "sanitizers (gcc, ASan+UBSan)" build-asan -DCMAKE_BUILD_TYPE=Debug -DGAME_SANITIZE=ON || status=1

echo "=== ThreadSanitizer (gcc): the server's threads (snapshot helpers, sender thread) and their tests"
rm -rf build-tsan
tsan_tests="unit_sv_workers|unit_sv_snapshot_threads|unit_sv_batchio|unit_sv_sched|it_threads"
if cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DGAME_TSAN=ON -DGAME_WERROR=ON >/dev/null &&
    cmake --build build-tsan -j"$jobs" --target gameserver botswarm test_sv_workers test_sv_snapshot_threads \
        test_sv_batchio test_sv_sched >/dev/null &&
    (cd build-tsan && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
        ctest --output-on-failure -j"$jobs" --timeout 180 -R "^($tsan_tests)\$"); then
    echo "ThreadSanitizer: ok"
else
    echo "ThreadSanitizer: FAILED"; status=1
fi
echo "=== clang: build everything with -Wall -Wextra -Werror"
rm -rf build-clang
if CC=clang cmake -S . -B build-clang -DGAME_WERROR=ON >/dev/null && cmake --build build-clang -j"$jobs" >/dev/null; then
    echo "clang build: ok"
else
    echo "clang build: FAILED"; status=1
fi
echo "=== server alone (as on a machine without SDL): -DGAME_BUILD_CLIENT=OFF"
rm -rf build-server
if cmake -S . -B build-server -DGAME_BUILD_CLIENT=OFF -DGAME_BUILD_TESTS=OFF -DGAME_WERROR=ON >/dev/null &&
    cmake --build build-server -j"$jobs" >/dev/null && [ -x build-server/gameserver ] && [ ! -e build-server/gameclient ]; then
    echo "server-only build: ok"
else
    echo "server-only build: FAILED"; status=1
fi
echo "=== fuzz: libFuzzer harnesses (clang), 10 s each"
tests/fuzz/run.sh 10 || status=1
if [ $status = 0 ]; then echo "ALL TEST SUITES PASSED"; else echo "SOME TEST SUITES FAILED"; fi
exit $status
