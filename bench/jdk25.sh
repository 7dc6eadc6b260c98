# Sourced by the bench/run-*.sh scripts: sets and exports JAVA_HOME to a JDK 25 ($JAVA_HOME if it is
# one, else the first /usr/lib/jvm/*25*), or exits with status 1 saying so. $0 names the script.
is_jdk25() {
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] \
        && "$1/bin/java" -version 2>&1 | head -n 1 | grep -Eq 'version "25([."]|-)'
}
if [ -z "${JAVA_HOME:-}" ] || ! is_jdk25 "$JAVA_HOME"; then
    JAVA_HOME=""
    for d in /usr/lib/jvm/*25*; do
        if is_jdk25 "$d"; then
            JAVA_HOME="$d"
            break
        fi
    done
    if [ -z "$JAVA_HOME" ]; then
        echo "$(basename "$0"): no JDK 25 found; set JAVA_HOME to one" >&2
        exit 1
    fi
fi
export JAVA_HOME
