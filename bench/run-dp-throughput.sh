#!/usr/bin/env bash
# Issue 11: VM to VM through two nNVE daemons' Open vSwitch bridges (userspace datapath) and VXLAN between them:
# OverlayThroughputBench (launcher tests: real nNVE and tNVE daemons, the NVA daemon, VDP over raw Ethernet, VMs as
# network namespaces, all made and removed by the run). The round trip of PINGS pings 10 ms apart (percentiles), then
# TCP throughput with iperf3, ROUNDS rounds of SECONDS s each way. Needs root, openvswitch-switch, iputils-ping and
# iperf3 (a benchmark's tool: CI does not install it). See BENCHMARKS.md.
#
# Usage: bench/run-dp-throughput.sh [ROUNDS (default 3)] [SECONDS (default 10)] [PINGS (default 1000)]
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*).
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

command -v iperf3 > /dev/null || { echo "iperf3 is not installed (Debian: apt-get install iperf3)" >&2; exit 2; }
bench_header
echo "# $(ovs-vswitchd --version | head -1); $(iperf3 --version | head -1)"
log=$(mktemp /tmp/snvb-dp-throughput.XXXXXX)
trap 'rm -f "$log"' EXIT
CI=true ./mvnw -B -pl launcher -am verify -Dtest=OverlayThroughputBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfuzz.skip=true -Daot.skip=true -Drounds="${1:-3}" -Dseconds="${2:-10}" -Dpings="${3:-1000}" > "$log" 2>&1 \
    || { tail -50 "$log"; exit 1; }
grep -h '^\[bench\]' "$log" launcher/target/surefire-reports/*OverlayThroughputBench*-output.txt 2>/dev/null | awk '!seen[$0]++'
