#!/usr/bin/env bash
# DP-6: flow changes per second our OpenFlow driver (dataplane module: FlowDriver, atomic bundles) applies to a real
# ovs-vswitchd, interleaved with ovs-ofctl --bundle on the same switch in the same run (OvsFlowRate). Needs root and
# openvswitch-switch. The switch runs in its own namespace with a private run directory (userspace datapath, a
# secure bridge with one port); both are removed at the end, also on failure. See BENCHMARKS.md.
#
# Usage: bench/run-ovs-flows.sh [flows per step (default 50000)] [rounds (default 5)] [max bundle (default 10000)]
#        bench/run-ovs-flows.sh pipeline [TSIs (default 10000)] [VNs (100)] [trunks (4)] [remote NVEs (4)]
#            [addresses per remote NVE (1000)] [rounds (3)]: the nNVE's pipeline for that many Activated TSIs,
#            programmed as the daemon does it (OvsPipelineScale)
# Environment: JAVA_HOME (a JDK 25, else the first /usr/lib/jvm/*25*), SKIP_BUILD=1 to reuse the jar.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/jdk25.sh
. bench/header.sh

bench_header
echo "# $(ovs-vswitchd --version | head -1)"

bench_build

ns=snvb-flows-$$
run=$(mktemp -d /tmp/snvb-flows.XXXXXX)
cleanup() {
    for pidfile in "$run"/ovs-vswitchd.pid "$run"/ovsdb-server.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 0.5
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "$run"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add p1 type veth peer name p1x
ip -n "$ns" link set p1 up
ovsdb-tool create "$run/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ip netns exec "$ns" ovsdb-server "$run/conf.db" --remote=punix:"$run/db.sock" --pidfile="$run/ovsdb-server.pid" \
    --unixctl="$run/ovsdb-server.ctl" --log-file="$run/ovsdb-server.log" --detach --no-chdir
ovs-vsctl --db=unix:"$run/db.sock" --no-wait init
ip netns exec "$ns" env OVS_RUNDIR="$run" OVS_LOGDIR="$run" OVS_DBDIR="$run" ovs-vswitchd unix:"$run/db.sock" \
    --pidfile="$run/ovs-vswitchd.pid" --unixctl="$run/ovs-vswitchd.ctl" --log-file="$run/ovs-vswitchd.log" --detach --no-chdir
ovs-vsctl --db=unix:"$run/db.sock" add-br br0 -- set bridge br0 datapath_type=netdev fail-mode=secure \
    protocols=OpenFlow13,OpenFlow14 -- add-port br0 p1 -- set interface p1 ofport_request=1

if [ "${1:-}" = pipeline ]; then
    "$JAVA_HOME/bin/java" -Xmx2g -cp bench/target/benchmarks.jar org.splitnve.bench.OvsPipelineScale "$run/br0.mgmt" \
        "${2:-10000}" "${3:-100}" "${4:-4}" "${5:-4}" "${6:-1000}" "${7:-3}" "$(cat "$run/ovs-vswitchd.pid")"
else
    "$JAVA_HOME/bin/java" -Xmx1g -cp bench/target/benchmarks.jar org.splitnve.bench.OvsFlowRate "$run/br0.mgmt" \
        "${1:-50000}" "${2:-5}" "${3:-10000}" "$(cat "$run/ovs-vswitchd.pid")"
fi
