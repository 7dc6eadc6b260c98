#!/usr/bin/env bash
# NVA-2, NVA-3, NVA-4: the NVA's core under load (BENCHMARKS.md, "The NVA's core: group commit and propagation").
#  1. NvaReportersBench: N nNVEs report concurrently to one NVA on SQLite FULL (group commit): changes/s, latency.
#  2. NvaPropagationBench: 100,000 TSIs; one nNVE reports 1,000 changes/s, another's replica holds each after how
#     long; a restarted replica's list; 100 replicas watching one NVA (fan-out). In one process (InProcessLink).
#
# Usage: bench/run-nva-propagation.sh [seconds (default 10)] [directory (default a new one under /var/tmp)]
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*), SKIP_BUILD=1 to reuse the jar, JAVA_OPTS
# (extra JVM options, e.g. -XX:+UseZGC, the collector the daemons run with; default: none, the JVM's G1).
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

bench_header

bench_build
secs=${1:-10}
dir=${2:-$(mktemp -d /var/tmp/nva-core-bench.XXXXXX)}
echo "# JVM options: ${JAVA_OPTS:=}"
# shellcheck disable=SC2086
run() { "$JAVA_HOME/bin/java" -Xmx3g $JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar "$@"; }
run org.splitnve.bench.nva.NvaReportersBench "$secs" 8 1,10,100 "$dir/reporters"
run org.splitnve.bench.nva.NvaPropagationBench "$secs" 100000 1000 100 "$dir/propagation"
rmdir "$dir" 2>/dev/null || true
