#!/usr/bin/env bash
# Which garbage collector the daemons run with (issue 13, "Pauses"): our tNVE and nNVE engines (raw sockets on a
# veth pair between two network namespaces, both in one JVM, as bench/run-vs-lldpad.sh's "our pair") associate
# and activate N VMs (after a JIT warm-up) and then hold 100,000 TSIs under keep-alive load, once per collector,
# the collectors interleaved ROUNDS times. Every stop-the-world pause is read from the JVM's safepoint log
# (-Xlog:safepoint: time to reach the safepoint included, the same measure for every collector). Prints, per
# collector and round: VMs/s, retransmissions, TSIs lost, and the pauses' count, p50, p99 and maximum.
#   bench/run-gc.sh [ROUNDS] [HEAP]     (default 2 rounds; HEAP, e.g. 512m, sets -Xms and -Xmx; default: JVM's)
# As root (namespaces, raw sockets). Environment: JAVA_HOME; SKIP_BUILD=1 reuses bench/target/benchmarks.jar;
# COLLECTORS (default "G1 ZGC Shenandoah"); SIZES (default 10000); KEEPALIVE (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/jdk25.sh
ROUNDS=${1:-2}
HEAP=${2:-}
COLLECTORS=${COLLECTORS:-G1 ZGC Shenandoah}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -pl bench -am package -DskipTests
fi
out=$(mktemp -d /tmp/splitnve-gc-XXXXXX)
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD); $(nproc) CPUs; heap ${HEAP:-JVM default}; $(uptime)"
printf '%-11s %5s %9s %8s %5s %7s %9s %9s %9s %7s  %s\n' collector round "VMs/s" retrans lost pauses "p50 ms" "p99 ms" \
    "max ms" ">2.56ms" "keep-alive load (${KEEPALIVE:-100000} TSIs)"
for r in $(seq "$ROUNDS"); do
    for gc in $COLLECTORS; do
        log="$out/$gc-$r"
        heap=()
        [ -n "$HEAP" ] && heap=("-Xms$HEAP" "-Xmx$HEAP")
        case "$gc" in ZGC) flag=UseZGC ;; *) flag="Use${gc}GC" ;; esac
        JAVA_OPTS="-XX:+$flag ${heap[*]} -Xlog:safepoint=info:file=$log.safepoints:uptime" SKIP_BUILD=1 \
            bench/run-vs-lldpad.sh --pairs splitnve --sizes "${SIZES:-10000}" --repeat 1 --warmup 50000 \
            --keepalive "${KEEPALIVE:-100000}" > "$log.out" 2>&1 || true
        python3 - "$log.safepoints" "$gc" "$r" "$log.out" <<'PY'
import re, sys
path, gc, rnd, outp = sys.argv[1:5]
totals = []
try:
    for line in open(path, errors="replace"):
        m = re.search(r'Total: (\d+) ns', line)
        if m:
            totals.append(int(m.group(1)) / 1e6)
except FileNotFoundError:
    pass
totals.sort()
def q(p):
    return totals[min(len(totals) - 1, int(p * len(totals)))] if totals else float('nan')
text = open(outp, errors="replace").read().splitlines()
# the timed round (round N system seconds VMs/s frames retrans. lost) and the keep-alive rows
timed = [l.split() for l in text if re.match(r'^\d+ +[\d,]+ +splitnve ', l)]
keep = [l for l in text if l.startswith('session keep-alive') or l.startswith('per-TSI keep-alives')]
vms = timed[-1][4] if timed else '?'
retrans = timed[-1][6] if timed else '?'
lost = timed[-1][7] if timed else '?'
ka = []
for l in keep:
    f = l.split()
    ka.append(f"{'session' if l.startswith('session') else 'per-TSI'} held min {f[-5]} retrans {f[-2]} timeouts {f[-1]}")
big = sum(1 for t in totals if t > 2.56)
print(f"{gc:<11} {rnd:>5} {vms:>9} {retrans:>8} {lost:>5} {len(totals):>7} {q(0.5):>9.3f} {q(0.99):>9.3f} "
      f"{(max(totals) if totals else float('nan')):>9.3f} {big:>7}  {'; '.join(ka) if ka else 'keep-alive: ?'}")
PY
    done
done
echo "# logs in $out; $(uptime)"
