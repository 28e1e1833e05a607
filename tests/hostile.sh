#!/bin/sh
# Damaged captures and a database that refuses writes: a clear error that
# says what and where, the findings already made kept, the run marked
# incomplete, and a database that is still sound.
#
#   sh tests/hostile.sh ./plainsight TMPDIR
#
# The damaged files are made here from the bundled sample.  The read-only
# and full-disk cases need root (to run as nobody, to mount a small tmpfs)
# and are skipped without it.  Exit status: 0 when every check passed.

bin=$1
tmp=$2
top=$(cd "$(dirname "$0")/.." && pwd)
sample="$top/samples/mail-night.pcap"
count=0
fails=0

pass() { count=$((count + 1)); echo "PASS $1"; }
fail() { count=$((count + 1)); fails=$((fails + 1)); echo "FAIL $1"; }
skip() { echo "SKIP $1"; }

check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: got '$3', want '$2'"
	fi
}

# check_match NAME PATTERN FILE: FILE has a line matching PATTERN.
check_match() {
	if grep -q -- "$2" "$3"; then
		pass "$1"
	else
		fail "$1: no '$2' in: $(cat "$3")"
	fi
}

sql() { sqlite3 "$1" "$2"; }

run() {
	"$bin" capture -q "$@" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}

rc() { cat "$tmp/rc"; }

# The reference: what the undamaged sample gives.
run -r "$sample" -d "$tmp/ref.db"
ref_creds=$(sql "$tmp/ref.db" "SELECT count(*) FROM credentials")
ref_packets=$(sql "$tmp/ref.db" "SELECT packets FROM runs")

python3 - "$sample" "$tmp" <<'EOF'
import struct
import sys

sample, tmp = sys.argv[1], sys.argv[2]
data = open(sample, "rb").read()

# Not a capture at all.
open(f"{tmp}/not-a-capture.pcap", "wb").write(b"this is no capture file\n" * 4)

# Snapshot lengths that make no sense in the file header.
for name, snap in (("snaplen-huge", 0xFFFFFFFF), ("snaplen-zero", 0)):
    head = bytearray(data[:24])
    struct.pack_into("<I", head, 16, snap)
    open(f"{tmp}/{name}.pcap", "wb").write(bytes(head) + data[24:])

# Packet 200 claims a 2 GB capture length.
out = bytearray(data)
off, n = 24, 0
while off < len(out):
    n += 1
    caplen = struct.unpack_from("<I", out, off + 8)[0]
    if n == 200:
        struct.pack_into("<I", out, off + 8, 0x7FFFFFFF)
        break
    off += 16 + caplen
open(f"{tmp}/bogus-record.pcap", "wb").write(out)

# The sample as pcapng, with an unknown block and a custom block (RFC
# draft-ietf-opsawg-pcapng, section 4.8) after every block but the first.
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

linktype, = struct.unpack_from("<I", data, 20)
shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = block(0x00000001, struct.pack("<HHI", linktype, 0, 262144))
junk = block(0x0BADB10C, b"unknown block") + \
    block(0x00000BAD, struct.pack("<I", 32473) + b"custom data")
parts = [shb, junk, idb, junk]
off = 24
while off + 16 <= len(data):
    sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, off)
    ts = sec * 1000000 + usec
    pkt = data[off + 16:off + 16 + caplen]
    parts.append(block(0x00000006, struct.pack(
        "<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, caplen, wirelen) + pkt))
    parts.append(junk)
    off += 16 + caplen
open(f"{tmp}/unknown-blocks.pcapng", "wb").write(b"".join(parts))
EOF

# A file that is not a capture: named in the error; the good file read
# before it is kept, and the run says it is incomplete.
run -r "$sample" -r "$tmp/not-a-capture.pcap" -d "$tmp/magic.db"
check "wrong magic exits 1" 1 "$(rc)"
check_match "wrong magic names the file" "not-a-capture.pcap" "$tmp/err"
check "wrong magic keeps the good file's logins" "$ref_creds" \
    "$(sql "$tmp/magic.db" "SELECT count(*) FROM credentials")"
check "wrong magic marks the run incomplete" 0 \
    "$(sql "$tmp/magic.db" "SELECT complete FROM runs")"

# Nonsense snapshot lengths in the header do not hide the packets.
for name in snaplen-huge snaplen-zero; do
	run -r "$tmp/$name.pcap" -d "$tmp/$name.db"
	check "$name exits 0" 0 "$(rc)"
	check "$name reads every login" "$ref_creds" \
	    "$(sql "$tmp/$name.db" "SELECT count(*) FROM credentials")"
done

# A record that lies about its length: the error names file and packet;
# what came before it is analysed and stored.
run -r "$tmp/bogus-record.pcap" -d "$tmp/record.db"
check "bogus record exits 1" 1 "$(rc)"
check_match "bogus record names the packet" \
    "bogus-record.pcap: packet 200" "$tmp/err"
check "bogus record counts the packets before it" 199 \
    "$(sql "$tmp/record.db" "SELECT packets FROM runs")"
got=$(sql "$tmp/record.db" "SELECT count(*) FROM credentials")
if [ "$got" -gt 0 ] && [ "$got" -lt "$ref_creds" ]; then
	pass "bogus record keeps the logins before it ($got)"
else
	fail "bogus record keeps the logins before it: got $got"
fi
check "bogus record marks the run incomplete" 0 \
    "$(sql "$tmp/record.db" "SELECT complete FROM runs")"

# Blocks plainsight does not know are skipped.
run -r "$tmp/unknown-blocks.pcapng" -d "$tmp/blocks.db"
check "unknown pcapng blocks exit 0" 0 "$(rc)"
check "unknown pcapng blocks: every packet" "$ref_packets" \
    "$(sql "$tmp/blocks.db" "SELECT packets FROM runs")"
check "unknown pcapng blocks: every login" "$ref_creds" \
    "$(sql "$tmp/blocks.db" "SELECT count(*) FROM credentials")"

# A database that is not plainsight's, or is newer than it: refused, and
# left exactly as it was (no journal mode changed, no -wal or -shm left).
sqlite3 "$tmp/foreign.db" "CREATE TABLE users (id INTEGER)"
sqlite3 "$tmp/newer.db" "PRAGMA user_version = 999"
for name in foreign newer; do
	before=$(cksum <"$tmp/$name.db")
	run -r "$sample" -d "$tmp/$name.db"
	check "$name database exits 1" 1 "$(rc)"
	check "$name database is left as it was" "$before" \
	    "$(cksum <"$tmp/$name.db")$(ls "$tmp/$name.db-"* 2>/dev/null)"
	cp "$tmp/err" "$tmp/$name.err"
done
check_match "foreign database is explained" "not a plainsight database" \
    "$tmp/foreign.err"
check_match "newer database is explained" "newer than this plainsight" \
    "$tmp/newer.err"

# A database another process keeps locked: plainsight waits, then says so.
cp "$tmp/ref.db" "$tmp/locked.db"
python3 - "$bin" "$sample" "$tmp/locked.db" "$tmp/err" <<'EOF' >"$tmp/rc"
import sqlite3
import subprocess
import sys

binary, sample, db, errfile = sys.argv[1:]
holder = sqlite3.connect(db, isolation_level=None)
holder.execute("BEGIN EXCLUSIVE")
with open(errfile, "w") as err:
    code = subprocess.run([binary, "capture", "-q", "-r", sample, "-d", db],
                          stderr=err).returncode
holder.execute("ROLLBACK")
print(code)
EOF
check "locked database exits 1" 1 "$(rc)"
check_match "locked database is explained" "locked" "$tmp/err"
check "locked database is sound" ok \
    "$(sql "$tmp/locked.db" "PRAGMA integrity_check")"
check "locked database keeps its runs" 1 \
    "$(sql "$tmp/locked.db" "SELECT count(*) FROM runs")"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	skip "read-only and full databases: need root and setpriv"
	echo "$((count - fails))/$count passed"
	[ "$fails" -eq 0 ]
	exit
fi

# A database plainsight may read but not write (in a folder of its own
# that nobody can reach: TMPDIR's parents may be private).
ro=$(mktemp -d /tmp/plainsight-ro.XXXXXX)
cp "$tmp/ref.db" "$ro/ro.db"
cp "$sample" "$ro/sample.pcap"
chmod 755 "$ro"
chmod 644 "$ro/ro.db" "$ro/sample.pcap"
# As nobody, a sanitized binary cannot write its reports where the caller
# said: they go to a folder of their own, that must stay empty.
mkdir -m 1777 "$ro/sanitizer"
san="log_path=$ro/sanitizer/report"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}$san" \
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}$san" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}$san" \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$bin" capture -q -r "$ro/sample.pcap" -d "$ro/ro.db" 2>"$tmp/err"
check "read-only database exits 1" 1 $?
check "read-only database: no sanitizer report" "" \
    "$(cat "$ro/sanitizer/"* 2>/dev/null)"
check_match "read-only database is explained" "readonly" "$tmp/err"
check "read-only database is sound and unchanged" "ok 1" \
    "$(sql "$ro/ro.db" "PRAGMA integrity_check") $(sql "$ro/ro.db" \
    "SELECT count(*) FROM runs")"

# Reading it needs a DB-shm file beside it, which nobody may not create
# there; no writer has it open, so the report reads it as it stands.  The
# odd name checks that the path survives being put into a URI.
cp "$ro/ro.db" "$ro/odd name?%23#.db"
chmod 644 "$ro/odd name?%23#.db"
"$bin" report -d "$tmp/ref.db" --format csv --section summary \
    >"$tmp/summary.want" 2>"$tmp/err"
check_match "summary of the writable copy" "^current," "$tmp/summary.want"
for db in "$ro/ro.db" "$ro/odd name?%23#.db"; do
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}$san" \
	LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}$san" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}$san" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$bin" report -d "$db" --format csv --section summary \
	    >"$tmp/summary.got" 2>"$tmp/err"
	check "report on a database in a folder it may not write exits 0" \
	    0 $?
	check "report on a database in a folder it may not write: same summary" \
	    "$(cat "$tmp/summary.want")" "$(cat "$tmp/summary.got")"
done
check "report on a database in a folder it may not write: no sanitizer report" \
    "" "$(cat "$ro/sanitizer/"* 2>/dev/null)"
rm -rf "$ro"

# A disk that fills up during the run: a small tmpfs, filled once the
# database exists, all but room for the journals to open.
full="$tmp/full"
mkdir -p "$full"
if ! mount -t tmpfs -o size=2m tmpfs "$full" 2>/dev/null; then
	skip "full disk: cannot mount a tmpfs here"
else
	cp "$tmp/ref.db" "$full/full.db"
	dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null
	truncate -s -64k "$full/filler"
	run -r "$sample" -r "$sample" -r "$sample" -d "$full/full.db"
	check "full disk exits 1" 1 "$(rc)"
	check_match "full disk is explained" "full" "$tmp/err"
	check_match "full disk counts what it lost" "could not be stored" \
	    "$tmp/err"
	rm -f "$full/filler"
	check "full disk leaves a sound database" ok \
	    "$(sql "$full/full.db" "PRAGMA integrity_check")"
	check "full disk keeps the earlier run" 1 \
	    "$(sql "$full/full.db" "SELECT count(*) FROM runs WHERE complete")"
	umount "$full"
fi

echo "$((count - fails))/$count passed"
[ "$fails" -eq 0 ]
