# Sourced by the bench/run-*.sh scripts after bench/jdk25.sh: bench_header prints what a result depends on (JDK,
# CPUs, load, commit); bench_build packages the bench module (and what it depends on) unless SKIP_BUILD=1.
bench_header() {
    echo "# JAVA_HOME: $JAVA_HOME"
    echo "# CPUs: $(nproc); $(lscpu 2>/dev/null | grep 'Model name' | sed 's/  */ /g' || true)"
    echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
}

bench_build() {
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        ./mvnw -q -B -pl bench -am package -DskipTests
    fi
}
