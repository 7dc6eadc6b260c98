#!/usr/bin/env bash
# Builds the Debian package of splitnve (Debian 12, amd64) with one command:
#   packaging/deb/build.sh [--jar JAR] [--out DIR]
# JAR: the shaded application jar (default launcher/target/splitnve.jar, built with Maven when missing);
# DIR: where splitnve_VERSION_amd64.deb goes (default packaging/target). It prints the package's path.
# Needs a JDK 25 with jlink and jdeps ($JAVA_HOME, else /usr/lib/jvm/temurin-25-jdk-amd64) and dpkg-deb.
# What goes where and why: docs/packaging.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
jar="$top/launcher/target/splitnve.jar"
out="$top/packaging/target"
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--jar JAR] [--out DIR]" >&2; exit 2 ;;
  esac
done

jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$jdk/bin/jlink" ] || ! grep -q '^JAVA_VERSION="25' "$jdk/release" 2> /dev/null; then
  jdk=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[ -x "$jdk/bin/jlink" ] || { echo "build.sh: no JDK 25 with jlink (set JAVA_HOME)" >&2; exit 1; }
if [ ! -f "$jar" ]; then
  echo "build.sh: building $jar" >&2
  (cd "$top" && JAVA_HOME=$jdk ./mvnw -B -q -DskipTests package -pl launcher -am) >&2
fi

# 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT (sorts before 0.1.0); a native package: no Debian revision
pom_version=$(sed -n '0,/<version>/s/.*<version>\(.*\)<\/version>.*/\1/p' "$top/pom.xml")
version=${pom_version/-/\~}

# The JDK modules the application uses, as jdeps finds them in the jar (docs/packaging.md says why each)
# (every module a class refers to, --list-deps), but java.desktop: only Jackson's optional extensions refer to it
# (tools.jackson.databind.ext.beans, used only when the module is present), and it would bring AWT's native
# libraries (freetype, lcms, libjpeg, splashscreen) into a daemon's runtime.
modules=$("$jdk/bin/jdeps" --list-deps --ignore-missing-deps --multi-release 25 "$jar" | tr -d ' ' \
  | grep -vx -e java.desktop | paste -sd, -)
# ... and jdk.unsupported, which jdeps cannot see: the daemons' SIGHUP handler (daemon/.../HangupSignal) looks
# sun.misc.Signal up by name (javac's warning on a compiled reference to it cannot be turned off)
modules="$modules,jdk.unsupported"

stage=$(mktemp -d "${TMPDIR:-/tmp}/splitnve-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/splitnve_${version}_amd64"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/splitnve" "$root/lib/systemd/system" \
  "$root/etc/splitnve" "$root/usr/share/doc/splitnve" "$root/usr/share/splitnve" "$root/usr/share/lintian/overrides"

# the runtime: only those modules, no debug attributes, man pages or headers; a CDS archive for start-up
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
  --generate-cds-archive --output "$root/usr/lib/splitnve/runtime" > "$stage/jlink.log" 2>&1 \
  || { cat "$stage/jlink.log" >&2; exit 1; }
rt="$root/usr/lib/splitnve/runtime"
# Debian's rules for binaries: symbols stripped as dh_strip does (the JDK's own builds keep them), plain
# permissions; the launchers of commands splitnve never runs (jwebserver, keytool) left out
rm -f "$rt/bin/jwebserver" "$rt/bin/keytool"
find "$rt" -type f -exec sh -c 'head -c 4 "$1" | grep -q "^.ELF"' sh {} \; -print0 \
  | xargs -0 strip --strip-unneeded --remove-section=.comment --remove-section=.note
find "$rt" -type d -exec chmod 0755 {} +
find "$rt" -type f -perm /111 -exec chmod 0755 {} +
find "$rt" -type f ! -perm /111 -exec chmod 0644 {} +
install -m 0644 "$jar" "$root/usr/share/splitnve/splitnve.jar"
install -m 0755 "$here/splitnve" "$root/usr/bin/splitnve"
install -m 0644 "$top/contrib/systemd/splitnve-nnve@.service" "$top/contrib/systemd/splitnve-tnve@.service" \
  "$root/lib/systemd/system/"
# examples as conffiles, named after their daemon's name: splitnve-nnve@nnve1, splitnve-tnve@host1
install -m 0644 "$top/examples/nnve.conf" "$root/etc/splitnve/nnve1.conf"
install -m 0644 "$top/examples/tnve.conf" "$root/etc/splitnve/host1.conf"
printf '/etc/splitnve/nnve1.conf\n/etc/splitnve/host1.conf\n' > "$root/DEBIAN/conffiles"

# ---- bash completion: the script the build generates from the command model (picocli AutoComplete), beside the
# jar's classes (and in the jar: `splitnve completion` prints it); installed where bash-completion finds it.
completion=${SPLITNVE_COMPLETION:-$top/launcher/target/classes/splitnve-completion.bash}
if [ -f "$completion" ]; then
  install -d -m 0755 "$root/usr/share/bash-completion/completions"
  install -m 0644 "$completion" "$root/usr/share/bash-completion/completions/splitnve"
fi
# ----------------------------------------------------------------------------------------------------------

install -m 0644 "$here/copyright" "$root/usr/share/doc/splitnve/copyright"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/splitnve"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -R -u -d "@$(git -C "$top" log -1 --format=%ct 2> /dev/null \
  || date +%s)")/" "$here/changelog" | gzip -9n > "$root/usr/share/doc/splitnve/changelog.gz"
chmod 0644 "$root/usr/share/doc/splitnve/changelog.gz"
install -m 0644 "$top/docs/packaging.md" "$root/usr/share/doc/splitnve/README.md"
for s in postinst prerm postrm; do
  install -m 0755 "$here/$s" "$root/DEBIAN/$s"
done

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's| \./| |') \
  > "$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/control.in" > "$root/DEBIAN/control"

mkdir -p "$out"
deb="$out/splitnve_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" > /dev/null
echo "$deb"
