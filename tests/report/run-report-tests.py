#!/usr/bin/env python3
"""run-report-tests.py - `plainsight report` on a database built from real
and crafted captures, checked against values worked out by hand.

    python3 tests/report/run-report-tests.py --bin ./plainsight [-v] [--keep]

The database holds two days.  The captures are copied with their
timestamps moved (each keeps its own pace), then `plainsight capture`
reads each day as one run:

  day 1, 2024-03-04 (the previous window)      day 2, 2024-03-05 (the window)
  03:00 crafted smtp-mta-starttls-not-used     02:00 crafted smtp-mta-no-starttls
  03:30 crafted tls-starttls-25-rsa            03:00 crafted tls-10-ecdhe
  04:00 crafted tls-12-ecdhe                   04:00 crafted pop3-retr-trap
  04:30 crafted reasm-gap-resync               05:00 crafted imap-login-quoted
  05:00 crafted pop3-apop                      06:00 real zeek-smtp-starttls
  06:00 real zeek-pop3                         07:00 real arkime-openssl-ssl3
                                               08:00 real suricata-verify-pop3-auth-01
                                               09:00 real zeek-smtp-one-side-only

What each capture holds is in its expected file under tests/pcap (worked
out there by hand and with tshark); the values below are counted from
those files, never from plainsight's output, and the comments beside
them say how.  Frame counts and bytes come from the pcap records.  Every
section's query is also taken from docs/schema.md and run with Python's
sqlite3, and must give the report's rows.  The HTML report is loaded in
headless Chromium when it is installed (the check is skipped, saying so,
when it is not).

Python 3 standard library only.
"""

import argparse
import calendar
import csv
import html.parser
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PCAPS = os.path.join(TOP, "tests", "pcap")
SCHEMA_MD = os.path.join(TOP, "docs", "schema.md")

DAY1 = [
    ("crafted/smtp-mta-starttls-not-used.pcap", "2024-03-04T03:00:00"),
    ("crafted/tls-starttls-25-rsa.pcap", "2024-03-04T03:30:00"),
    ("crafted/tls-12-ecdhe.pcap", "2024-03-04T04:00:00"),
    ("crafted/reasm-gap-resync.pcap", "2024-03-04T04:30:00"),
    ("crafted/pop3-apop.pcap", "2024-03-04T05:00:00"),
    ("real/zeek-pop3.pcap", "2024-03-04T06:00:00"),
]
DAY2 = [
    ("crafted/smtp-mta-no-starttls.pcap", "2024-03-05T02:00:00"),
    ("crafted/tls-10-ecdhe.pcap", "2024-03-05T03:00:00"),
    ("crafted/pop3-retr-trap.pcap", "2024-03-05T04:00:00"),
    ("crafted/imap-login-quoted.pcap", "2024-03-05T05:00:00"),
    ("real/zeek-smtp-starttls.pcap", "2024-03-05T06:00:00"),
    ("real/arkime-openssl-ssl3.pcap", "2024-03-05T07:00:00"),
    ("real/suricata-verify-pop3-auth-01.pcap", "2024-03-05T08:00:00"),
    ("real/zeek-smtp-one-side-only.pcap", "2024-03-05T09:00:00"),
]

# The last capture time is the one-side-only capture's last frame (09:00:00
# plus its 0.15 s), so the data ends at the next minute, 09:01, and the
# default window is the 24 hours before it.
SINCE = "2024-03-04T09:01:00.000000Z"
UNTIL = "2024-03-05T09:01:00.000000Z"
PREV_SINCE = "2024-03-03T09:01:00.000000Z"

# summary: (period, high, medium, low, accounts in clear, servers without
# STARTTLS, sessions below the floor, mail sessions, in TLS, TLS %).
SUMMARY = [
    # Day 2 high: retr-trap USER, imap LOGIN + starttls_not_used (a login
    # followed), ssl3's obsolete_tls_version (SSLv3) + broken_cipher (RC4),
    # pop3-auth-01's XOAUTH2 + starttls_not_offered (port 110) = 7.
    # Medium: smtp-mta-no-starttls' starttls_not_offered on 25, tls-10's
    # obsolete_tls_version = 2.  The two certificate_expired findings (the
    # leaves of zeek-smtp-starttls and arkime-openssl-ssl3 expired in 2014,
    # tshark x509af.notAfter) are info, not counted.  Accounts: tom (pop3),
    # 'ken "the" user' (imap), joe.speedboat (pop3, token) = 3.  Without
    # STARTTLS: 192.0.2.26:25 and 2.2.2.2:110.  Below the floor: the SSLv3
    # and TLSv1.0 sessions.  Mail: 6 sessions, one STARTTLS (zeek).
    ["current", 7, 2, 0, 3, 2, 2, 6, 1, 16.7],
    # Day 1 high: gap-resync's PLAIN + starttls_not_used (high, login),
    # zeek-pop3's three PLAIN logins, each with a high starttls_not_used
    # = 8.  Medium: mta-starttls-not-used, starttls-25-rsa's
    # no_forward_secrecy, APOP's crackable_credentials, zeek-pop3's two
    # login-less sessions = 5.  Accounts: karin (smtp),
    # digitalinvestigator@networksims.com (pop3) = 2 (APOP is crackable).
    # Mail: 9 sessions (1 + 1 + 1 + 1 + 5), one STARTTLS.
    ["previous", 8, 5, 0, 2, 0, 0, 9, 1, 11.1],
]

# changes: (change, kind, severity, recommendation, server, port, protocol,
# now, before).
CHANGES = [
    ("regression", "starttls_withdrawn", "high", 1, "192.0.2.26", 25,
     "smtp", 1, 3),
    ("regression", "tls_version_lowered", "medium", 3, "192.0.2.43", 443,
     "http", 1, 1),
    ("new", "broken_cipher", "high", 3, "74.125.228.238", 443, "http", 1, 0),
    ("new", "cleartext_credentials", "high", 3, "192.0.2.110", 110, "pop3",
     1, 0),
    ("new", "cleartext_credentials", "high", 3, "2.2.2.2", 110, "pop3", 1,
     0),
    ("new", "cleartext_credentials", "high", 3, "203.0.113.143", 143,
     "imap", 1, 0),
    ("new", "obsolete_tls_version", "high", 3, "74.125.228.238", 443,
     "http", 1, 0),
    ("new", "starttls_not_offered", "high", 3, "2.2.2.2", 110, "pop3", 1,
     0),
    ("new", "starttls_not_used", "high", 3, "203.0.113.143", 143, "imap", 1,
     0),
    ("new", "obsolete_tls_version", "medium", 3, "192.0.2.43", 443, "http",
     1, 0),
    ("new", "starttls_not_offered", "medium", 1, "192.0.2.26", 25, "smtp",
     1, 0),
    # 192.0.2.26:25 and 192.0.2.110:110 were seen on day 2 without these.
    ("fixed", "cleartext_credentials", "high", 3, "192.0.2.26", 25, "smtp",
     0, 1),
    ("fixed", "starttls_not_used", "high", 1, "192.0.2.26", 25, "smtp", 0,
     2),
    ("fixed", "crackable_credentials", "medium", 3, "192.0.2.110", 110,
     "pop3", 0, 1),
    ("fixed", "no_forward_secrecy", "medium", 1, "192.0.2.26", 25, "smtp",
     0, 1),
    # 212.227.15.166 was not seen on day 2.
    ("silent", "cleartext_credentials", "high", 3, "212.227.15.166", 110,
     "pop3", 0, 3),
    ("silent", "starttls_not_used", "high", 3, "212.227.15.166", 110,
     "pop3", 0, 5),
]

# findings: (recommendation, severity, kind, server, port, protocol, count).
FINDINGS = [
    (1, "medium", "starttls_not_offered", "192.0.2.26", 25, "smtp", 1),
    (3, "high", "broken_cipher", "74.125.228.238", 443, "http", 1),
    (3, "high", "cleartext_credentials", "192.0.2.110", 110, "pop3", 1),
    (3, "high", "cleartext_credentials", "2.2.2.2", 110, "pop3", 1),
    (3, "high", "cleartext_credentials", "203.0.113.143", 143, "imap", 1),
    (3, "high", "obsolete_tls_version", "74.125.228.238", 443, "http", 1),
    (3, "high", "starttls_not_offered", "2.2.2.2", 110, "pop3", 1),
    (3, "high", "starttls_not_used", "203.0.113.143", 143, "imap", 1),
    (3, "medium", "obsolete_tls_version", "192.0.2.43", 443, "http", 1),
]

# servers: (server, port, protocol, sessions, TLS %, capabilities seen,
# offered, used, accounts, versions, ciphers); ordered by TLS share, then
# sessions, then address.
SERVERS = [
    ("192.0.2.110", 110, "pop3", 1, 0.0, 0, 0, 0, 1, None, None),
    ("192.0.2.26", 25, "smtp", 1, 0.0, 1, 0, 0, 0, None, None),
    ("192.150.186.11", 25, "smtp", 1, 0.0, 0, 0, 0, 0, None, None),
    ("2.2.2.2", 110, "pop3", 1, 0.0, 1, 0, 0, 1, None, None),
    ("203.0.113.143", 143, "imap", 1, 0.0, 1, 1, 0, 1, None, None),
    ("74.125.142.26", 25, "smtp", 1, 100.0, 1, 1, 1, 0, "TLSv1.2",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
]

# accounts: (username, protocol, mechanism, exposure, server, port, logins,
# accepted).
ACCOUNTS = [
    ('ken "the" user', "imap", "LOGIN", "cleartext", "203.0.113.143", 143, 1,
     1),
    ("tom", "pop3", "USER", "cleartext", "192.0.2.110", 110, 1, 1),
    ("joe.speedboat", "pop3", "XOAUTH2", "token", "2.2.2.2", 110, 1, 1),
]

# tls_versions: (version, sessions, share %, mail sessions, servers).
TLS_VERSIONS = [
    ("SSLv3", 1, 33.3, 0, 1),
    ("TLSv1.0", 1, 33.3, 0, 1),
    ("TLSv1.2", 1, 33.3, 1, 1),
]

# tls_servers: (server, port, protocol, sessions, FS %, versions, ciphers).
TLS_SERVERS = [
    ("74.125.228.238", 443, "http", 1, 100.0, "SSLv3",
     "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
    ("192.0.2.43", 443, "http", 1, 100.0, "TLSv1.0",
     "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    ("74.125.142.26", 25, "smtp", 1, 100.0, "TLSv1.2",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
]

# tls_clients_below_floor: (client, version, server, port, sessions).
OLD_CLIENTS = [
    ("10.0.0.1", "SSLv3", "74.125.228.238", 443, 1),
    ("10.5.0.5", "TLSv1.0", "192.0.2.43", 443, 1),
]

# mail_tls_share: the periods with mail (hourly: the window is a day).
SHARE = {
    "2024-03-05T02:00Z": (1, 0, 0.0),
    "2024-03-05T04:00Z": (1, 0, 0.0),
    "2024-03-05T05:00Z": (1, 0, 0.0),
    "2024-03-05T06:00Z": (1, 1, 100.0),
    "2024-03-05T08:00Z": (1, 0, 0.0),
    "2024-03-05T09:00Z": (1, 0, 0.0),
}

HOSTILE = "<img src=x onerror=alert(1)>|*x*\x1b[31m"


class Checks:
    def __init__(self, verbose):
        self.count = 0
        self.fails = 0
        self.skips = 0
        self.verbose = verbose

    def ok(self, name, cond, detail=""):
        self.count += 1
        if cond:
            print("PASS %s" % name)
        else:
            self.fails += 1
            print("FAIL %s%s" % (name, ": " + detail if detail else ""))
        return cond

    def equal(self, name, want, got):
        return self.ok(name, want == got, "got %r, want %r" % (got, want))

    def skip(self, name, why):
        self.skips += 1
        print("SKIP %s: %s" % (name, why))


def retime(src, dst, start):
    """Copies a classic pcap, moving its first frame to start (seconds) and
    the others by the same amount."""
    data = bytearray(open(src, "rb").read())
    if struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4:
        raise ValueError("%s: not a little-endian microsecond pcap" % src)
    off, first = 24, None
    while off < len(data):
        sec, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        first = sec if first is None else first
        struct.pack_into("<I", data, off, start + sec - first)
        off += 16 + incl
    open(dst, "wb").write(data)


def pcap_totals(path):
    """Frames and their length on the wire, from the pcap's own records."""
    data = open(path, "rb").read()
    off, frames, wire = 24, 0, 0
    while off < len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frames += 1
        wire += orig
        off += 16 + incl
    return frames, wire


def build(binary, tmp):
    db = os.path.join(tmp, "two-days.db")
    totals = []
    for day in (DAY1, DAY2):
        cmd = [binary, "capture", "-q", "-d", db]
        frames = wire = 0
        for src, start in day:
            dst = os.path.join(tmp, os.path.basename(src))
            t = calendar.timegm(time.strptime(start, "%Y-%m-%dT%H:%M:%S"))
            retime(os.path.join(PCAPS, src), dst, t)
            f, w = pcap_totals(dst)
            frames += f
            wire += w
            cmd += ["-r", dst]
        subprocess.run(cmd, check=True)
        totals.append((frames, wire))
    return db, totals


def report(binary, db, *args, check=True):
    p = subprocess.run([binary, "report", "-d", db] + list(args),
                       capture_output=True)
    if check and p.returncode != 0:
        raise RuntimeError("report %s: exit %d: %s" %
                           (args, p.returncode, p.stderr.decode()))
    return p


def section(doc, name):
    for s in doc["sections"]:
        if s["name"] == name:
            return s
    raise KeyError(name)


def rows_as(sec, names):
    idx = [[c["name"] for c in sec["columns"]].index(n) for n in names]
    return [tuple(r[i] for i in idx) for r in sec["rows"]]


def check_json(c, doc, totals):
    w = doc["window"]
    c.equal("json: window", (SINCE, UNTIL, PREV_SINCE, SINCE, "hour"),
            (w["since"], w["until"], w["previous_since"],
             w["previous_until"], w["bucket"]))
    c.equal("json: data end", UNTIL, w["data_end"])
    c.equal("json: sections in order",
            ["summary", "changes", "findings", "servers", "mail_tls_share",
             "accounts", "tls_versions", "tls_servers",
             "tls_clients_below_floor", "cleartext_inside", "health",
             "runs"], [s["name"] for s in doc["sections"]])
    c.equal("json: summary", SUMMARY, section(doc, "summary")["rows"])
    c.equal("json: changes", CHANGES, rows_as(
        section(doc, "changes"),
        ["change", "kind", "severity", "recommendation", "server_ip",
         "server_port", "protocol", "count_now", "count_before"]))
    details = [r[-1] for r in section(doc, "changes")["rows"][:2]]
    c.equal("json: regression details",
            ["STARTTLS offered in 3 of 3 sessions before, in none of 1 now",
             "best TLS version TLSv1.2 before, TLSv1.0 now"], details)
    c.equal("json: findings by recommendation", FINDINGS, rows_as(
        section(doc, "findings"),
        ["recommendation", "severity", "kind", "server_ip", "server_port",
         "protocol", "findings"]))
    c.equal("json: mail servers", SERVERS, rows_as(
        section(doc, "servers"),
        ["server_ip", "server_port", "protocol", "sessions", "tls_pct",
         "capabilities_seen", "starttls_offered", "starttls_used",
         "accounts_exposed", "tls_versions", "tls_ciphers"]))
    c.equal("json: accounts", ACCOUNTS, rows_as(
        section(doc, "accounts"),
        ["username", "protocol", "mechanism", "exposure", "server_ip",
         "server_port", "logins", "accepted"]))
    c.equal("json: TLS versions", TLS_VERSIONS, rows_as(
        section(doc, "tls_versions"),
        ["tls_version", "sessions", "share_pct", "mail_sessions",
         "servers"]))
    c.equal("json: TLS by server", TLS_SERVERS, rows_as(
        section(doc, "tls_servers"),
        ["server_ip", "server_port", "protocol", "sessions", "fs_pct",
         "tls_versions", "tls_ciphers"]))
    c.equal("json: clients below the floor", OLD_CLIENTS, rows_as(
        section(doc, "tls_clients_below_floor"),
        ["client_ip", "tls_version", "server_ip", "server_port",
         "sessions"]))
    c.equal("json: nothing inside the network", [],
            section(doc, "cleartext_inside")["rows"])
    share = section(doc, "mail_tls_share")["rows"]
    c.equal("json: one period per hour of the window",
            ["2024-03-04T%02d:00Z" % h for h in range(9, 24)] +
            ["2024-03-05T%02d:00Z" % h for h in range(0, 10)],
            [r[0] for r in share])
    c.equal("json: mail per hour", SHARE,
            {r[0]: tuple(r[1:]) for r in share if r[1] > 0})
    c.equal("json: an hour without mail has no share",
            ["2024-03-05T03:00Z", 0, 0, None],
            [r for r in share if r[0] == "2024-03-05T03:00Z"][0])
    health = rows_as(section(doc, "health"),
                     ["period", "runs", "runs_running", "runs_interrupted",
                      "packets", "bytes", "tcp_gaps", "one_sided_sessions",
                      "sessions_with_gaps"])
    # Frames and bytes are counted from the pcap records; day 1 holds the
    # gap of reasm-gap-resync, day 2 the one-sided zeek capture.  Each day
    # is one capture that ended well (build() checks its exit status).
    c.equal("json: capture health",
            [("current", 1, 0, 0, totals[1][0], totals[1][1], 0, 1, 0),
             ("previous", 1, 0, 0, totals[0][0], totals[0][1], 1, 0, 1)],
            health)
    c.equal("json: runs overlapping the window", [(2, "complete")],
            rows_as(section(doc, "runs"), ["id", "state"]))
    c.equal("json: headlines", [
        ("alert", "STARTTLS withdrawn: 192.0.2.26:25 (smtp) offered "
         "STARTTLS in the previous window and no longer does (STARTTLS "
         "offered in 3 of 3 sessions before, in none of 1 now)."),
        ("alert", "TLS weakened: 192.0.2.43:443 (http): best TLS version "
         "TLSv1.2 before, TLSv1.0 now."),
        ("alert", "7 new high findings: a kind of finding on a server that "
         "the previous window did not have.")],
        [(h["level"], h["text"]) for h in doc["headlines"]])
    for s in doc["sections"]:
        types = {"integer": int, "real": (int, float), "text": str}
        bad = [(r, i) for r in s["rows"] for i, col in enumerate(s["columns"])
               if r[i] is not None and not isinstance(r[i],
                                                      types[col["type"]])]
        c.ok("json: %s cells have their column's type" % s["name"], not bad,
             repr(bad[:3]))


def doc_queries(text):
    """The queries of docs/schema.md: each section's (a ```sql block after
    a "#### `name`" heading), and the summary's figures (table rows)."""
    sections, figures = {}, {}
    parts = re.split(r"^#### `(\w+)`$", text, flags=re.M)
    for name, body in zip(parts[1::2], parts[2::2]):
        start = body.find("```sql\n")
        if start >= 0:
            end = body.index("```", start + 7)
            sections[name] = body[start + 7:end]
    for m in re.finditer(r"^\| `(\w+)` \| .*? \| `(.*)` \|$", text, re.M):
        figures[m.group(1)] = m.group(2).replace("\\|", "|")
    return sections, figures


def norm(sql):
    return " ".join(sql.split())


def same_rows(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            if isinstance(u, float) or isinstance(v, float):
                if u is None or v is None or abs(u - v) > 1e-9:
                    return False
            elif u != v:
                return False
    return True


def check_docs(c, doc, db):
    """Every figure is reproducible with the query docs/schema.md gives."""
    sections, figures = doc_queries(open(SCHEMA_MD).read())
    w = doc["window"]
    params = {"since": w["since"], "until": w["until"],
              "prev_since": w["previous_since"],
              "bucket": "%Y-%m-%dT%H:00Z" if w["bucket"] == "hour"
              else "%Y-%m-%d",
              "step": "+1 hour" if w["bucket"] == "hour" else "+1 day"}
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    for s in doc["sections"]:
        q = sections.get(s["name"])
        if not c.ok("docs: query of %s is listed" % s["name"], q is not None):
            continue
        c.ok("docs: query of %s is the one the report runs" % s["name"],
             norm(q) == norm(s["query"]))
        names = {k: v for k, v in params.items()
                 if re.search(":%s\\b" % k, q)}
        got = [list(r) for r in con.execute(q, names)]
        c.ok("docs: query of %s reproduces the report" % s["name"],
             same_rows(got, s["rows"]), "sqlite3 gives %r" % got[:3])
    summary = section(doc, "summary")
    cols = [x["name"] for x in summary["columns"]]
    for name in cols[1:]:
        q = figures.get(name)
        if not c.ok("docs: figure %s is listed" % name, q is not None):
            continue
        for row, (since, until) in zip(summary["rows"],
                                       [(w["since"], w["until"]),
                                        (w["previous_since"], w["since"])]):
            got = con.execute(q, {"since": since,
                                  "until": until}).fetchone()[0]
            c.ok("docs: figure %s, %s window" % (name, row[0]),
                 same_rows([[got]], [[row[cols.index(name)]]]),
                 "sqlite3 gives %r, the report %r" %
                 (got, row[cols.index(name)]))
    text = open(SCHEMA_MD).read()
    examples = [b for b in re.findall(r"```sql\n(.*?)```", text, re.S)
                if not re.search(r":[a-z_]+\b", b)]
    bad = []
    for sql in examples:
        try:
            con.execute(sql).fetchall()
        except sqlite3.Error as e:
            bad.append("%s: %s" % (e, sql[:60]))
    c.ok("docs: the %d example queries run" % len(examples),
         len(examples) > 10 and not bad, "; ".join(bad))
    new = sorted(con.execute("SELECT kind, severity, recommendation,"
                             " server_ip, server_port, protocol, findings"
                             " FROM new_findings"))
    want = sorted((r[1], r[2], r[3], r[4], r[5], r[6], r[7])
                  for r in CHANGES if r[0] == "new")
    c.equal("view new_findings: the report's new findings", want, new)
    for view in ("server_posture", "exposed_accounts", "mail_tls_share",
                 "tls_below_floor_clients"):
        n = con.execute("SELECT count(*) FROM %s" % view).fetchone()[0]
        c.ok("view %s answers" % view, n > 0)
    posture = con.execute(
        "SELECT sessions, tls_sessions, capabilities_seen,"
        " starttls_offered, accounts_exposed FROM server_posture"
        " WHERE server_ip = '192.0.2.26' AND server_port = 25").fetchone()
    # Both days: four sessions, one in TLS, each with a capability list,
    # three offering STARTTLS; karin's PLAIN login.
    c.equal("view server_posture: 192.0.2.26:25", (4, 1, 4, 3, 1), posture)
    share = con.execute("SELECT day, sessions, tls_sessions, tls_pct"
                        " FROM mail_tls_share ORDER BY day").fetchall()
    c.equal("view mail_tls_share", [("2024-03-04", 9, 1, 11.1),
                                    ("2024-03-05", 6, 1, 16.7)], share)
    con.close()


def check_text(c, text):
    c.ok("text: window line",
         "Window:    2024-03-04 09:01 to 2024-03-05 09:01 UTC (24 h)"
         in text)
    c.ok("text: STARTTLS withdrawal headlined", re.search(
        r"^!! STARTTLS withdrawn: 192\.0\.2\.26:25 \(smtp\)", text, re.M))
    for title in ("Summary", "Changes since the previous window",
                  "Findings by recommendation", "Mail servers",
                  "Accounts exposed", "TLS by server",
                  "Clients below the TLS floor",
                  "Cleartext inside the network", "Capture health"):
        c.ok("text: section %s" % title, "\n%s\n%s\n" %
             (title, "=" * len(title)) in text)
    c.ok("text: summary figures", re.search(
        r"^High findings +7 +8$", text, re.M) and re.search(
        r"^Share of mail sessions in TLS \(%\) +16\.7 +11\.1$", text, re.M))
    c.ok("text: an account", re.search(
        r'^  ken "the" user +imap +LOGIN +cleartext +203\.0\.113\.143:143 ',
        text, re.M))
    c.ok("text: recommendation groups",
         "Recommendation 1: TLS between mail servers" in text and
         "Recommendation 3: users' passwords never in the clear" in text)
    wide = [line for line in text.splitlines() if len(line) > 100]
    c.ok("text: lines fit in 100 columns", not wide, repr(wide[:2]))


def check_markdown(c, text):
    c.ok("markdown: title", text.startswith("# plainsight report\n"))
    c.ok("markdown: sections", all(
        "\n## %s\n" % t in text for t in
        ("Summary", "Changes since the previous window", "Mail servers",
         "Accounts exposed", "Capture health")))
    c.ok("markdown: summary row", re.search(
        r"^\| High findings +\| +7 \| +8 \|$", text, re.M))
    c.ok("markdown: alert", "> **Alert:** STARTTLS withdrawn" in text)
    # The widest user name, 'ken "the" user' (14), sets the column.
    c.ok("markdown: escaped account",
         '| ken "the" user | imap  | LOGIN     | cleartext |' in text)
    c.ok("markdown: padded table", "| tom            | pop3  | USER      |"
         in text)


def check_csv(c, binary, db, doc):
    for s in doc["sections"]:
        p = report(binary, db, "--format", "csv", "--section", s["name"])
        raw = p.stdout.decode()
        lines = raw.split("\r\n")
        c.ok("csv %s: CRLF lines" % s["name"],
             lines[-1] == "" and "\n" not in raw.replace("\r\n", ""))
        rows = list(csv.reader(io.StringIO(raw, newline="")))
        c.equal("csv %s: header" % s["name"],
                [x["name"] for x in s["columns"]], rows[0])
        want = [["" if v is None else
                 ("%.15g" % v if isinstance(v, float) else str(v))
                 for v in r] for r in s["rows"]]
        c.equal("csv %s: rows are the JSON rows" % s["name"], want, rows[1:])
    p = report(binary, db, "--format", "csv", "--section", "accounts")
    c.ok("csv: a quoted field", '\r\n"ken ""the"" user",imap,' in
         p.stdout.decode())


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append(dict(attrs))


def check_html_source(c, text):
    t = Tags()
    t.feed(text)
    c.equal("html: three charts", 3, t.tags.count("svg"))
    c.ok("html: no script", "script" not in t.tags)
    c.ok("html: nothing fetched",
         not any(k in ("src", "href") and not v.startswith("#")
                 for a in t.attrs for k, v in a.items()
                 if k in ("src", "href")) and "url(" not in text and
         "@import" not in text)
    c.ok("html: content security policy",
         "default-src 'none'; style-src 'unsafe-inline'" in text)
    c.ok("html: viewport and print style",
         'name="viewport"' in text and "@media print" in text)
    c.ok("html: tables scroll", '<div class="scroll"><table>' in text)
    c.ok("html: escaped account", "ken &quot;the&quot; user" in text)
    ids = [a.get("id") for a in t.attrs if a.get("id")]
    c.ok("html: a section per report section",
         all(n in ids for n in ("summary", "changes", "findings", "servers",
                                "accounts", "health")))


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def headless(browser, url, tmp, *args):
    profile = tempfile.mkdtemp(dir=tmp)
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--user-data-dir=" + profile,
           "--enable-logging=stderr", "--v=0"] + list(args) + [url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def check_chromium(c, page, hostile_page, tmp, keep):
    browser = chromium()
    if browser is None:
        c.skip("html in chromium", "chromium is not installed "
               "(apt-get install chromium)")
        return
    def console(p):
        return [line for line in p.stderr.splitlines()
                if "CONSOLE" in line or "Refused to" in line or
                "Uncaught" in line]

    # A page that fetches and runs a script shows how the browser reports
    # such things, so that finding none on the report means something.
    control = os.path.join(tmp, "control.html")
    with open(control, "w") as f:
        f.write("<!DOCTYPE html><meta http-equiv=Content-Security-Policy "
                "content=\"default-src 'none'\"><img src=http://192.0.2.1/x>"
                "<script>boom()</script>")
    c.ok("chromium: console messages are seen (control page)",
         console(headless(browser, "file://" + control, tmp,
                          "--dump-dom")))
    p = headless(browser, "file://" + page, tmp, "--dump-dom")
    dom = p.stdout
    c.ok("chromium: page parsed", "<main>" in dom and "</html>" in dom)
    c.equal("chromium: charts in the DOM", 3, dom.count("<svg "))
    c.ok("chromium: chart marks", dom.count("<rect ") > 10)
    c.ok("chromium: no console message", not console(p),
         repr(console(p)[:3]))
    for size, name in (("1280,4000", "desktop"), ("390,8000", "phone")):
        png = os.path.join(tmp, "report-%s.png" % name)
        headless(browser, "file://" + page, tmp, "--hide-scrollbars",
                 "--window-size=" + size, "--screenshot=" + png)
        c.ok("chromium: %s screenshot" % name, os.path.exists(png) and
             open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n")
        if keep:
            print("     %s" % png)
    p = headless(browser, "file://" + hostile_page, tmp, "--dump-dom")
    c.ok("chromium: hostile user name stays text",
         "<img" not in p.stdout and "&lt;img src=x onerror=alert(1)&gt;" in
         p.stdout)


def check_hostile(c, binary, db, tmp):
    """A user name made to break each format."""
    bad = os.path.join(tmp, "hostile.db")
    shutil.copy(db, bad)
    con = sqlite3.connect(bad)
    con.execute("UPDATE credentials SET username = ? WHERE username = 'tom'",
                (HOSTILE,))
    con.commit()
    con.close()
    text = report(binary, bad).stdout.decode()
    c.ok("hostile: no escape byte reaches a terminal", "\x1b" not in text and
         "<img src=x onerror=alert(1)>|" in text)
    md = report(binary, bad, "--format", "markdown").stdout.decode()
    c.ok("hostile: markdown escapes", "\\<img src=x onerror=alert(1)\\>\\|"
         "\\*x\\*\\\\x1B\\[31m" in md)
    doc = json.loads(report(binary, bad, "--format", "json").stdout)
    c.ok("hostile: json keeps the exact text", HOSTILE in
         [r[0] for r in section(doc, "accounts")["rows"]])
    page = os.path.join(tmp, "hostile.html")
    report(binary, bad, "--format", "html", "-o", page)
    raw = open(page).read()
    c.ok("hostile: html escapes", "&lt;img src=x onerror=alert(1)&gt;|*x*"
         "\\x1B[31m" in raw and "<img" not in raw)
    con = sqlite3.connect(bad)
    con.execute("UPDATE credentials SET username = '=HYPERLINK(1)'"
                " WHERE exposure = 'token'")
    con.commit()
    con.close()
    out = report(binary, bad, "--format", "csv", "--section",
                 "accounts").stdout.decode()
    c.ok("hostile: csv disarms formulas", "\r\n'=HYPERLINK(1),pop3," in out)
    return page


def check_cli(c, binary, db, tmp):
    def status(*args):
        return report(binary, db, *args, check=False).returncode

    c.equal("exit 3: new high findings", 3, status("--exit-on-new-high",
                                                   "-o", os.devnull))
    c.equal("exit 0: nothing new in the last minute", 0,
            status("--exit-on-new-high", "--since", "2024-03-05T09:00",
                   "-o", os.devnull))
    c.equal("exit 0 without --exit-on-new-high", 0, status("-o", os.devnull))
    c.equal("exit 3 with another section shown", 3,
            status("--exit-on-new-high", "--format", "csv", "--section",
                   "runs", "-o", os.devnull))
    for args in (["--since", "yesterday"], ["--until", "2024-02-30"],
                 ["--format", "pdf"], ["--format", "csv"],
                 ["--section", "nope"], ["--bogus"], ["extra"],
                 ["--since", "0h"]):
        c.equal("usage error %s" % " ".join(args), 2, status(*args))
    c.equal("empty window is an error", 1,
            status("--since", "2024-03-05", "--until", "2024-03-04"))
    c.equal("missing database is an error", 1, report(
        binary, os.path.join(tmp, "none.db"), check=False).returncode)
    out = os.path.join(tmp, "out.txt")
    c.equal("-o writes a file", 0, status("-o", out))
    c.equal("-o file is private", 0o600, stat.S_IMODE(os.stat(out).st_mode))

    def undated(text):
        return re.sub(r"Generated: .*\n", "", text)

    c.equal("-o file holds the report",
            undated(report(binary, db).stdout.decode()),
            undated(open(out).read()))

    def window(*args):
        w = json.loads(report(binary, db, "--format", "json", "--section",
                              "runs", *args).stdout)["window"]
        return w["since"], w["until"], w["bucket"]

    c.equal("--since 48h counts back from the end of the data",
            (PREV_SINCE, UNTIL, "day"), window("--since", "48h"))
    c.equal("--until 24h", (PREV_SINCE, SINCE, "hour"),
            window("--until", "24h"))
    c.equal("--since and --until as dates",
            ("2024-03-05T00:00:00.000000Z", "2024-03-06T00:00:00.000000Z",
             "hour"), window("--since", "2024-03-05", "--until",
                             "2024-03-06"))
    c.equal("--since with a time and Z",
            ("2024-03-05T06:30:00.000000Z", UNTIL, "hour"),
            window("--since", "2024-03-05T06:30Z"))
    c.equal("--since 90m", ("2024-03-05T07:31:00.000000Z", UNTIL, "hour"),
            window("--since", "90m"))
    doc = json.loads(report(binary, db, "--format", "json", "--since",
                            "2024-03-04", "--until", "2024-03-06").stdout)
    c.equal("two days: one period per day",
            [["2024-03-04", 9, 1, 11.1], ["2024-03-05", 6, 1, 16.7]],
            section(doc, "mail_tls_share")["rows"])
    c.equal("two days: both runs", [1, 2],
            [r[0] for r in section(doc, "runs")["rows"]])
    c.equal("two days: findings", [15, 7, 0], section(doc, "summary")
            ["rows"][0][1:4])


def display_width(text):
    """Columns a terminal gives text: 0 for combining and format
    characters, 2 for East Asian wide and fullwidth ones, else 1."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me", "Cf") else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def check_output_guard(c, binary, db, tmp):
    """-o never writes over the database or its companion files, whatever
    name it is given: a usage error (2) that writes nothing."""
    link = os.path.join(tmp, "db-symlink")
    hard = os.path.join(tmp, "db-hardlink")
    dangling = os.path.join(tmp, "wal-symlink")
    os.symlink(db, link)
    os.link(db, hard)
    os.symlink(db + "-wal", dangling)
    around = os.path.join(tmp, "..", os.path.basename(tmp),
                          os.path.basename(db))
    companions = [db + x for x in ("-wal", "-shm", "-journal")]
    before = open(db, "rb").read()
    existed = [os.path.exists(x) for x in companions]
    cases = [("the database", db, db),
             ("the database through .. and back", db, around),
             ("a symbolic link to the database", db, link),
             ("a hard link to the database", db, hard),
             ("a dangling link to DB-wal", db, dangling),
             ("DB-shm beside the file a linked -d names", link, db + "-shm"),
             ("DB-journal beside a linked -d", link, link + "-journal")]
    cases += [(os.path.basename(x), db, x) for x in companions]
    for what, d, out in cases:
        p = report(binary, d, "-o", out, "--format", "json", check=False)
        c.ok("-o %s is refused as a usage error" % what,
             p.returncode == 2 and b"would overwrite" in p.stderr and
             not p.stdout, "exit %d: %r" % (p.returncode, p.stderr))
    c.ok("-o refused: the database is as it was",
         open(db, "rb").read() == before)
    c.equal("-o refused: no companion file appeared", existed,
            [os.path.exists(x) for x in companions])
    c.ok("-o refused: the dangling link still dangles",
         not os.path.exists(dangling) or existed[0])
    out = os.path.join(tmp, "db-symlink-shm")
    c.equal("-o beside a link to the database, not SQLite's, is fine", 0,
            report(binary, db, "-o", out, check=False).returncode)


def window_line(binary, db, fmt, *args):
    text = report(binary, db, "--format", fmt, *args).stdout.decode()
    m = re.search(r"UTC(?:</strong>)? \(([^)]*)\)", text)
    return m.group(1) if m else None


def check_window_length(c, binary, db):
    """The window's length for people, worked out from its bounds."""
    c.equal("length: the default day", "24 h",
            window_line(binary, db, "text"))
    c.equal("length: --since 7d", "7 d",
            window_line(binary, db, "text", "--since", "7d"))
    c.equal("length: --since 48h is two days in hours", "48 h",
            window_line(binary, db, "markdown", "--since", "48h"))
    c.equal("length: --since 90m", "90 min",
            window_line(binary, db, "markdown", "--since", "90m"))
    # 2024-03-04T02:27 to the end of the data, 2024-03-05T09:01.
    c.equal("length: 30 h 34 min", "30 h 34 min",
            window_line(binary, db, "html", "--since", "2024-03-04T02:27"))
    # 09:00:30.5 to 09:01:00.
    c.equal("length: 29.5 s", "29.5 s",
            window_line(binary, db, "text", "--since",
                        "2024-03-05T09:00:30.5"))
    # 2024-03-01 to 2024-03-04T12:00: three days and a half.
    c.equal("length: 3 d 12 h", "3 d 12 h",
            window_line(binary, db, "html", "--since", "2024-03-01",
                        "--until", "2024-03-04T12:00"))


# Runs added to the two days, in this order (ids 3 to 8), none with
# packets: an interface run that died and was restarted, and its restart
# still going, on day 2; a run that died on day 1, restarted and ended
# well; and the same long before the two days.
EXTRA_RUNS = [
    # (source, started, finished, first_packet, last_packet)
    ("interface eth9", "2024-03-05T01:00:00.000000Z", None, None, None),
    ("interface eth9", "2024-03-05T03:00:00.000000Z", None, None, None),
    ("interface eth8", "2024-03-04T02:00:00.000000Z", None, None, None),
    ("interface eth8", "2024-03-04T05:00:00.000000Z",
     "2024-03-04T06:00:00.000000Z", "2024-03-04T05:00:01.000000Z",
     "2024-03-04T05:59:59.000000Z"),
    ("interface eth7", "2024-03-01T00:00:00.000000Z", None, None, None),
    ("interface eth7", "2024-03-01T06:00:00.000000Z",
     "2024-03-01T07:00:00.000000Z", "2024-03-01T06:00:01.000000Z",
     "2024-03-01T06:59:59.000000Z"),
]

# Each run's state: a run without an end is interrupted when a later run
# of its source exists (3 before 4, 5 before 6, 7 before 8), else running.
RUN_STATES = [(1, "complete"), (2, "complete"), (3, "interrupted"),
              (4, "running"), (5, "interrupted"), (6, "complete"),
              (7, "interrupted"), (8, "complete")]


def check_run_states(c, binary, db, tmp):
    """Runs without an end: running, or interrupted when a later run of
    the same source started; counted in capture health, headlined, and
    shown in every format."""
    runs = os.path.join(tmp, "runs.db")
    shutil.copy(db, runs)
    con = sqlite3.connect(runs)
    for source, started, finished, first, last in EXTRA_RUNS:
        con.execute("INSERT INTO runs (started, finished, source, version,"
                    " first_packet, last_packet, complete)"
                    " VALUES (?, ?, ?, '0.1.0', ?, ?, ?)",
                    (started, finished, source, first, last,
                     1 if finished else 0))
    con.commit()
    text = open(SCHEMA_MD).read()
    m = re.search(r"this query gives every run's:\n\n```sql\n(.*?)```", text,
                  re.S)
    if c.ok("docs: the run state query is listed", m is not None):
        c.equal("docs: the run state query gives each run's state",
                RUN_STATES, [(r[0], r[4]) for r in con.execute(m.group(1))])
    con.close()

    doc = json.loads(report(binary, runs, "--format", "json").stdout)
    # This window (2024-03-04T09:01 to 2024-03-05T09:01): run 2, run 3
    # (from 01:00 until run 4 started at 03:00) and run 4 (from 03:00 on).
    c.equal("runs: this window's, with their states",
            [(2, "complete"), (3, "interrupted"), (4, "running")],
            rows_as(section(doc, "runs"), ["id", "state"]))
    c.equal("health: interrupted runs counted apart",
            [("current", 3, 1, 1, 0), ("previous", 3, 0, 1, 0)],
            rows_as(section(doc, "health"),
                    ["period", "runs", "runs_running", "runs_interrupted",
                     "runs_incomplete"]))
    c.ok("headline: an interrupted run",
         ("warning", "1 capture run was interrupted (crashed or killed): no "
          "end was recorded and a later run of the same source started. "
          "Its packet and drop counts are lost, and what crossed the "
          "network until the next run was not watched.") in
         [(h["level"], h["text"]) for h in doc["headlines"]])
    c.ok("headline: a run still running",
         ("warning", "1 capture run is still running: packet and drop "
          "counts are stored when a run ends.") in
         [(h["level"], h["text"]) for h in doc["headlines"]])
    # The previous window (2024-03-03T09:01 to 2024-03-04T09:01): run 1,
    # run 5 (02:00 until run 6 started at 05:00), run 6 (05:00 to 06:00);
    # runs 7 and 8 are days before, runs 3 and 4 after.
    prev = json.loads(report(binary, runs, "--format", "json", "--until",
                             "24h").stdout)
    c.equal("runs: the previous window's",
            [(1, "complete"), (5, "interrupted"), (6, "complete")],
            rows_as(section(prev, "runs"), ["id", "state"]))

    sections, _ = doc_queries(text)
    con = sqlite3.connect("file:%s?mode=ro" % runs, uri=True)
    w = doc["window"]
    for name in ("health", "runs"):
        got = [list(r) for r in con.execute(
            sections[name], {"since": w["since"], "until": w["until"],
                             "prev_since": w["previous_since"]}
            if name == "health" else {"since": w["since"],
                                      "until": w["until"]})]
        c.ok("docs: query of %s reproduces interrupted runs" % name,
             same_rows(got, section(doc, name)["rows"]), repr(got[:3]))
    con.close()

    out = report(binary, runs).stdout.decode()
    c.ok("text: run states", re.search(
        r"^ +3 +- +- +0 +0 +interrupted +interface eth9$", out, re.M) and
        re.search(r"^ +4 +- +- +0 +0 +running +interface eth9$", out, re.M))
    c.ok("text: interrupted runs in capture health", re.search(
        r"^Runs interrupted \(no end recorded, a later run started\) +1 +1$",
        out, re.M))
    md = report(binary, runs, "--format", "markdown").stdout.decode()
    c.ok("markdown: run states",
         re.search(r"\| +0 \| interrupted +\| - +\| interface eth9 +\|$",
                   md, re.M))
    page = report(binary, runs, "--format", "html").stdout.decode()
    c.ok("html: an interrupted run stands out",
         '<td class="sev-high">interrupted</td>' in page)
    rows = list(csv.reader(io.StringIO(report(
        binary, runs, "--format", "csv", "--section",
        "runs").stdout.decode(), newline="")))
    c.equal("csv: run states", ["complete", "interrupted", "running"],
            [r[rows[0].index("state")] for r in rows[1:]])


# The current window's accounts renamed: ken "the" user, tom and
# joe.speedboat become a Latin name with an umlaut (6 columns), a CJK name
# (4 characters, 8 columns) and one hiding a right-to-left override and a
# zero-width space (shown ad\u202Emin\u200B: 17 columns).
NAMES = {'ken "the" user': "m\u00fcller", "tom": "\u5c71\u7530\u592a\u90ce",
         "joe.speedboat": "ad\u202emin\u200b"}
SHOWN = {"m\u00fcller": "m\u00fcller", "\u5c71\u7530\u592a\u90ce":
         "\u5c71\u7530\u592a\u90ce", "ad\u202emin\u200b": "ad\\u202Emin\\u200B"}


def check_unicode(c, binary, db, tmp):
    """User names in other scripts line up; invisible characters that
    reorder or hide text are shown as escapes, JSON keeps them exactly."""
    names = os.path.join(tmp, "names.db")
    shutil.copy(db, names)
    con = sqlite3.connect(names)
    for old, new in NAMES.items():
        con.execute("UPDATE credentials SET username = ? WHERE username = ?",
                    (new, old))
    con.commit()
    con.close()
    hidden = ("\u202e", "\u200b")

    # Text: the user name column is 17 wide (the escaped name), so the
    # protocol starts at column 2 + 17 + 2 = 21 on every row.
    text = report(binary, names, "--section", "accounts").stdout.decode()
    starts = {}
    for line in text.splitlines():
        for name, shown in SHOWN.items():
            if line.startswith("  " + shown + " "):
                m = re.search(r" (imap|pop3) ", line)
                starts[name] = display_width(line[:m.start() + 1])
    c.equal("text: names in any script line up",
            {n: 21 for n in SHOWN}, starts)
    # Markdown: 19 wide (the escape's backslashes doubled: ad\\u202Emin
    # \\u200B), so the second pipe is at column 2 + 19 + 1 = 22.
    md = report(binary, names, "--format", "markdown", "--section",
                "accounts").stdout.decode()
    pipes = {}
    for line in md.splitlines():
        for name, shown in SHOWN.items():
            if line.startswith("| " + shown.replace("\\", "\\\\") + " "):
                cut = line.index("|", 1)
                pipes[name] = display_width(line[:cut])
    c.equal("markdown: names in any script line up",
            {n: 22 for n in SHOWN}, pipes)
    page = report(binary, names, "--format", "html").stdout.decode()
    table = report(binary, names, "--format", "csv", "--section",
                   "accounts").stdout.decode()
    for fmt, out in (("text", text), ("markdown", md), ("html", page),
                     ("csv", table)):
        c.ok("%s: no bidi override or zero-width space reaches it" % fmt,
             not any(h in out for h in hidden))
        c.ok("%s: they are shown escaped, letters as they are" % fmt,
             "ad\\u202Emin\\u200B" in out.replace("\\\\", "\\") and
             "m\u00fcller" in out and "\u5c71\u7530\u592a\u90ce" in out)
    raw = report(binary, names, "--format", "json").stdout.decode()
    doc = json.loads(raw)
    c.equal("json: the exact names",
            sorted(NAMES.values()),
            sorted(r[0] for r in section(doc, "accounts")["rows"]))
    c.ok("json: invisible characters as JSON escapes",
         "ad\\u202emin\\u200b" in raw and not any(h in raw for h in hidden))


def check_old_schema(c, binary, db, tmp):
    """A database as the previous schema left it is upgraded by the report
    and reads the same."""
    old = os.path.join(tmp, "schema3.db")
    shutil.copy(db, old)
    con = sqlite3.connect(old)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    # What migration 4 added: views and indexes, no data.
    for kind, name in con.execute("SELECT type, name FROM sqlite_master"
                                  " WHERE type IN ('view', 'index')"
                                  " AND sql IS NOT NULL").fetchall():
        if kind == "view" or name in ("credentials_seen",
                                      "sessions_protocol_first_seen",
                                      "findings_kind_seen"):
            con.execute("DROP %s %s" % (kind.upper(), name))
    con.execute("CREATE INDEX findings_kind ON findings(kind)")
    # What migration 5 added: one column.
    con.execute("ALTER TABLE sessions DROP COLUMN webmail")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    a = json.loads(report(binary, db, "--format", "json").stdout)
    b = json.loads(report(binary, old, "--format", "json").stdout)
    c.equal("schema 3: the report reads the same",
            [s["rows"] for s in a["sections"]],
            [s["rows"] for s in b["sections"]])
    con = sqlite3.connect(old)
    c.equal("schema 3: upgraded in place", version,
            con.execute("PRAGMA user_version").fetchone()[0])
    c.equal("schema 3: views created", 5, con.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'view'").fetchone()
        [0])
    con.close()


def send_sanitizer_reports(tmp):
    """A binary built with make SANITIZE=1 writes its AddressSanitizer,
    LeakSanitizer and UBSan reports into tmp (log_path), so that any report
    fails the tests whatever exit status its run left; options already set
    are kept (a later option overrides)."""
    log = "log_path=" + os.path.join(tmp, "sanitizer")
    for var in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        old = os.environ.get(var)
        os.environ[var] = old + ":" + log if old else log


def check_sanitizer_reports(c, tmp):
    logs = sorted(n for n in os.listdir(tmp) if n.startswith("sanitizer."))
    for name in logs:
        with open(os.path.join(tmp, name), errors="replace") as f:
            print(f.read())
    c.ok("no sanitizer report", not logs, "%d, shown above" % len(logs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(TOP, "plainsight"))
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary folder (screenshots included)")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    tmp = tempfile.mkdtemp(prefix="plainsight-report-")
    send_sanitizer_reports(tmp)
    c = Checks(args.v)
    try:
        db, totals = build(binary, tmp)
        doc = json.loads(report(binary, db, "--format", "json").stdout)
        check_json(c, doc, totals)
        check_docs(c, doc, db)
        check_text(c, report(binary, db).stdout.decode())
        check_markdown(c, report(binary, db, "--format",
                                 "markdown").stdout.decode())
        check_csv(c, binary, db, doc)
        page = os.path.join(tmp, "report.html")
        report(binary, db, "--format", "html", "-o", page)
        check_html_source(c, open(page).read())
        hostile = check_hostile(c, binary, db, tmp)
        check_chromium(c, page, hostile, tmp, args.keep)
        check_cli(c, binary, db, tmp)
        check_output_guard(c, binary, db, tmp)
        check_window_length(c, binary, db)
        check_run_states(c, binary, db, tmp)
        check_unicode(c, binary, db, tmp)
        check_old_schema(c, binary, db, tmp)
    finally:
        check_sanitizer_reports(c, tmp)
        if args.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d/%d passed%s" % (c.count - c.fails, c.count,
                              ", %d skipped" % c.skips if c.skips else ""))
    return 1 if c.fails else 0


if __name__ == "__main__":
    sys.exit(main())
