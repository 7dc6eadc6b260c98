#!/usr/bin/env bash
# Issue 13's soak (REL-6): TSIS VMs on STATIONS tNVE daemons and one nNVE daemon, every daemon a process of its own in
# network namespaces on raw Ethernet (made and removed by the run); a churn of CHURN of the VMs a second through the
# tNVEs' APIs, a tNVE killed with SIGKILL and started again every KILL_EVERY seconds, the invariants checked every
# CHECK_EVERY seconds, each daemon's memory, heap, file descriptors and threads sampled; at the end a strict check and
# a SIGKILL of the nNVE itself with every TSI in place. Prints the report; exits 0 when REL-6 held. Root. See
# RELIABILITY.md ("The soak").
#
# Usage: bench/run-soak.sh [Soak's options: --minutes 60 --tsis 100000 --stations 4 --churn 0.01 --kill-every 300
#                           --check-every 60 --dir DIR --port 17600]
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*); SKIP_BUILD=1 uses the jars as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q -DskipTests -Dfuzz.skip=true -Daot.skip=true install
    ./mvnw -B -q -pl bench package -DskipTests
fi
bench_header
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseZGC -cp bench/target/benchmarks.jar \
    "${SPLITNVE_SOAK_MAIN:-org.splitnve.bench.soak.Soak}" --jar launcher/target/splitnve.jar "$@"
