#!/bin/sh
# Installs what plainsight needs to build, test and benchmark on Debian 12.
# Runs apt-get as root, through sudo when started as another user.
#
#   sh tools/install-deps.sh          build, test and benchmark
#   sh tools/install-deps.sh checks   also the static checks (make lint,
#                                     make check-format), the sanitizer
#                                     build and fuzzing (make fuzz)
#   sh tools/install-deps.sh browser  also chromium, for the report tests'
#                                     HTML check (skipped without it)
set -eu

packages="build-essential pkg-config libpcap-dev libndpi-dev libndpi-bin
	libsqlite3-dev libssl-dev libcmocka-dev sqlite3 python3 iproute2"

# clang and libclang-rt-14-dev: libFuzzer and clang's sanitizer runtimes;
# llvm: llvm-symbolizer, for sanitizer reports with file and line.
case "${1-}" in
"")
	;;
checks)
	packages="$packages clang llvm libclang-rt-14-dev clang-format
	    clang-tidy cppcheck"
	;;
browser)
	packages="$packages chromium"
	;;
*)
	echo "usage: sh tools/install-deps.sh [checks | browser]" >&2
	exit 2
	;;
esac

# Nothing to do when every package is there (no root needed then).
missing=
for p in $packages; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages are installed"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps: run as root or install sudo" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086
$as_root apt-get install -y -q --no-install-recommends $missing
