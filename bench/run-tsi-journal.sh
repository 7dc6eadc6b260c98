#!/usr/bin/env bash
# REL-2: the nNVE daemon's TSI journal ([state] dir, TsiJournalBench): journals N activated TSIs as the daemon does
# (octets per TSI, records per forced batch, what one forced record costs), then, in a new JVM each time, the time from
# the process's start until every TSI of the journal is back in a new nNVE engine. See BENCHMARKS.md.
#
# Usage: bench/run-tsi-journal.sh [TSIs (default 100000)] [restore runs (default 3)] [directory]
# The directory must be on the disk the nNVE would use (default: a new one under /var/tmp, not a tmpfs).
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*), SKIP_BUILD=1 to reuse the jar.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

bench_header

bench_build
dir=${3:-$(mktemp -d /var/tmp/tsi-journal-bench.XXXXXX)}
"$JAVA_HOME/bin/java" -Xmx2g -cp bench/target/benchmarks.jar \
    org.splitnve.bench.TsiJournalBench all "${1:-100000}" "$dir" "${2:-3}"
