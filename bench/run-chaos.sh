#!/usr/bin/env bash
# Issue 13's chaos command (REL-2, REL-6; RELIABILITY.md, "Chaos"): stations, one nNVE and a shared NVA daemon as
# processes in network namespaces; VMs churn while a fault drawn at random (a daemon killed with SIGKILL, a station's
# cable cut, 20% loss on it) hits every EVERY seconds; the invariants checked all along; a report at the end.
# As root. Usage:
#   bench/run-chaos.sh [--minutes 10] [--tsis 2000] [--stations 3] [--churn 0.01] [--every 20] [--loss 20]
#                      [--check-every 15] [--seed 1] [--dir DIR] [--port 17700]
# Environment: as bench/run-soak.sh, which builds and runs it.
exec env SPLITNVE_SOAK_MAIN=org.splitnve.bench.soak.Chaos "$(dirname "$0")/run-soak.sh" "$@"
