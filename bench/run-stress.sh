#!/usr/bin/env bash
# The namespace, interop and daemon test classes, ROUNDS times in a row, while a CPU load keeps every core busy
# (issue 14: a suite that fails instead of hanging, with no flaky test). As root, like CI. Reports each round's
# result and the total of failed rounds; exits 1 if any round failed.
#   bench/run-stress.sh [ROUNDS]        (default 20)
# Environment: JAVA_HOME (a JDK 25, else /usr/lib/jvm/*25*); LOAD=0 runs without the CPU load; FORKS (default 2)
# test JVMs run test classes side by side (Surefire's forkCount): on a 2-core machine a round takes about 4 min
# instead of 10 under the load, and two test JVMs besides the burners are a harder load than one (every lab
# names its namespaces, temporary directories, OVS and lldpad instances by its JVM's pid, so they do not meet).
set -euo pipefail
# A shell started in the background (`cmd &` without job control) ignores SIGINT and SIGQUIT, and every process it
# starts inherits that: a JVM that starts with SIGINT ignored installs no handler for it, so CaptureNetnsTest's
# Ctrl-C of a capture would never be heard (4 rounds of 4 failed that way). Started with nohup, SIGHUP is ignored the
# same way, and ReloadNetnsTest's daemons never hear their reload. Restore the defaults first.
if [ -z "${SPLITNVE_SIGINT_RESET:-}" ] && (( 0x$(awk '/^SigIgn/ {print $2}' /proc/$$/status) & 7 )); then
    SPLITNVE_SIGINT_RESET=1 exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGHUP, signal.SIG_DFL)
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # Python ignores these two itself
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' bash "$0" "$@"
fi
cd "$(dirname "$0")/.."
. bench/jdk25.sh
ROUNDS=${1:-20}
TESTS='*NetnsTest,*InteropTest,SideBySideTest,LldpadModelDifferentialTest,AgentRunnerNetnsTest,RawSocketNetnsTest'
out=$(mktemp -d /tmp/splitnve-stress-XXXXXX)
burners=()
stop_load() {
    for p in "${burners[@]}"; do kill "$p" 2> /dev/null || true; done
    burners=()
}
trap stop_load EXIT INT TERM
# the build first, without the load (the rounds are what is measured under it)
./mvnw -B -q -DskipTests install > "$out/build.log" 2>&1
if [ "${LOAD:-1}" != 0 ]; then
    for _ in $(seq "$(nproc)"); do
        ( while :; do :; done ) &
        burners+=("$!")
    done
fi
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) rounds $ROUNDS, test JVMs ${FORKS:-2}, CPU burners ${#burners[@]} on $(nproc) cores"
failed=0
for r in $(seq "$ROUNDS"); do
    start=$(date +%s)
    if CI=true ./mvnw -B -pl transport,interop,daemon,launcher verify -DforkCount="${FORKS:-2}" -Dtest="$TESTS" -Dsurefire.failIfNoSpecifiedTests=false \
            > "$out/round-$r.log" 2>&1; then
        verdict=ok
    else
        verdict=FAILED
        failed=$((failed + 1))
    fi
    tests=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run:' "$out/round-$r.log" | grep -v ' -- in ' \
        | awk -F'[:,]' '{s += $2; f += $4 + $6} END {printf "%d tests, %d failed or in error", s, f}')
    echo "round $r: $verdict ($tests) in $(( $(date +%s) - start )) s"
    if [ "$verdict" = FAILED ]; then
        grep -E '<<< (FAILURE|ERROR)!' "$out/round-$r.log" | sed 's/^/    /' | head -5
    fi
done
echo "# $failed of $ROUNDS rounds failed; logs in $out"
[ "$failed" = 0 ]
