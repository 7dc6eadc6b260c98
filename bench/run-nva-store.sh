#!/usr/bin/env bash
# NVA-2: measures the NVA's embedded store candidates on its write pattern (NvaStoreBench): mapping changes
# acknowledged per second for batches of 1, 10, 100 and 1000 (each batch durable before it is acknowledged),
# the time to reopen a store of 100,000 entries, and the same writes through the whole NVA. See BENCHMARKS.md.
#
# Usage: bench/run-nva-store.sh [seconds per run (default 5)] [entries to reopen (default 100000)] [directory]
# The directory must be on the disk the NVA would use (default: a new one under /var/tmp, not a tmpfs).
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*), SKIP_BUILD=1 to reuse the jar.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

bench_header

bench_build
dir=${3:-$(mktemp -d /var/tmp/nva-store-bench.XXXXXX)}
"$JAVA_HOME/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
    org.splitnve.bench.NvaStoreBench "${1:-5}" "${2:-100000}" "$dir"
