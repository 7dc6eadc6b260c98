#!/usr/bin/env bash
# Issue 13's chaos command (REL-2, REL-6; RELIABILITY.md, "Chaos"): stations, one nNVE and a shared NVA daemon as
# processes in network namespaces; VMs churn while a fault drawn at random (a daemon killed with SIGKILL, a station's
# cable cut, 20% loss on it) hits every EVERY seconds; the invariants checked all along; a report at the end.
# As root. Usage:
#   bench/run-chaos.sh [--minutes 10] [--tsis 2000] [--stations 3] [--churn 0.01] [--every 20] [--loss 20]
#                      [--check-every 15] [--seed 1] [--dir DIR] [--port 17700]
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
    org.splitnve.bench.soak.Chaos --jar launcher/target/splitnve.jar "$@"
