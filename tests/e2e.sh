#!/bin/sh
# End-to-end tests: the plainsight binary on captures, checked with SQL.
#
#   sh tests/e2e.sh ./plainsight
#
# Expected values were worked out by hand from the sample capture (see
# samples/README.md), whose sessions are listed in tests/e2e-sample.txt.
set -u

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
sample=$top/samples/mail-night.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
count=0

# A binary built with make SANITIZE=1 writes its AddressSanitizer,
# LeakSanitizer and UBSan reports into $tmp, so that a report fails the
# tests whatever exit status its run left (options already set are kept).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$tmp/sanitizer"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}log_path=$tmp/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$tmp/sanitizer"

pass() {
	count=$((count + 1))
	echo "PASS $1"
}

fail() {
	count=$((count + 1))
	fails=$((fails + 1))
	echo "FAIL $1"
}

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: got '$3', want '$2'"
	fi
}

sql() {
	sqlite3 -batch -noheader "$1" "$2"
}

# Command line: help, version, usage errors.
"$bin" --help >"$tmp/out" 2>&1
check "--help exits 0" 0 $?
grep -q "plainsight capture -r FILE" "$tmp/out" && pass "--help shows usage" ||
    fail "--help shows usage"
check "--version" "plainsight 0.1.0" "$("$bin" --version)"
"$bin" >/dev/null 2>"$tmp/err"
check "no command exits 2" 2 $?
check "usage error is one line" 1 "$(wc -l <"$tmp/err" | tr -d ' ')"
"$bin" capture --bogus >/dev/null 2>&1
check "unknown option exits 2" 2 $?
"$bin" capture -d "$tmp/x.db" >/dev/null 2>&1
check "capture without input exits 2" 2 $?
"$bin" frobnicate >/dev/null 2>&1
check "unknown command exits 2" 2 $?

# Runtime errors name what and where.
"$bin" capture -q -r "$tmp/missing.pcap" -d "$tmp/m.db" 2>"$tmp/err"
check "missing file exits 1" 1 $?
grep -q "missing.pcap" "$tmp/err" && pass "missing file is named" ||
    fail "missing file is named: $(cat "$tmp/err")"
"$bin" report -d "$tmp/none.db" >/dev/null 2>"$tmp/err"
check "report on a missing database exits 1" 1 $?

# The sample: 10 mail sessions (6 SMTP, 2 IMAP, 2 POP3), 9 logins.
db=$tmp/sample.db
"$bin" capture -r "$sample" -d "$db" 2>"$tmp/err"
check "capture of the sample exits 0" 0 $?
grep -q "^plainsight: 330 packets, .* sessions, .* findings in" "$tmp/err" &&
    pass "summary line" || fail "summary line: $(cat "$tmp/err")"
check "database is private" 600 "$(stat -c %a "$db")"
check "one run" 1 "$(sql "$db" "SELECT count(*) FROM runs")"
check "run is complete" 1 "$(sql "$db" "SELECT complete FROM runs")"
check "packets counted" 330 "$(sql "$db" "SELECT packets FROM runs")"
check "mail sessions" "imap|2 pop3|2 smtp|6" "$(sql "$db" \
    "SELECT protocol, count(*) FROM sessions WHERE protocol IN
     ('smtp','imap','pop3') GROUP BY 1" | tr '\n' ' ' | sed 's/ $//')"
check "STARTTLS upgrade" "192.0.2.25|587|starttls|ok" "$(sql "$db" \
    "SELECT server_ip, server_port, tls, starttls_result FROM sessions
     WHERE tls = 'starttls'")"
# Eight mail logins, xavier's HTTP Basic and zoe's FTP USER/PASS.
check "cleartext logins" 10 "$(sql "$db" \
    "SELECT count(*) FROM credentials WHERE exposure = 'cleartext'")"
check "crackable login" "APOP|victor@example.org" "$(sql "$db" \
    "SELECT mechanism, username FROM credentials
     WHERE exposure = 'crackable'")"
check "refusals" 2 "$(sql "$db" \
    "SELECT count(*) FROM findings WHERE kind = 'starttls_refused'")"
check "timestamps" "2023-11-14T22:30:00.001000Z" "$(sql "$db" \
    "SELECT min(first_seen) FROM sessions")"

# The report shows accounts, never passwords.
"$bin" report -d "$db" >"$tmp/report" 2>&1
check "report exits 0" 0 $?
for word in Summary "Findings by recommendation" "Mail servers" \
    "Accounts exposed" "Capture health" alice@example.org; do
	grep -q "$word" "$tmp/report" && pass "report shows $word" ||
	    fail "report shows $word"
done

# No password of the sample reaches the database or any output.
for secret in Correct-Horse-7 Wonderland-42 Blue-Moon-2024 Temporary-Fail9 \
    lower-Case-Pass3 Initial-Resp-1 Continue-Me-8 Pop-Goes-Weasel \
    Kitten-77 Quartz-88; do
	if grep -q -- "$secret" "$db" "$tmp/report" "$tmp/err" \
	    "$db-wal" 2>/dev/null; then
		fail "secret $secret leaked"
	else
		pass "secret $secret kept out"
	fi
done

# Several files are one run; a filter applies to files.
db2=$tmp/two.db
"$bin" capture -q -r "$sample" -r "$sample" -d "$db2"
check "two files, one run" 1 "$(sql "$db2" "SELECT count(*) FROM runs")"
check "two files, packets" 660 "$(sql "$db2" "SELECT packets FROM runs")"
db3=$tmp/filter.db
"$bin" capture -q -r "$sample" -f "tcp port 110" -d "$db3"
check "filter keeps POP3 only" "pop3|2" "$(sql "$db3" \
    "SELECT protocol, count(*) FROM sessions GROUP BY 1")"
"$bin" capture -q -r "$sample" -f "not a filter(" -d "$tmp/f.db" 2>"$tmp/err"
check "bad filter is a usage error" 2 $?
grep -q "bad filter" "$tmp/err" && pass "bad filter is explained" ||
    fail "bad filter is explained: $(cat "$tmp/err")"

# Internal networks: the sample's clients are in 10.0.0.0/8, its servers
# in TEST-NET-1; "none" makes every host external, an empty list is refused.
check "default: clients internal, servers not" "12|0" "$(sql "$db" \
    "SELECT sum(client_internal), sum(server_internal) FROM sessions")"
"$bin" capture -q -r "$sample" --internal none -d "$tmp/none.db"
check "--internal none: no host internal" "0|0" "$(sql "$tmp/none.db" \
    "SELECT sum(client_internal), sum(server_internal) FROM sessions")"
"$bin" capture -q -r "$sample" --internal 192.0.2.0/24 -d "$tmp/in.db"
check "--internal NET: only that network" "0|12" "$(sql "$tmp/in.db" \
    "SELECT sum(client_internal), sum(server_internal) FROM sessions")"
"$bin" capture -q -r "$sample" --internal "" -d "$tmp/e.db" 2>"$tmp/err"
check "--internal with no network is a usage error" 2 $?
check "nothing written on a usage error" no \
    "$([ -e "$tmp/e.db" ] && echo yes || echo no)"

# A second run appends to the same database.
"$bin" capture -q -r "$sample" -d "$db"
check "runs accumulate" 2 "$(sql "$db" "SELECT count(*) FROM runs")"

# Damaged captures, a database that is locked, read-only or on a full disk.
mkdir -p "$tmp/hostile"
if sh "$top/tests/hostile.sh" "$bin" "$tmp/hostile" >"$tmp/hostile.out"; then
	pass "hostile input ($(tail -n 1 "$tmp/hostile.out"))"
else
	grep -v '^PASS' "$tmp/hostile.out"
	fail "hostile input"
fi

# Live capture in a network namespace (needs root and iproute2).
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1 &&
    command -v python3 >/dev/null 2>&1; then
	sh "$top/tests/live.sh" "$bin" "$tmp"
	case $? in
	0) pass "live capture" ;;
	77) echo "SKIP live capture: no network namespaces here" ;;
	*) fail "live capture" ;;
	esac
else
	echo "SKIP live capture: needs root, iproute2 and python3"
fi

# Not one sanitizer report from any of the runs above.
if ls "$tmp"/sanitizer.* >/dev/null 2>&1; then
	fail "sanitizer reports:"
	cat "$tmp"/sanitizer.*
else
	pass "no sanitizer report"
fi

echo "$((count - fails))/$count passed"
[ "$fails" -eq 0 ]
