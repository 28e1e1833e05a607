#!/bin/sh
# Runs one fuzz target briefly, as CI does:
#
#   smoke.sh NAME BINARY SECONDS TIMEOUT
#
# First every input in tests/fuzz/regressions/NAME/ (inputs that once
# crashed or hung a parser) must run clean; then the target fuzzes for
# SECONDS from its seeds in build/fuzz/seeds/NAME/.  Any crash, leak,
# sanitizer report or input slower than TIMEOUT seconds fails, and the
# input that did it is left in build/fuzz/artifacts/ to become a new
# regression case.
set -eu

name=$1
bin=$2
seconds=$3
timeout=$4

here=$(dirname "$0")
seeds=build/fuzz/seeds/$name
artifacts=build/fuzz/artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$artifacts" "$seeds"

regressions=$(find "$here/regressions/$name" -type f 2>/dev/null | sort)
if [ -n "$regressions" ]; then
	# shellcheck disable=SC2086
	if ! "$bin" -timeout="$timeout" $regressions >"$work/replay.log" 2>&1
	then
		cat "$work/replay.log" >&2
		echo "fuzz-smoke: $name: a regression input fails again" >&2
		exit 1
	fi
fi

if ! "$bin" -max_total_time="$seconds" -timeout="$timeout" \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$work" "$seeds" \
    >"$work/fuzz.log" 2>&1; then
	tail -n 60 "$work/fuzz.log" >&2
	echo "fuzz-smoke: $name: failed; the input is in $artifacts/" >&2
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
cov=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -n 1)
echo "  FUZZED  $name: ${runs:-?} runs in ${seconds} s, $cov, no failure"
