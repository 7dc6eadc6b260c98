#!/usr/bin/env bash
# Builds the bench module and runs the published wire benchmark set (WireBench: decode and encode
# of whole ECP/VDP frames, one thread, with the GC profiler), then prints JMH's results and a
# per-frame summary (VSI TLVs/s, frames/s, bytes allocated per frame). See BENCHMARKS.md.
#
# Usage: bench/run-wire.sh [extra JMH options or benchmark regex]
# Environment:
#   JAVA_HOME   used if it is a JDK 25; otherwise the first /usr/lib/jvm/*25* JDK is taken
#   JMH_OPTS    run length (default: -f 1 -wi 3 -w 2s -i 5 -r 2s)
#   SKIP_BUILD  1 to reuse bench/target/benchmarks.jar as it is
#   PIN_CPU     a CPU number: run the benchmark JVM under taskset -c PIN_CPU (JIT and GC included)
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh

JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s"}
RESULTS=bench/target/wire-results.json

echo "# JAVA_HOME: $JAVA_HOME"
"$JAVA_HOME/bin/java" -version 2>&1 | sed 's/^/# /'
echo "# CPUs: $(nproc); $(lscpu 2>/dev/null | grep 'Model name' | sed 's/  */ /g' || true)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -pl bench -am package -DskipTests
fi

pin=()
if [ -n "${PIN_CPU:-}" ]; then
    pin=(taskset -c "$PIN_CPU")
fi

# shellcheck disable=SC2086 # JMH_OPTS is a list of options
"${pin[@]}" "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar --sun-misc-unsafe-memory-access=allow \
    org.splitnve.bench.WireBenchMain \
    $JMH_OPTS -prof gc -rf json -rff "$RESULTS" "$@"
echo "# JSON results: $RESULTS"
