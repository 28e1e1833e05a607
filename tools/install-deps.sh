#!/bin/sh
# Installs what plainsight needs to build, test and benchmark on Debian 12.
# Runs apt-get as root, through sudo when started as another user.
set -eu

packages="build-essential pkg-config libpcap-dev libndpi-dev libndpi-bin
	libsqlite3-dev libssl-dev libcmocka-dev sqlite3 python3 iproute2"

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
$as_root apt-get install -y -q --no-install-recommends $packages
