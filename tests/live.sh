#!/bin/sh
# Live capture: an SMTP submission with AUTH PLAIN crosses a veth pair into
# a network namespace while plainsight listens on the near end, drops root
# and is stopped with SIGTERM.  Needs root; touches nothing outside the
# namespace and the pair it creates.  Exit status 77: cannot run here.
#
#   sh tests/live.sh PLAINSIGHT TMPDIR
set -u

bin=$1
tmp=$2
ns=psns$$
near=psa$$
far=psb$$
db=$tmp/live.db
status=1

cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
	ip link del "$near" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT

say() {
	echo "  live: $*"
}

# Every run uses the same addresses: one at a time on a machine.
exec 9>/tmp/plainsight-live.lock
if ! flock -w 300 9; then
	say "another live test held the lock for 5 minutes"
	exit 1
fi

# Some containers cannot enter a namespace: say so rather than fail.
ip netns add "$ns" || exit 77
if ! ip netns exec "$ns" true 2>/dev/null; then
	say "cannot enter a network namespace here"
	exit 77
fi
ip link add "$near" type veth peer name "$far" || exit 1
ip link set "$far" netns "$ns"
ip addr add 198.51.100.1/24 dev "$near"
ip link set "$near" up
ip netns exec "$ns" ip addr add 198.51.100.2/24 dev "$far"
ip netns exec "$ns" ip link set "$far" up
ip netns exec "$ns" ip link set lo up

# A minimal submission server: greeting, EHLO without STARTTLS, AUTH, QUIT.
ip netns exec "$ns" python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 587))
s.listen(1)
c, _ = s.accept()
f = c.makefile("rb")
c.sendall(b"220 mx.example.net ESMTP\r\n")
for line in f:
    cmd = line.split(b" ")[0].strip().upper()
    if cmd == b"EHLO":
        c.sendall(b"250-mx.example.net\r\n250 AUTH PLAIN LOGIN\r\n")
    elif cmd == b"AUTH":
        c.sendall(b"235 2.7.0 Authentication successful\r\n")
    elif cmd == b"QUIT":
        c.sendall(b"221 2.0.0 Bye\r\n")
        break
c.close()
' &
srv=$!

# Once it runs as nobody, a sanitized binary cannot write its reports into
# the caller's folder: they go to its stderr, checked below.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=stderr" \
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}log_path=stderr" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=stderr" \
    "$bin" capture -q -i "$near" -d "$db" -u nobody 2>"$tmp/live.err" &
pid=$!
sleep 2

# The client: AUTH PLAIN for live@example.org with password Live-Secret-91.
python3 -c '
import socket, time
c = socket.create_connection(("198.51.100.2", 587), timeout=5)
f = c.makefile("rb")
f.readline()
c.sendall(b"EHLO client.example.org\r\n")
f.readline(); f.readline()
c.sendall(b"AUTH PLAIN AGxpdmVAZXhhbXBsZS5vcmcATGl2ZS1TZWNyZXQtOTE=\r\n")
f.readline()
c.sendall(b"QUIT\r\n")
f.readline()
c.close()
' || say "client failed"

# Steady background traffic (a datagram every 0.2 s) must not keep what
# was found from the disk: readers see the login while capture goes on,
# once its closed flow has waited out late retransmissions (10 s).
python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(125):
    s.sendto(b"tick", ("198.51.100.2", 9))
    time.sleep(0.2)
' &
trickle=$!
seen=0
for _ in $(seq 40); do
	sleep 0.5
	n=$(sqlite3 -batch -noheader "$db" \
	    "SELECT count(*) FROM sessions" 2>/dev/null)
	if [ "${n:-0}" -ge 1 ]; then
		seen=1
		break
	fi
done
kill "$trickle" 2>/dev/null
wait "$trickle" 2>/dev/null

user=$(stat -c %U "/proc/$pid" 2>/dev/null)
# No capability left, none to be regained by executing something.
privs=$(awk '/^(CapPrm|CapEff|CapAmb|NoNewPrivs):/ { printf "%s%s ", $1, $2 }' \
    "/proc/$pid/status" 2>/dev/null)
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
wait "$srv" 2>/dev/null
srv=

q() {
	sqlite3 -batch -noheader "$db" "$1"
}

# Told to stay root, it opens the interface but reads nothing.
"$bin" capture -q -i "$near" -d "$tmp/root.db" -u root 2>"$tmp/root.err"
root_rc=$?

if [ "$rc" -ne 0 ]; then
	say "exit status $rc: $(cat "$tmp/live.err")"
elif grep -Eq "Sanitizer|runtime error:" "$tmp/live.err"; then
	say "sanitizer report: $(cat "$tmp/live.err")"
elif [ "$seen" -ne 1 ]; then
	say "the session was not in the database within 20 s, while capturing"
elif [ "$user" != nobody ]; then
	say "ran as '$user', not nobody"
elif [ "$privs" != "CapPrm:0000000000000000 CapEff:0000000000000000 CapAmb:0000000000000000 NoNewPrivs:1 " ]; then
	say "privileges left after dropping them: $privs"
elif [ "$root_rc" -ne 1 ] || ! grep -q "as root" "$tmp/root.err"; then
	say "-u root: exit status $root_rc: $(cat "$tmp/root.err")"
elif [ "$(q "SELECT protocol || ' ' || server_port || ' ' || tls
    FROM sessions")" != "smtp 587 none" ]; then
	say "sessions: $(q "SELECT * FROM sessions")"
elif [ "$(q "SELECT mechanism || ' ' || username || ' ' || exposure ||
    ' ' || outcome FROM credentials")" != \
    "PLAIN live@example.org cleartext accepted" ]; then
	say "credentials: $(q "SELECT * FROM credentials")"
elif [ "$(q "SELECT complete FROM runs")" != 1 ]; then
	say "run not complete: $(q "SELECT * FROM runs")"
elif grep -q Live-Secret-91 "$db" "$tmp/live.err" 2>/dev/null; then
	say "the password reached the database or the log"
else
	status=0
fi
exit $status
