#!/usr/bin/env bash
# NVA-2 (second half): the NVA's store on a real three-member etcd cluster on loopback (EtcdStoreBench): mapping
# changes acknowledged per second for batches of 1, 10, 100 and 1000 (each batch one guarded etcd transaction,
# acknowledged once a majority has it on disk), the same through the whole NVA, and the bytes per entry.
# See BENCHMARKS.md, "The NVA's store on etcd". Needs /usr/bin/etcd (Debian's etcd-server).
#
# Usage: bench/run-nva-etcd.sh [seconds per run (default 5)] [directory for the members' data]
# The directory must be on a disk (default: a new one under /var/tmp, not a tmpfs).
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*), SKIP_BUILD=1 to reuse the jar.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh

echo "# JAVA_HOME: $JAVA_HOME"
echo "# CPUs: $(nproc); $(lscpu 2>/dev/null | grep 'Model name' | sed 's/  */ /g' || true)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "# etcd: $(/usr/bin/etcd --version 2>/dev/null | head -1 || echo missing)"
echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -pl bench -am package -DskipTests
fi
"$JAVA_HOME/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
    org.splitnve.bench.EtcdStoreBench "${1:-5}" ${2:+"$2"}
