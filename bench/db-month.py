#!/usr/bin/env python3
"""db-month.py - how fast the report and the views are on a month of a busy
sensor.

Generates (once, cached in BENCH_DIR) a database with the schema
plainsight writes and a month of synthetic but realistic rows: by default
3,000,000 sessions over 30 days (100,000 a day: mail servers of a mid-size
provider plus the TLS traffic of the same span port), with the credentials,
findings, services and runs such traffic yields.  Then it times each view
of docs/schema.md, each report format over the last day, a week and the
month, and each report section alone, and prints the query plan of every
section's query where it reads a large table without an index.

    python3 bench/db-month.py [--bin ./plainsight] [--sessions N]
                              [--days D] [--dir DIR] [--rebuild]

Python 3 standard library only; deterministic (fixed seed).
"""

import argparse
import json
import os
import random
import sqlite3
import struct
import subprocess
import sys
import time

VIEWS = ["server_posture", "exposed_accounts", "mail_tls_share",
         "new_findings", "tls_below_floor_clients"]
FORMATS = ["text", "markdown", "html", "json"]
BIG_TABLES = ("sessions", "findings", "credentials")
START = 1767225600  # 2026-01-01T00:00:00Z


def iso(t):
    sec = int(t)
    us = int(round((t - sec) * 1e6))
    if us == 1000000:
        sec, us = sec + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + \
        ".%06dZ" % us


def empty_pcap(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))


class World:
    """The servers and clients the synthetic traffic runs between."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.mail = []  # (ip, port, protocol, policy)
        for i in range(200):
            ip = "198.51.%d.%d" % (100 + i // 250, i % 250 + 1)
            proto, port = rnd.choice([("smtp", 25), ("smtp", 25),
                                      ("smtp", 587), ("smtp", 465),
                                      ("imap", 143), ("imap", 993),
                                      ("pop3", 110), ("pop3", 995)])
            # How well the server does: share of sessions in TLS.
            policy = rnd.choice([1.0, 0.95, 0.8, 0.5, 0.0])
            self.mail.append((ip, port, proto, policy))
        self.web = ["203.0.%d.%d" % (i // 250, i % 250 + 1)
                    for i in range(5000)]
        self.clients = ["10.%d.%d.%d" % (i // 65536, (i // 256) % 256,
                                         i % 256 + 1) for i in range(20000)]
        self.users = ["user%05d@example.org" % i for i in range(30000)]


def tls_columns(rnd):
    v = rnd.choices(["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0"],
                    [55, 40, 3, 2])[0]
    if v == "TLSv1.3":
        return v, "TLS_AES_128_GCM_SHA256", "TLS13", 1
    if rnd.random() < 0.1:
        return v, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", 0
    return v, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE", 1


def session_row(w, sid, run, t):
    """One session and what it raises: (session, credentials, findings)."""
    rnd = w.rnd
    cip = rnd.choice(w.clients)
    rec = None
    if rnd.random() < 0.55:
        sip, port, proto, policy = rnd.choice(w.mail)
        implicit = port in (465, 993, 995)
        in_tls = implicit or rnd.random() < policy
        mode = "implicit" if implicit else ("starttls" if in_tls else "none")
        offered = None if implicit else (1 if in_tls or policy > 0 else 0)
        attempted = None if implicit else (1 if in_tls else 0)
        result = "ok" if mode == "starttls" else None
        rec = 1 if port == 25 else 3
    else:
        sip, port, proto = rnd.choice(w.web), 443, "http"
        mode, offered, attempted, result = "implicit", None, None, None
        in_tls = True
    version = cipher = kex = fs = None
    if in_tls:
        version, cipher, kex, fs = tls_columns(rnd)
    anomalies = None
    r = rnd.random()
    if r < 0.002:
        anomalies = "one_sided"
    elif r < 0.006:
        anomalies = "midstream"
    first = iso(t)
    last = iso(t + rnd.uniform(0.05, 30))
    session = (sid, run, first, last, cip, rnd.randint(1024, 65535), sip,
               port, "tcp", proto, proto.upper(), mode, offered, attempted,
               result, rnd.randint(100, 50000), rnd.randint(100, 500000),
               0, 4, None, 0, "client.example", None, anomalies, "closed",
               version, cipher, fs, None, None, None, 1 if in_tls else None,
               version, None, kex, None, None, None, 1, 0)
    creds, finds = [], []
    seen = iso(t + 0.01)
    if mode == "none" and port != 25:
        if rnd.random() < 0.6:
            mech, exp = rnd.choices([("PLAIN", "cleartext"),
                                     ("LOGIN", "cleartext"),
                                     ("CRAM-MD5", "crackable")],
                                    [60, 30, 10])[0]
            creds.append((sid, seen, proto, mech, rnd.choice(w.users), exp,
                          "accepted", 1))
            kind = "cleartext_credentials" if exp == "cleartext" else \
                "crackable_credentials"
            finds.append((sid, seen, kind,
                          "high" if exp == "cleartext" else "medium", 3,
                          "a login", sip, port, proto))
    if mode == "none":
        kind = "starttls_not_used" if offered else "starttls_not_offered"
        finds.append((sid, first, kind, "medium" if port == 25 else "high",
                      rec, "clear text", sip, port, proto))
    if version in ("TLSv1.0", "TLSv1.1"):
        finds.append((sid, first, "obsolete_tls_version", "medium",
                      rec or 3, version, sip, port, proto))
    if kex == "RSA":
        finds.append((sid, first, "no_forward_secrecy", "medium", rec or 3,
                      "RSA", sip, port, proto))
    return session, creds, finds


SESSION_COLUMNS = (
    "id, run_id, first_seen, last_seen, client_ip, client_port, server_ip,"
    " server_port, transport, protocol, ndpi_protocol, tls,"
    " starttls_offered, starttls_attempted, starttls_result, client_bytes,"
    " server_bytes, gaps, ip_version, vlan, starttls_stripped, client_name,"
    " auth_mechanisms, anomalies, end_reason, tls_version, tls_cipher,"
    " tls_forward_secrecy, tls_sni, tls_alpn, ja3, tls_established,"
    " tls_client_version, tls_cipher_id, tls_key_exchange, tls_group,"
    " tls_alert, certificate, client_internal, server_internal")


def fill(db, sessions, days):
    """Writes the month's rows into db, a fresh plainsight database."""
    rnd = random.Random(20260101)
    w = World(rnd)
    per_day = sessions // days
    sid = db.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()[0]
    db.execute("PRAGMA synchronous = OFF")
    for day in range(days):
        db.execute("BEGIN")
        cur = db.execute(
            "INSERT INTO runs (started, finished, source, packets, bytes,"
            " dropped, version, first_packet, last_packet, sessions,"
            " complete) VALUES (?,?,?,?,?,?,?,?,?,?,1)",
            (iso(START + day * 86400), iso(START + (day + 1) * 86400),
             "interface eth1", per_day * 40, per_day * 40 * 700,
             rnd.randint(0, 50), "bench", iso(START + day * 86400),
             iso(START + (day + 1) * 86400 - 1), per_day))
        run = cur.lastrowid
        db.executemany("INSERT INTO run_counters VALUES (?,?,?)",
                       [(run, n, rnd.randint(0, 100)) for n in
                        ("flows_evicted", "analyses_evicted",
                         "classify_abandoned", "stream_bytes_dropped",
                         "reasm_cap_hits", "alloc_failures",
                         "store_errors")])
        rows, creds, finds = [], [], []
        times = sorted(rnd.uniform(0, 86400) for _ in range(per_day))
        for t in times:
            sid += 1
            s, c, f = session_row(w, sid, run, START + day * 86400 + t)
            rows.append(s)
            creds += c
            finds += f
        db.executemany("INSERT INTO sessions (%s) VALUES (%s)" %
                       (SESSION_COLUMNS, ",".join("?" * 40)), rows)
        db.executemany("INSERT INTO credentials (session_id, seen, protocol,"
                       " mechanism, username, exposure, outcome, count)"
                       " VALUES (?,?,?,?,?,?,?,?)", creds)
        db.executemany("INSERT INTO findings (session_id, seen, kind,"
                       " severity, recommendation, detail, server_ip,"
                       " server_port, protocol) VALUES (?,?,?,?,?,?,?,?,?)",
                       finds)
        db.execute("COMMIT")
        print("  day %d/%d: %d sessions" % (day + 1, days, sid),
              file=sys.stderr)
    services(db, w, days)


def services(db, w, days):
    rows = []
    for ip, port, proto, policy in w.mail:
        rows.append((ip, port, "tcp", proto.upper(), 0, iso(START),
                     iso(START + days * 86400 - 60), 1000, int(1000 * policy),
                     int(policy == 1.0), 0, 500, None, 10**7))
    for i in range(800):
        ip = "10.200.%d.%d" % (i // 250, i % 250 + 1)
        proto = ["Telnet", "FTP", "HTTP", "LDAP"][i % 4]
        rows.append((ip, 23 if proto == "Telnet" else 21 if proto == "FTP"
                     else 80 if proto == "HTTP" else 389, "tcp", proto, 1,
                     iso(START), iso(START + days * 86400 - 60), 500, 0, 0,
                     500, 40, None, 10**6))
    db.execute("BEGIN")
    db.executemany("INSERT INTO services VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   rows)
    db.executemany("INSERT INTO findings (session_id, seen, kind, severity,"
                   " recommendation, detail, server_ip, server_port,"
                   " protocol) VALUES (NULL,?,?,?,2,?,?,?,?)",
                   [(r[5], "cleartext_internal_service", "high", "clear",
                     r[0], r[1], r[3]) for r in rows if r[4] == 1])
    db.execute("COMMIT")


def build(args, path):
    pcap = path + ".empty.pcap"
    empty_pcap(pcap)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    subprocess.run([args.bin, "capture", "-q", "-r", pcap, "-d", path],
                   check=True)
    os.remove(pcap)
    t0 = time.monotonic()
    db = sqlite3.connect(path, isolation_level=None)
    fill(db, args.sessions, args.days)
    db.close()
    print("generated in %.0f s" % (time.monotonic() - t0), file=sys.stderr)


def timed(fn):
    t0 = time.monotonic()
    out = fn()
    return time.monotonic() - t0, out


def run_report(args, path, *extra):
    cmd = [args.bin, "report", "-d", path, "-o", os.devnull] + list(extra)
    return timed(lambda: subprocess.run(cmd, check=True))[0]


def plans(path, queries):
    """Lines of each query's plan that read a large table whole."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    found = []
    for name, sql, params in queries:
        for row in db.execute("EXPLAIN QUERY PLAN " + sql, params):
            detail = row[3]
            if detail.startswith("SCAN ") and \
                    detail.split()[1] in BIG_TABLES and \
                    "COVERING INDEX" not in detail:
                found.append("%s: %s" % (name, detail))
    db.close()
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="./plainsight")
    ap.add_argument("--sessions", type=int, default=3000000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--dir", default=os.environ.get(
        "BENCH_DIR", "/tmp/plainsight-bench"))
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    os.makedirs(args.dir, exist_ok=True)
    version = subprocess.run([args.bin, "--version"], capture_output=True,
                             text=True, check=True).stdout.split()[-1]
    path = os.path.join(args.dir, "db-month-%d-%d.db" %
                        (args.sessions, args.days))
    stamp = path + ".schema"
    # The schema version is what the cached file depends on.
    meta = subprocess.run([args.bin, "report", "-d", path, "--format",
                           "json", "--section", "runs"],
                          capture_output=True, text=True) \
        if os.path.exists(path) and not args.rebuild else None
    if meta is None or meta.returncode != 0 or not os.path.exists(stamp) or \
            open(stamp).read() != str(json.loads(meta.stdout)
                                      ["schema_version"]):
        print("generating %d sessions over %d days in %s" %
              (args.sessions, args.days, path), file=sys.stderr)
        build(args, path)
        meta = subprocess.run([args.bin, "report", "-d", path, "--format",
                               "json", "--section", "runs"],
                              capture_output=True, text=True, check=True)
        with open(stamp, "w") as f:
            f.write(str(json.loads(meta.stdout)["schema_version"]))

    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    counts = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
              for t in ("sessions", "credentials", "findings", "services",
                        "runs")}
    print("plainsight %s, database %s: %.0f MB" %
          (version, path, os.path.getsize(path) / 1e6))
    print("  " + ", ".join("%s %d" % kv for kv in counts.items()))

    # The baseline, measured in the same run on the same machine: one
    # pass over every row of sessions, the largest table.
    base, _ = timed(lambda: db.execute(
        "SELECT sum(length(protocol)), sum(length(server_ip))"
        " FROM sessions NOT INDEXED").fetchall())
    print("\nbaseline, one full scan of sessions: %.3f s" % base)

    print("\nviews (all rows, all time; x baseline):")
    for v in VIEWS:
        secs, rows = timed(lambda: db.execute(
            "SELECT * FROM %s" % v).fetchall())
        print("  %-26s %8.3f s %6.2fx  %7d rows" %
              (v, secs, secs / base, len(rows)))
    db.close()

    print("\nreport, whole, per format (x baseline):")
    for window in (None, "7d", "30d"):
        extra = ["--since", window] if window else []
        line = "  %-8s" % (window or "24h")
        for f in FORMATS:
            secs = run_report(args, path, "--format", f, *extra)
            line += "  %s %6.3f s %5.2fx" % (f, secs, secs / base)
        print(line)

    out = subprocess.run([args.bin, "report", "-d", path, "--format",
                          "json"], capture_output=True, text=True,
                         check=True)
    doc = json.loads(out.stdout)
    print("\nreport sections, last 24 hours (csv):")
    for s in doc["sections"]:
        secs = run_report(args, path, "--format", "csv", "--section",
                          s["name"])
        print("  %-26s %8.3f s %6.2fx  %7d rows" %
              (s["name"], secs, secs / base, len(s["rows"])))

    w = doc["window"]
    params = {"since": w["since"], "until": w["until"],
              "prev_since": w["previous_since"],
              "bucket": "%Y-%m-%dT%H:00Z", "step": "+1 hour"}
    queries = [(s["name"], s["query"], params) for s in doc["sections"]]
    queries += [(v, "SELECT * FROM %s" % v, {}) for v in VIEWS]
    found = plans(path, queries)
    print("\nfull scans of sessions, findings or credentials:")
    for line in found or ["  none"]:
        print("  " + line)


if __name__ == "__main__":
    main()
