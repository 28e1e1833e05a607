#!/usr/bin/env python3
"""Hostile-traffic resource benchmark: does memory stay under the cap?

Writes crafted captures (once, into BENCH_DIR) that each attack one
resource, runs plainsight over every one of them under a --max-memory cap,
and reports peak resident memory next to the cap and next to a baseline
(plainsight on an empty capture, measured in the same run).  Each capture
starts with a mail login whose connection stays open through the attack
and ends with another one; both must be in the database afterwards, which
shows that what was found before the attack was kept and that the process
went on working through it.

  syn-flood      1,000,000 SYNs from distinct addresses, never answered
  half-open      1,000,000 completed handshakes with an SMTP greeting,
                 never closed
  endless-line   one SMTP command line of 256 MiB without a line end
  imap-literal   an IMAP LOGIN announcing a 4 GiB literal, then 256 MiB
  tls-16mb       a TLS handshake message announcing 16 MiB, then 20 MiB
                 of records
  never-filled   20,000 connections whose first segment never arrives,
                 and one with 256 MiB queued behind a hole

Environment: BENCH_DIR (default /tmp/plainsight-bench), RES_MAX_MEMORY
(MiB, default 64), RES_ONLY (comma-separated scenario names).
Exit status 1 when a marker login is missing, a run fails, or peak memory
over the baseline exceeds the cap.
"""
import base64
import os
import sqlite3
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

ETH = b"\x00\x00\x00\x00\x00\x02" + b"\x00\x00\x00\x00\x00\x01" + b"\x08\x00"
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
SEG = 60000          # payload per bulk segment (snaplen is 65535)


class Pcap:
    """A classic pcap writer with one clock that moves forward 10 us per
    packet.  Checksums are left zero; runs use --checksum off."""

    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 22)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                                 65535, 1))
        self.usec = 1_700_000_000 * 1_000_000

    def tcp(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        iplen = 40 + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, iplen, 0, 0x4000, 64, 6,
                         0, src, dst)
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                          ack & 0xFFFFFFFF, 0x50, flags, 65535, 0, 0)
        frame = ETH + ip + tcp + payload
        self.usec += 10
        self.f.write(struct.pack("<IIII", self.usec // 1_000_000,
                                 self.usec % 1_000_000, len(frame),
                                 len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def ip4(a, b, c, d):
    return bytes((a, b, c, d))


class Conn:
    """One TCP connection; send() keeps the sequence numbers."""

    def __init__(self, cap, cli, srv, cport, sport):
        self.cap, self.cli, self.srv = cap, cli, srv
        self.cport, self.sport = cport, sport
        self.cseq, self.sseq = 1000, 5000

    def handshake(self):
        c = self.cap
        c.tcp(self.cli, self.srv, self.cport, self.sport, self.cseq, 0, SYN)
        c.tcp(self.srv, self.cli, self.sport, self.cport, self.sseq,
              self.cseq + 1, SYN | ACK)
        self.cseq += 1
        self.sseq += 1
        c.tcp(self.cli, self.srv, self.cport, self.sport, self.cseq,
              self.sseq, ACK)

    def client(self, data, acked=True):
        self.cap.tcp(self.cli, self.srv, self.cport, self.sport, self.cseq,
                     self.sseq, PSH | ACK, data)
        self.cseq += len(data)
        if acked:
            self.cap.tcp(self.srv, self.cli, self.sport, self.cport,
                         self.sseq, self.cseq, ACK)

    def server(self, data):
        self.cap.tcp(self.srv, self.cli, self.sport, self.cport, self.sseq,
                     self.cseq, PSH | ACK, data)
        self.sseq += len(data)

    def close(self):
        c = self.cap
        c.tcp(self.cli, self.srv, self.cport, self.sport, self.cseq,
              self.sseq, FIN | ACK)
        c.tcp(self.srv, self.cli, self.sport, self.cport, self.sseq,
              self.cseq + 1, FIN | ACK)
        c.tcp(self.cli, self.srv, self.cport, self.sport, self.cseq + 1,
              self.sseq + 1, ACK)


MARK_SRV = ip4(10, 9, 9, 9)


def marker_login(cap, user, cport):
    """An SMTP submission session up to an accepted AUTH PLAIN."""
    conn = Conn(cap, ip4(10, 9, 0, 1), MARK_SRV, cport, 587)
    conn.handshake()
    conn.server(b"220 mx.example ESMTP ready\r\n")
    conn.client(b"EHLO client.example\r\n")
    conn.server(b"250-mx.example\r\n250 AUTH PLAIN LOGIN\r\n")
    token = base64.b64encode(b"\0" + user.encode() + b"\0bench-secret")
    conn.client(b"AUTH PLAIN " + token + b"\r\n")
    conn.server(b"235 2.7.0 Authentication successful\r\n")
    return conn


def bulk(conn, total, first=b""):
    """Client data of total bytes in SEG-sized segments."""
    chunk = b"a" * SEG
    if first:
        conn.client(first)
    sent = 0
    while sent < total:
        n = min(SEG, total - sent)
        conn.client(chunk[:n])
        sent += n


def scenario_syn_flood(cap):
    src = 0x0B000000                # 11.0.0.0/8, one address per SYN
    for i in range(1_000_000):
        a = src + i
        cap.tcp(struct.pack("!I", a), ip4(192, 0, 2, 25), 1024 + i % 60000,
                25, i * 7919, 0, SYN)


def scenario_half_open(cap):
    srv = ip4(192, 0, 2, 25)
    for i in range(1_000_000):
        cli = struct.pack("!I", 0x0C000000 + i)
        conn = Conn(cap, cli, srv, 1024 + i % 60000, 25)
        conn.handshake()
        conn.server(b"220 mx.example ESMTP\r\n")


def scenario_endless_line(cap):
    conn = Conn(cap, ip4(10, 1, 0, 1), ip4(10, 1, 0, 25), 40000, 25)
    conn.handshake()
    conn.server(b"220 mx.example ESMTP ready\r\n")
    conn.client(b"EHLO client.example\r\n")
    conn.server(b"250 mx.example\r\n")
    bulk(conn, 256 << 20, b"MAIL FROM:<")
    conn.close()


def scenario_imap_literal(cap):
    conn = Conn(cap, ip4(10, 1, 0, 2), ip4(10, 1, 0, 143), 40001, 143)
    conn.handshake()
    conn.server(b"* OK [CAPABILITY IMAP4rev1] ready\r\n")
    conn.client(b"a1 LOGIN {4294967296}\r\n")
    conn.server(b"+ go ahead\r\n")
    bulk(conn, 256 << 20)
    conn.close()


def scenario_tls_16mb(cap):
    conn = Conn(cap, ip4(10, 1, 0, 3), ip4(10, 1, 0, 44), 40002, 443)
    conn.handshake()
    # A ClientHello header announcing 2^24 - 1 bytes, then records that
    # continue it, 16 KiB each, 20 MiB in all.
    first = b"\x16\x03\x01\x40\x00" + b"\x01\xff\xff\xff" + b"\x03\x03" \
        + b"\x00" * (0x4000 - 6)
    record = b"\x16\x03\x01\x40\x00" + b"\x00" * 0x4000
    conn.client(first)
    sent = 0
    while sent < 20 << 20:
        conn.client(record * 3)
        sent += 3 * len(record)
    conn.close()


def scenario_never_filled(cap):
    srv = ip4(192, 0, 2, 110)
    body = b"b" * 1400
    for i in range(20_000):
        conn = Conn(cap, struct.pack("!I", 0x0D000000 + i), srv,
                    1024 + i % 60000, 110)
        conn.handshake()
        conn.server(b"+OK POP3 ready\r\n")
        conn.cseq += 1400           # the first segment is never seen
        for _ in range(8):
            conn.client(body, acked=False)
    big = Conn(cap, ip4(10, 1, 0, 4), ip4(10, 1, 0, 110), 40003, 110)
    big.handshake()
    big.server(b"+OK POP3 ready\r\n")
    big.cseq += 100
    chunk = b"c" * SEG
    for _ in range((256 << 20) // SEG):
        big.client(chunk, acked=False)


SCENARIOS = [("syn-flood", scenario_syn_flood),
             ("half-open", scenario_half_open),
             ("endless-line", scenario_endless_line),
             ("imap-literal", scenario_imap_literal),
             ("tls-16mb", scenario_tls_16mb),
             ("never-filled", scenario_never_filled)]

GENERATOR_VERSION = 1


def generate(bench_dir, name, body):
    path = os.path.join(bench_dir, f"res-{name}-v{GENERATOR_VERSION}.pcap")
    if os.path.exists(path):
        return path
    print(f"generating {path} ...", flush=True)
    cap = Pcap(path + ".tmp")
    start = marker_login(cap, "marker-before", 50000)
    body(cap)
    end = marker_login(cap, "marker-after", 50001)
    end.close()
    start.close()
    cap.close()
    os.rename(path + ".tmp", path)
    return path


def run(pcap, db, max_memory):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    cmd = [os.path.join(TOP, "plainsight"), "capture", "-q",
           "--checksum", "off", "-r", pcap, "-d", db]
    if max_memory:
        cmd += ["--max-memory", str(max_memory)]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    return (os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024.0,
            time.monotonic() - start, err)


def counters(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT name, value FROM run_counters WHERE run_id ="
                       " (SELECT max(id) FROM runs)").fetchall()
    users = {r[0] for r in con.execute("SELECT username FROM credentials")}
    con.close()
    return dict(rows), users


WATCH = ("flows_evicted", "analyses_evicted", "stream_bytes_dropped",
         "reasm_cap_hits", "reasm_dropped_ahead", "classify_abandoned",
         "alloc_failures", "memory_peak")


def main():
    bench_dir = os.environ.get("BENCH_DIR", "/tmp/plainsight-bench")
    cap_mb = int(os.environ.get("RES_MAX_MEMORY", "64"))
    only = os.environ.get("RES_ONLY", "")
    os.makedirs(bench_dir, exist_ok=True)
    db = os.path.join(bench_dir, "resources.db")

    empty = generate(bench_dir, "empty", lambda cap: None)
    code, base_rss, _, err = run(empty, db, cap_mb)
    if code != 0:
        sys.exit(f"baseline run failed ({code}): {err[-400:]}")
    print(f"cap --max-memory {cap_mb} MiB; baseline peak RSS "
          f"{base_rss:.1f} MiB (plainsight on a capture of two logins)\n")
    print(f"{'scenario':<14}{'exit':>5}{'peak RSS':>10}{'over base':>11}"
          f"{'/cap':>7}{'seconds':>9}  logins  dropped (counters)")
    failed = False
    for name, body in SCENARIOS:
        if only and name not in only.split(","):
            continue
        pcap = generate(bench_dir, name, body)
        code, rss, secs, err = run(pcap, db, cap_mb)
        found = set()
        dropped = {}
        if os.path.exists(db):
            c, found = counters(db)
            dropped = {k: c[k] for k in WATCH if c.get(k)}
        logins = ("ok" if {"marker-before", "marker-after"} <= found
                  else "MISSING")
        over = rss - base_rss
        ok = code == 0 and logins == "ok" and over <= cap_mb
        failed |= not ok
        shown = ", ".join(f"{k}={v}" for k, v in dropped.items())
        print(f"{name:<14}{code:>5}{rss:>9.1f}M{over:>10.1f}M"
              f"{over / cap_mb:>7.2f}{secs:>9.1f}  {logins:<7} {shown}"
              + ("" if ok else "   <-- FAIL"), flush=True)
        if code != 0:
            print("   " + err.strip().replace("\n", "\n   ")[-600:])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
