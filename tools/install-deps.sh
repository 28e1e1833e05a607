#!/bin/sh
# Installs what plainsight needs to build, test and benchmark on Debian 12.
# Runs apt-get as root, through sudo when started as another user.
set -eu

packages="build-essential pkg-config libpcap-dev libndpi-dev libndpi-bin
	libsqlite3-dev libssl-dev libcmocka-dev sqlite3 python3 iproute2"

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
