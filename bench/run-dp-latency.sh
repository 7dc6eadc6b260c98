#!/usr/bin/env bash
# Issue 11: how long from a TSI's activation until its first packet passes, and from its deactivation until its
# packets stop, through the nNVE daemon's Open vSwitch bridge: DataplaneLatencyBench (launcher tests: real nNVE and tNVE
# daemons, VDP over raw Ethernet, OVS userspace datapath, VMs as network namespaces, all made and removed by the run).
# vm1 pings vm2 every 5 ms while vm2 is resumed and suspended ROUNDS times. Needs root, openvswitch-switch and
# iputils-ping. See BENCHMARKS.md.
#
# Usage: bench/run-dp-latency.sh [rounds (default 50)]
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*).
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

bench_header
echo "# $(ovs-vswitchd --version | head -1)"
log=$(mktemp /tmp/snvb-dp-latency.XXXXXX)
trap 'rm -f "$log"' EXIT
CI=true ./mvnw -B -pl launcher -am verify -Dtest=DataplaneLatencyBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfuzz.skip=true -Daot.skip=true -Drounds="${1:-50}" > "$log" 2>&1 || { tail -50 "$log"; exit 1; }
grep -h '^\[bench\]' "$log" launcher/target/surefire-reports/*DataplaneLatencyBench*-output.txt 2>/dev/null | awk '!seen[$0]++'
