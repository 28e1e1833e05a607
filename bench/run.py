#!/usr/bin/env python3
"""Benchmark plainsight against a bare libpcap loop and ndpiReader.

Generates (once, outside the repository) a realistic capture with
gen-bench-pcap.py, then runs on the same file, in the same run:
  readloop     libpcap reading every packet and nothing else (the ceiling)
  plainsight   plainsight capture -r FILE
  ndpiReader   nDPI's own reader (Debian's libndpi-bin)
Each is run REPEAT times; the median wall time counts.  Prints throughput
(Gbit/s, packets/s), peak resident memory, ratios, and checks plainsight's
database against the generator's truth file.

Environment: BENCH_DIR (default /tmp/plainsight-bench), BENCH_SIZE_MB (1024),
BENCH_REPEAT (3), BENCH_SEED (1), BENCH_NDPI (1; 0 skips ndpiReader),
BENCH_COMPARE (a git revision: also build and time plainsight as it was
there, to show what a change costs).
Exit status 1 when a count disagrees with the truth.
"""
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def env(name, default):
    return os.environ.get(name, default)


def generate(path, size_mb, seed):
    truth = path + ".truth.json"
    if os.path.exists(path) and os.path.exists(truth):
        return
    print(f"generating {size_mb} MiB capture in {path} ...", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen-bench-pcap.py"),
                    "--out", path, "--size-mb", str(size_mb),
                    "--seed", str(seed)], check=True)


def timed(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS in MiB,
    stdout)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{cmd[0]} failed ({code}): {err.decode()[-500:]}")
    return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0,
            out.decode())


def measure(name, cmd, repeat, setup=None):
    walls, cpus, rss, out = [], [], 0.0, ""
    for _ in range(repeat):
        if setup:
            setup()
        wall, cpu, peak, out = timed(cmd)
        walls.append(wall)
        cpus.append(cpu)
        rss = max(rss, peak)
    return {"name": name, "wall": statistics.median(walls),
            "cpu": statistics.median(cpus), "rss": rss, "out": out}


def build_revision(rev, bench_dir):
    """Builds plainsight at git revision rev in a scratch worktree."""
    tree = os.path.join(bench_dir, "compare-" + rev.replace("/", "_"))
    if os.path.exists(tree):
        subprocess.run(["git", "-C", TOP, "worktree", "remove", "--force",
                        tree], check=False, capture_output=True)
    subprocess.run(["git", "-C", TOP, "worktree", "add", "--detach", tree,
                    rev], check=True, capture_output=True)
    # Serially: some older revisions' Makefiles race under -j.
    subprocess.run(["make", "-C", tree, "plainsight"], check=True,
                   capture_output=True)
    return tree


def one(db, sql):
    return db.execute(sql).fetchone()[0] or 0


def check_counts(dbpath, truth):
    """Compares what plainsight stored with the generator's truth."""
    db = sqlite3.connect(dbpath)
    checks = []

    def expect(what, got, want):
        checks.append((what, got, want, got == want))

    for proto in ("smtp", "imap", "pop3"):
        expect(f"{proto} sessions",
               one(db, "SELECT count(*) FROM sessions WHERE protocol="
                       f"'{proto}' AND tls != 'implicit'"),
               truth["sessions"].get(proto, 0))
        expect(f"{proto}s sessions (implicit TLS)",
               one(db, "SELECT count(*) FROM sessions WHERE protocol="
                       f"'{proto}' AND tls = 'implicit'"),
               truth["sessions"].get(proto + "s", 0))
        expect(f"{proto} STARTTLS sessions",
               one(db, "SELECT count(*) FROM sessions WHERE protocol="
                       f"'{proto}' AND tls='starttls'"),
               truth["starttls_sessions"].get(proto, 0))
        expect(f"{proto} offered but not used",
               one(db, "SELECT count(*) FROM sessions WHERE protocol="
                       f"'{proto}' AND tls='none' AND starttls_offered=1 "
                       "AND coalesce(starttls_attempted, 0)=0"),
               truth["missing_starttls"].get(f"{proto}_offered_not_used", 0))
        expect(f"{proto} not offered",
               one(db, "SELECT count(*) FROM sessions WHERE protocol="
                       f"'{proto}' AND tls='none' AND starttls_offered=0"),
               truth["missing_starttls"].get(f"{proto}_not_offered", 0))

    expect("HTTPS sessions",
           one(db, "SELECT count(*) FROM sessions WHERE protocol='http' "
                   "AND tls='implicit'"),
           truth["sessions"].get("https", 0))
    tls_sessions = (truth["sessions"].get("https", 0)
                    + truth["sessions"].get("imaps", 0)
                    + truth["starttls_sessions"].get("total", 0))
    expect("TLS 1.3 sessions (all TLS is 1.3)",
           one(db, "SELECT count(*) FROM sessions "
                   "WHERE tls_version='TLSv1.3'"), tls_sessions)
    expect("TLS findings (none expected)",
           one(db, "SELECT count(*) FROM findings WHERE kind IN "
                   "('obsolete_tls_version', 'broken_cipher', "
                   "'no_forward_secrecy', 'tls_handshake_failed')"), 0)

    mechs = {"smtp_auth_plain": ("smtp", "PLAIN"),
             "smtp_auth_login": ("smtp", "LOGIN"),
             "imap_login": ("imap", "LOGIN"),
             "imap_authenticate_plain": ("imap", "PLAIN"),
             "pop3_user_pass": ("pop3", "USER")}
    mail = [c for c in truth["credential_list"]
            if c["protocol"] in ("smtp", "imap", "pop3")]
    for key, (proto, mech) in mechs.items():
        expect(f"credentials {proto} {mech}",
               one(db, "SELECT count(*) FROM credentials WHERE protocol="
                       f"'{proto}' AND mechanism='{mech}'"),
               sum(1 for c in mail if c["mechanism"] == key))
    expect("mail credentials accepted",
           one(db, "SELECT count(*) FROM credentials WHERE protocol IN "
                   "('smtp','imap','pop3') AND outcome='accepted'"),
           sum(1 for c in mail if c["accepted"]))
    expect("mail credentials rejected",
           one(db, "SELECT count(*) FROM credentials WHERE protocol IN "
                   "('smtp','imap','pop3') AND outcome='rejected'"),
           sum(1 for c in mail if not c["accepted"]))
    http = [c for c in truth["credential_list"] if c["protocol"] == "http"]
    expect("HTTP sessions (cleartext)",
           one(db, "SELECT count(*) FROM sessions WHERE protocol='http' "
                   "AND tls='none'"),
           truth["sessions"].get("http", 0))
    for key, mech in (("http_basic", "BASIC"), ("http_form_post", "FORM")):
        rows = [c for c in http if c["mechanism"] == key]
        expect(f"credentials http {mech}",
               one(db, "SELECT count(*) FROM credentials WHERE "
                       f"protocol='http' AND mechanism='{mech}'"), len(rows))
        expect(f"http {mech} requests carrying it",
               one(db, "SELECT sum(count) FROM credentials WHERE "
                       f"protocol='http' AND mechanism='{mech}'"),
               sum(c["occurrences"] for c in rows))
        expect(f"http {mech} accepted",
               one(db, "SELECT count(*) FROM credentials WHERE "
                       f"protocol='http' AND mechanism='{mech}' "
                       "AND outcome='accepted'"),
               sum(1 for c in rows if c["accepted"]))
    # A refused Basic login gets 401; a refused form is shown again with
    # 200, which plainsight leaves without a verdict.
    expect("http BASIC rejected",
           one(db, "SELECT count(*) FROM credentials WHERE protocol='http' "
                   "AND mechanism='BASIC' AND outcome='rejected'"),
           sum(1 for c in http
               if c["mechanism"] == "http_basic" and not c["accepted"]))
    expect("webmail form logins (all forms post to /webmail/login)",
           one(db, "SELECT count(DISTINCT f.session_id) FROM findings f "
                   "JOIN credentials c ON c.session_id = f.session_id "
                   "WHERE f.kind='cleartext_webmail_login' "
                   "AND c.mechanism='FORM'"),
           sum(1 for c in http if c["mechanism"] == "http_form_post"))
    db.close()
    return checks


def main():
    bench_dir = env("BENCH_DIR", "/tmp/plainsight-bench")
    size_mb = int(env("BENCH_SIZE_MB", "1024"))
    repeat = int(env("BENCH_REPEAT", "3"))
    seed = int(env("BENCH_SEED", "1"))
    os.makedirs(bench_dir, exist_ok=True)
    pcap = os.path.join(bench_dir, f"bench-{size_mb}m-s{seed}.pcap")
    generate(pcap, size_mb, seed)
    with open(pcap + ".truth.json") as f:
        truth = json.load(f)
    size = os.path.getsize(pcap)
    packets = truth["file"]["packets"]

    # Warm the page cache so that every tool reads from memory.
    with open(pcap, "rb") as f:
        while f.read(1 << 24):
            pass

    dbpath = os.path.join(bench_dir, "bench.db")

    def fresh_db():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(dbpath + suffix):
                os.unlink(dbpath + suffix)

    runs = [measure("readloop", [os.path.join(TOP, "build", "bench",
                                              "readloop"), pcap], repeat),
            measure("plainsight", [os.path.join(TOP, "plainsight"),
                                   "capture", "-q", "-r", pcap,
                                   "-d", dbpath], repeat, fresh_db)]
    compare = env("BENCH_COMPARE", "")
    if compare:
        tree = build_revision(compare, bench_dir)
        old_db = os.path.join(bench_dir, "compare.db")

        def fresh_old_db():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(old_db + suffix):
                    os.unlink(old_db + suffix)

        runs.append(measure(f"@{compare[:10]}",
                            [os.path.join(tree, "plainsight"), "capture",
                             "-q", "-r", pcap, "-d", old_db], repeat,
                            fresh_old_db))
        subprocess.run(["git", "-C", TOP, "worktree", "remove", "--force",
                        tree], check=False, capture_output=True)
    if env("BENCH_NDPI", "1") != "0" and shutil.which("ndpiReader"):
        runs.append(measure("ndpiReader", ["ndpiReader", "-q", "-i", pcap],
                            1))

    print(f"\ncapture: {pcap}\n  {size / 1e9:.2f} GB, {packets:,} packets, "
          f"median of {repeat} runs (ndpiReader: 1)\n")
    print("throughput is on wall time; ratios are given on wall time and")
    print("on CPU time (user + system), which shared machines disturb less\n")
    print(f"{'tool':<13} {'wall s':>7} {'CPU s':>7} {'Gbit/s':>7} "
          f"{'Mpkt/s':>7} {'peak MiB':>9}")
    by = {}
    for r in runs:
        by[r["name"]] = r
        print(f"{r['name']:<13} {r['wall']:7.2f} {r['cpu']:7.2f} "
              f"{size * 8 / r['wall'] / 1e9:7.2f} "
              f"{packets / r['wall'] / 1e6:7.2f} {r['rss']:9.1f}")
    ps = by["plainsight"]
    print(f"\n{'plainsight speed relative to':<34} {'wall':>6} {'CPU':>6}")
    for name, r in by.items():
        if name == "plainsight":
            continue
        label = "plainsight" + name if name.startswith("@") else name
        print(f"  {label:<32} {r['wall'] / ps['wall']:6.2f} "
              f"{r['cpu'] / ps['cpu']:6.2f}")
    if "ndpiReader" in by:
        print(f"plainsight peak memory / ndpiReader's: "
              f"{ps['rss'] / by['ndpiReader']['rss']:.2f}")

    print("\ncounts against the truth file:")
    ok = True
    for what, got, want, good in check_counts(dbpath, truth):
        ok &= good
        print(f"  {'ok ' if good else 'BAD'} {what:<34} {got:>8} "
              f"(truth {want})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
