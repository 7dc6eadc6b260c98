#!/usr/bin/env bash
# Builds the bench module and runs the protocol-engine benchmark set (issue 3):
#   1. NnveBench (JMH): nNVE engine TSI transitions per second, one thread, with the GC profiler
#   2. NnveMemory: heap held by 1,000,000 activated TSIs, under -Xmx1g
#   3. EndToEnd: 100,000 VMs created and started through tNVE -> ECP -> nNVE; VMs/s and ECPDUs per VM
# See BENCHMARKS.md. Usage: bench/run-protocol.sh
# Environment: JAVA_HOME (a JDK 25, else /usr/lib/jvm/*25*), JMH_OPTS (default -f 1 -wi 3 -w 2s -i 5 -r 2s),
#              SKIP_BUILD=1 to reuse bench/target/benchmarks.jar, TSIS (default 1000000), VMS (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
JAVA="$JAVA_HOME/bin/java"
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -w 2s -i 5 -r 2s"}

echo "# $("$JAVA" -version 2>&1 | head -n 1); CPUs: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -pl bench -am install -DskipTests
fi
JAR=bench/target/benchmarks.jar

echo "## 1. nNVE engine: TSI transitions per second (ops/s = transitions/s)"
# shellcheck disable=SC2086
"$JAVA" --sun-misc-unsafe-memory-access=allow -jar "$JAR" NnveBench $JMH_OPTS -prof gc 2>&1 \
    | grep -E '^(Benchmark|NnveBench)'
echo "## 2. Memory: ${TSIS:-1000000} activated TSIs under -Xmx1g"
"$JAVA" -Xmx1g -cp "$JAR" org.splitnve.bench.NnveMemory "${TSIS:-1000000}"
echo "## 3. End to end: ${VMS:-100000} VMs created and started"
"$JAVA" -Xmx4g -cp "$JAR" org.splitnve.bench.EndToEnd "${VMS:-100000}" 3
