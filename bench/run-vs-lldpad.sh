#!/usr/bin/env bash
# The side-by-side benchmark (issue 4; BENCHMARKS.md, "Side by side with lldpad"), as root:
#   N VMs associated and activated through our tNVE and nNVE (raw sockets on a veth pair between two network
#   namespaces) and through an lldpad station and bridge driven by vdptool (another veth pair, two more
#   namespaces), both at RTE 8, for each N, several rounds; our pair holding many TSIs under keep-alive load;
#   optionally lldpad's pair at growing N to see where it collapses.
# Prints the tables; exits 1 if our pair misses the VMs/s target or loses a TSI, 2 on a usage error.
# It creates network namespaces ben-PID-{tn,nn,st,br} and removes them, and every process in them, when it
# ends, also on Ctrl-C or failure.
#
# Usage: bench/run-vs-lldpad.sh [--full] [VsLldpad options]
#   --full        also the collapse series (lldpad at RTE 14 and RTE 8 at growing N; about 30 minutes more)
#   other options go to org.splitnve.bench.VsLldpad (--sizes 200,10000 --repeat 3 --keepalive 100000 ...;
#   run with --help to list them)
# Environment: JAVA_HOME (a JDK 25, else /usr/lib/jvm/*25*), SKIP_BUILD=1 reuses bench/target/benchmarks.jar,
#              JAVA_OPTS (extra JVM options), KEEP=1 keeps the scratch directory (lldpad's files).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "run-vs-lldpad.sh: needs root (network namespaces, raw sockets, lldpad)" >&2
    exit 2
fi
for tool in ip lldpad vdptool nsenter unshare stdbuf; do
    command -v "$tool" >/dev/null || { echo "run-vs-lldpad.sh: $tool not found (apt-get install iproute2 lldpad util-linux coreutils)" >&2; exit 2; }
done
. bench/jdk25.sh

args=()
help=0
for a in "$@"; do
    case "$a" in
        --full) args+=(--collapse-rte14 64,128,200 --collapse-rte8 1000,2000,4000,8000) ;;
        --help|-h) help=1 ;;
        *) args+=("$a") ;;
    esac
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -pl bench -am package -DskipTests
fi
if [ "$help" = 1 ]; then
    exec "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar org.splitnve.bench.VsLldpad --help
fi

P="ben-$$"
NS=("$P-tn" "$P-nn" "$P-st" "$P-br")
scratch=$(mktemp -d /tmp/vs-lldpad.XXXXXX)
java_pid=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null; then
        kill -TERM "$java_pid" 2>/dev/null || true   # its shutdown hook stops lldpad and the engines
        for _ in $(seq 50); do kill -0 "$java_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$java_pid" 2>/dev/null || true
    fi
    for ns in "${NS[@]}"; do
        if [ -e "/var/run/netns/$ns" ]; then
            # what still runs in our namespaces (an lldpad left behind): ours, ended by process id
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
            ip netns delete "$ns" 2>/dev/null || echo "run-vs-lldpad.sh: could not delete namespace $ns" >&2
        fi
    done
    if [ "${KEEP:-0}" = 1 ]; then
        echo "# scratch directory kept: $scratch"
    else
        rm -rf "$scratch"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ns in "${NS[@]}"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
done
# veths are created inside their namespaces: nothing appears in the host's
ip link add tn0 netns "$P-tn" address 02:00:00:5a:00:01 type veth peer name nn0 netns "$P-nn" address 02:00:00:5a:00:02
ip link add st0 netns "$P-st" address 02:00:00:5b:00:01 type veth peer name br0 netns "$P-br" address 02:00:00:5b:00:02
for x in "$P-tn tn0" "$P-nn nn0" "$P-st st0" "$P-br br0"; do
    set -- $x
    ip -n "$1" link set "$2" up
done

echo "# $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); CPUs: $(nproc); $(lscpu | sed -n 's/^Model name: *//p')"
echo "# lldpad $(dpkg-query -W -f='${Version}' lldpad 2>/dev/null || echo '?'); kernel $(uname -r)"
echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(uptime)"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} -cp bench/target/benchmarks.jar \
    org.splitnve.bench.VsLldpad --tnve "$P-tn/tn0" --nnve "$P-nn/nn0" --station "$P-st/st0" --bridge "$P-br/br0" \
    --dir "$scratch" "${args[@]}" &
java_pid=$!
set +e
wait "$java_pid"
rc=$?
set -e
java_pid=""
echo "# done: $(uptime)"
exit "$rc"
