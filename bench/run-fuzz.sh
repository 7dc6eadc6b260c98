#!/usr/bin/env bash
# REL-5: a long coverage-guided fuzzing run (Jazzer) of one fuzz test, or of every fuzz test in turn.
# The build runs each for fuzz.duration (12 s) after replaying its saved inputs; this runs them longer.
#
# Usage: bench/run-fuzz.sh TARGET|all [DURATION]
#   TARGET    a fuzz test class: FrameCodecFuzzTest, VdpCodecFuzzTest, LldpCodecFuzzTest, PcapReaderFuzzTest
#             (wire), JsonCodecFuzzTest (api), ConfigFuzzTest, ApiBodyFuzzTest (daemon), DomainXmlFuzzTest
#             (libvirt); all: each in turn
#   DURATION  per fuzz test, as Jazzer reads it: 90s, 10m, 2h (default 10m)
# Environment:
#   JAVA_HOME     used if it is a JDK 25; otherwise the first /usr/lib/jvm/*25* JDK is taken
#   FUZZ_TIMEOUT  seconds one input may run before it counts as a hang (default 10)
#
# A finding (an exception other than the decoder's typed one, a failed check, a hang) ends that fuzz test's
# run and fails it; Jazzer saves the input in the test's inputs directory
# (<module>/src/test/resources/<package>/<Test>Inputs/<method>/crash-* or timeout-*), from where every build
# replays it. Fix the code, keep the file (renamed to say what it was) and add a unit test. The corpus the
# fuzzer grows stays in <module>/.cifuzz-corpus/ (not in git) and seeds the next run. Each run's inputs and
# time are summed up at the end (from <module>/target/fuzz-runs.txt); the whole log is bench/target/fuzz-*.log.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh

if [ $# -lt 1 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 2
fi
target=$1
duration=${2:-10m}
timeout=${FUZZ_TIMEOUT:-10}

if [ "$target" = all ]; then
    mapfile -t targets < <(find wire api daemon libvirt -path '*/src/test/java/*' -name '*FuzzTest.java' -printf '%f\n' \
        | sed 's/\.java$//' | sort)
else
    targets=("$target")
fi

mkdir -p bench/target
status=0
summary=()
for t in "${targets[@]}"; do
    src=$(find . -path ./bench -prune -o -path '*/src/test/java/*' -name "$t.java" -print | head -n 1)
    if [ -z "$src" ]; then
        echo "$(basename "$0"): no fuzz test $t (a class *FuzzTest under */src/test/java)" >&2
        exit 2
    fi
    module=$(echo "$src" | sed 's#^\./##; s#/src/test/java/.*##')
    log=bench/target/fuzz-$t.log
    rm -f "$module/target/fuzz-runs.txt"
    echo "# $t ($module): fuzzing for $duration, $timeout s per input at most; log $log"
    if ./mvnw -B -pl "$module" -am verify -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
        -Dfuzz.duration="$duration" -Dfuzz.timeout="$timeout" >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
        grep -a -E 'Test unit written to|FuzzTestFinding|Caused by|libFuzzer: timeout' "$log" | head -n 8 || true
    fi
    line=$(grep -h 'fuzz fuzzing' "$module/target/fuzz-runs.txt" 2>/dev/null | tail -n 1 || true)
    summary+=("$result  ${line:-$t: no fuzzing run (see $log)}")
done

echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
printf '%s\n' "${summary[@]}"
exit $status
