#!/usr/bin/env python3
"""Pcap regression tests: run plainsight on captures and compare its database
with hand-written expected facts.

Usage: run-pcap-tests.py [--bin PATH] [--only NAME,...] [-v] [-j N] [--keep]
                         [--testlist FILE]

Each line of tests/pcap/TESTLIST is a case:

    name  capture-file  expected-file  [extra plainsight capture options...]

(paths relative to the TESTLIST's folder; "#" starts a comment line; words
are split like a shell does, so a BPF filter can be quoted).  For each case
the runner runs, in a fresh temporary folder,

    plainsight capture -r CAPTURE -d TMPDIR/out.db [options...]

with a 60 second limit, then checks the exit status, stderr and the database
against the expected file (format in tests/pcap/README.md).  It prints
"PASS name" or "FAIL name" with the differences, then "N/M passed"; the exit
status is 0 only when every case passed.

Python 3 standard library only.
"""

import argparse
import base64
import collections
import concurrent.futures
import fnmatch
import ipaddress
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TESTLIST = os.path.join(HERE, "pcap", "TESTLIST")
TIMEOUT = 60
DB_NAME = "out.db"

# A binary built with make SANITIZE=1 writes its AddressSanitizer,
# LeakSanitizer and UBSan reports to files named after this prefix in the
# case's folder (log_path), so that any report fails the case, whatever the
# exit status it leaves.
SANITIZER_LOG = "sanitizer"
SANITIZER_VARS = ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS")

# Short names usable in session lines for sessions columns.
SESSION_ALIASES = {
    "offered": "starttls_offered",
    "attempted": "starttls_attempted",
    "result": "starttls_result",
}


class CaseError(Exception):
    """A problem that stops a case before any comparison (bad expected file,
    missing capture, unreadable database)."""


# ---------------------------------------------------------------------------
# Values and endpoints

def norm_value(v):
    """A database or expected value as comparable text; NULL is "null"."""
    if v is None:
        return "null"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    s = str(v)
    return "null" if s.lower() == "null" else s


def norm_ip(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return str(text)


def parse_endpoint(text):
    """ "ip:port" or "[v6]:port" -> (normalised ip, port); "-" -> "-"."""
    if text == "-":
        return "-"
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d+)", text) or \
        re.fullmatch(r"([0-9.]+):(\d+)", text)
    if not m:
        raise ValueError("bad endpoint %r (want ip:port or [v6]:port)" % text)
    try:
        ip = str(ipaddress.ip_address(m.group(1)))
    except ValueError:
        raise ValueError("bad address in endpoint %r" % text)
    return (ip, int(m.group(2)))


def fmt_endpoint(ep):
    if ep == "-":
        return "-"
    ip, port = ep
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def db_endpoint(ip, port):
    if ip is None and port is None:
        return "-"
    try:
        port = int(port)
    except (TypeError, ValueError):
        pass
    return (norm_ip(ip), port)


def quote_word(s):
    """A word as written in an expected file (quoted when needed)."""
    if s and re.fullmatch(r"[^\s'\"\\#]+", s):
        return s
    return shlex.quote(s) if s else "''"


# ---------------------------------------------------------------------------
# Expected files

class Expected:
    def __init__(self):
        self.scope = None          # set of protocols, None = all
        self.sessions = []         # (key, attrs, line number)
        self.credentials = []      # (tuple, attrs, line number)
        self.findings = []         # (tuple, line number)
        self.run = {}              # column -> value
        self.exit = 0
        self.exit_given = False
        self.stderr_contains = []
        self.stderr_matches = []
        self.secrets = []

    def wants_db(self):
        """Whether the database is compared: always for a successful run,
        and for a failing one when it states database facts."""
        return self.exit == 0 or bool(
            self.sessions or self.credentials or self.findings or self.run)


def split_kv(words, lineno):
    attrs = {}
    for w in words:
        if "=" not in w:
            raise CaseError("line %d: %r is not key=value" % (lineno, w))
        k, v = w.split("=", 1)
        attrs[k] = norm_value(v)
    return attrs


def parse_expected(path):
    exp = Expected()
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise CaseError("cannot read expected file: %s" % e)
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        # Free-text directives take the rest of the line as it is.
        if keyword == "stderr-contains":
            exp.stderr_contains.append(rest)
            continue
        if keyword == "stderr-matches":
            try:
                exp.stderr_matches.append(re.compile(rest))
            except re.error as e:
                raise CaseError("line %d: bad regex: %s" % (lineno, e))
            continue
        if keyword == "secret":
            if not rest:
                raise CaseError("line %d: empty secret" % lineno)
            exp.secrets.append(rest)
            continue
        try:
            words = shlex.split(rest)
        except ValueError as e:
            raise CaseError("line %d: %s" % (lineno, e))
        try:
            if keyword == "scope":
                exp.scope = set(w.lower() for w in words)
            elif keyword == "session":
                if len(words) < 3:
                    raise CaseError("line %d: session CLIENT SERVER "
                                    "PROTOCOL [key=value...]" % lineno)
                key = (parse_endpoint(words[0]), parse_endpoint(words[1]),
                       words[2])
                attrs = split_kv(words[3:], lineno)
                exp.sessions.append((key, attrs, lineno))
            elif keyword == "credential":
                if len(words) < 6:
                    raise CaseError("line %d: credential CLIENT SERVER MECH "
                                    "USER EXPOSURE OUTCOME" % lineno)
                tup = (parse_endpoint(words[0]), parse_endpoint(words[1]),
                       words[2], words[3], words[4], words[5])
                exp.credentials.append((tup, split_kv(words[6:], lineno),
                                        lineno))
            elif keyword == "finding":
                if len(words) != 5:
                    raise CaseError("line %d: finding CLIENT SERVER KIND "
                                    "SEVERITY RECOMMENDATION" % lineno)
                tup = (parse_endpoint(words[0]), parse_endpoint(words[1]),
                       words[2], words[3], norm_value(words[4]))
                exp.findings.append((tup, lineno))
            elif keyword == "run":
                exp.run.update(split_kv(words, lineno))
            elif keyword == "exit":
                if len(words) != 1 or not re.fullmatch(r"-?\d+", words[0]):
                    raise CaseError("line %d: exit N" % lineno)
                exp.exit = int(words[0])
                exp.exit_given = True
            else:
                raise CaseError("line %d: unknown directive %r" %
                                (lineno, keyword))
        except ValueError as e:
            raise CaseError("line %d: %s" % (lineno, e))
    return exp


# ---------------------------------------------------------------------------
# The database

def table_columns(db, table):
    return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]


def fetch_dicts(db, table):
    cols = table_columns(db, table)
    if not cols:
        raise CaseError("database has no table %r" % table)
    rows = db.execute("SELECT * FROM %s" % table).fetchall()
    return cols, [dict(zip(cols, r)) for r in rows]


def need_columns(table, cols, wanted):
    missing = [c for c in wanted if c not in cols]
    if missing:
        raise CaseError("table %s has no column %s (it has: %s)" % (
            table, ", ".join(repr(c) for c in missing), ", ".join(cols)))


def fmt_session(key, attrs=None):
    client, server, proto = key
    words = ["session", fmt_endpoint(client), fmt_endpoint(server),
             quote_word(proto)]
    for k, v in (attrs or {}).items():
        words.append("%s=%s" % (k, quote_word(v)))
    return " ".join(words)


def fmt_credential(tup, attrs=None):
    client, server, mech, user, exposure, outcome = tup
    words = ["credential", fmt_endpoint(client), fmt_endpoint(server),
             quote_word(mech), quote_word(user), quote_word(exposure),
             quote_word(outcome)]
    for k, v in (attrs or {}).items():
        words.append("%s=%s" % (k, quote_word(v)))
    return " ".join(words)


def fmt_finding(tup):
    client, server, kind, sev, rec = tup
    return " ".join(["finding", fmt_endpoint(client), fmt_endpoint(server),
                     quote_word(kind), quote_word(sev), quote_word(rec)])


def attr_diffs(row, attrs, aliases=None):
    """Differences between a database row and expected key=value pairs."""
    out = []
    for k, want in attrs.items():
        col = (aliases or {}).get(k, k)
        if col not in row:
            out.append("no column %r" % col)
            continue
        got = norm_value(row[col])
        if got != want:
            out.append("%s is %s, expected %s" % (k, got, want))
    return out


def match_groups(expected, actual, label, aliases=None):
    """Pairs expected lines with database rows of the same key.

    expected: list of (key, attrs, lineno); actual: dict key -> list of
    rows.  Returns the list of difference lines."""
    diffs = []
    want = collections.defaultdict(list)
    for key, attrs, lineno in expected:
        want[key].append((attrs, lineno))
    for key in want:
        rows = list(actual.get(key, []))
        # Most specific expectations first, each takes the first row that
        # satisfies it.
        for attrs, lineno in sorted(want[key], key=lambda a: -len(a[0])):
            ok = [r for r in rows if not attr_diffs(r, attrs, aliases)]
            if ok:
                rows.remove(ok[0])
            elif rows:
                d = attr_diffs(rows[0], attrs, aliases)
                diffs.append("line %d: %s: %s" % (
                    lineno, label(key, {}), "; ".join(d)))
                rows.pop(0)
            else:
                diffs.append("missing:    %s" % label(key, attrs))
        for _ in rows:
            diffs.append("unexpected: %s" % label(key))
    for key, rows in actual.items():
        if key not in want:
            for _ in rows:
                diffs.append("unexpected: %s" % label(key))
    return diffs


def session_summary(row):
    """The attributes shown for an unexpected session."""
    out = collections.OrderedDict()
    for k, col in (("tls", "tls"), ("offered", "starttls_offered"),
                   ("attempted", "starttls_attempted"),
                   ("result", "starttls_result"), ("gaps", "gaps")):
        if col in row:
            out[k] = norm_value(row[col])
    return out


def compare_db(dbpath, exp):
    """Returns the list of differences between the database and exp."""
    if not os.path.exists(dbpath):
        return ["no database was written"]
    try:
        db = sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        return ["cannot open the database: %s" % e]
    try:
        return _compare_db(db, exp)
    except CaseError as e:
        return [str(e)]
    except sqlite3.Error as e:
        return ["database error: %s" % e]
    finally:
        db.close()


def _compare_db(db, exp):
    diffs = []

    # Sessions in scope, keyed by (client, server, protocol).
    scols, srows = fetch_dicts(db, "sessions")
    need_columns("sessions", scols, ["id", "client_ip", "client_port",
                                     "server_ip", "server_port",
                                     "protocol"])
    in_scope = {}
    out_of_scope = {}
    actual = collections.defaultdict(list)
    for r in srows:
        ends = (db_endpoint(r["client_ip"], r["client_port"]),
                db_endpoint(r["server_ip"], r["server_port"]))
        proto = norm_value(r["protocol"])
        if exp.scope is None or proto in exp.scope:
            in_scope[r["id"]] = ends
            actual[ends + (proto,)].append(r)
        else:
            out_of_scope.setdefault(ends, proto)

    def slabel(key, attrs=None):
        text = fmt_session(key, attrs)
        if attrs is None and actual.get(key):
            text = fmt_session(key, session_summary(actual[key][0]))
        hint = out_of_scope.get(key[:2])
        if attrs is not None and hint:
            text += "   (the database has it as protocol %r)" % hint
        return text

    diffs += match_groups(exp.sessions, actual, slabel, SESSION_ALIASES)

    # Credentials of in-scope sessions.
    ccols, crows = fetch_dicts(db, "credentials")
    need_columns("credentials", ccols, ["session_id", "mechanism",
                                        "username", "exposure", "outcome"])
    cred_actual = collections.defaultdict(list)
    for r in crows:
        if r["session_id"] not in in_scope:
            continue
        user = norm_value(r["username"])
        user = "-" if user in ("", "null") else user
        outcome = norm_value(r["outcome"])
        outcome = "-" if outcome == "null" else outcome
        tup = in_scope[r["session_id"]] + (
            norm_value(r["mechanism"]), user, norm_value(r["exposure"]),
            outcome)
        cred_actual[tup].append(r)
    diffs += match_groups(exp.credentials, cred_actual,
                          lambda key, attrs=None: fmt_credential(key, attrs))

    # Findings of in-scope sessions (and session-less ones when unscoped).
    fcols, frows = fetch_dicts(db, "findings")
    need_columns("findings", fcols, ["session_id", "kind", "severity",
                                     "recommendation"])
    got = collections.Counter()
    for r in frows:
        if r["session_id"] in in_scope:
            ends = in_scope[r["session_id"]]
        elif r["session_id"] is None and exp.scope is None:
            ends = ("-", "-")
        else:
            continue
        got[ends + (norm_value(r["kind"]), norm_value(r["severity"]),
                    norm_value(r["recommendation"]))] += 1
    want = collections.Counter(t for t, _ in exp.findings)
    for t in sorted(want - got, key=str):
        diffs += ["missing:    " + fmt_finding(t)] * (want - got)[t]
    for t in sorted(got - want, key=str):
        diffs += ["unexpected: " + fmt_finding(t)] * (got - want)[t]

    # The run's counters.
    if exp.run:
        rcols, rrows = fetch_dicts(db, "runs")
        need_columns("runs", rcols, list(exp.run))
        if len(rrows) != 1:
            diffs.append("runs has %d rows, expected 1" % len(rrows))
        else:
            for d in attr_diffs(rrows[0], exp.run):
                diffs.append("run: " + d)
    return diffs


# ---------------------------------------------------------------------------
# Secrets

def secret_forms(secret):
    """The secret, and the parts of its base64 encodings that depend on its
    bytes only, at the three alignments it may have inside a longer
    base64 message (AUTH PLAIN, XOAUTH2, ...)."""
    raw = secret.encode()
    forms = [("as text", raw)]
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + raw)
        first = -(-k // 3)                   # first group free of padding
        last = (k + len(raw)) // 3           # groups entirely of secret
        if last - first >= 2:
            forms.append(("in base64", enc[4 * first:4 * last]))
    return forms


def find_secrets(tmp, stdout, stderr, secrets):
    leaks = []
    blobs = [("stdout", stdout), ("stderr", stderr)]
    for name in sorted(os.listdir(tmp)):
        if name.startswith(DB_NAME):
            with open(os.path.join(tmp, name), "rb") as f:
                blobs.append((name, f.read()))
    for secret in secrets:
        for how, form in secret_forms(secret):
            where = [n for n, b in blobs if form in b]
            if where:
                leaks.append("secret %r found %s in %s" % (
                    secret, how, ", ".join(where)))
                break
    return leaks


# ---------------------------------------------------------------------------
# Running a case

class Case:
    def __init__(self, name, capture, expected, options, lineno):
        self.name = name
        self.capture = capture
        self.expected = expected
        self.options = options
        self.lineno = lineno


def read_testlist(path):
    base = os.path.dirname(os.path.abspath(path))
    cases = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = shlex.split(line)
            if len(words) < 3:
                sys.exit("%s:%d: want: name capture expected [options]" %
                         (path, lineno))
            opts = words[3:]
            # Further -r files are named relative to the TESTLIST too.
            for i in range(len(opts) - 1):
                if opts[i] == "-r":
                    opts[i + 1] = os.path.join(base, opts[i + 1])
            cases.append(Case(words[0], os.path.join(base, words[1]),
                              os.path.join(base, words[2]), opts, lineno))
    names = collections.Counter(c.name for c in cases)
    dups = [n for n, k in names.items() if k > 1]
    if dups:
        sys.exit("%s: duplicate case names: %s" % (path, ", ".join(dups)))
    return cases


def describe_status(rc):
    if rc < 0:
        try:
            return "killed by signal %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def tail(text, n=15):
    lines = text.rstrip().splitlines()
    return lines[-n:]


def sanitizer_env(tmp):
    """The environment with the sanitizers' reports sent to files in tmp;
    options already set are kept (a later option overrides)."""
    env = dict(os.environ)
    log = "log_path=" + os.path.join(tmp, SANITIZER_LOG)
    for var in SANITIZER_VARS:
        env[var] = env[var] + ":" + log if env.get(var) else log
    return env


def sanitizer_reports(tmp):
    """Report lines of the sanitizer log files in tmp, if any."""
    out = []
    for name in sorted(os.listdir(tmp)):
        if name.startswith(SANITIZER_LOG + "."):
            with open(os.path.join(tmp, name), errors="replace") as f:
                out.append("sanitizer report %s:" % name)
                out += ["  | " + ln for ln in tail(f.read(), 40)]
    return out


def run_case(case, binary, keep, verbose):
    """Returns (passed, list of report lines); never raises."""
    try:
        return _run_case(case, binary, keep, verbose)
    except Exception as e:  # a runner bug must not hide the other cases
        return False, ["runner error: %s: %s" % (type(e).__name__, e)]


def _run_case(case, binary, keep, verbose):
    report = []
    try:
        exp = parse_expected(case.expected)
    except CaseError as e:
        return False, ["%s: %s" % (os.path.basename(case.expected), e)]
    if not os.path.isfile(case.capture):
        return False, ["capture not found: %s" % case.capture]
    if not binary or not os.path.isfile(binary) or \
            not os.access(binary, os.X_OK):
        return False, ["plainsight binary not found or not executable: %s "
                       "(build it with make, or pass --bin)" % binary]

    tmp = tempfile.mkdtemp(prefix="pcaptest-%s-" % case.name)
    try:
        dbpath = os.path.join(tmp, DB_NAME)
        cmd = [binary, "capture", "-r", case.capture, "-d", dbpath] + \
            case.options
        if verbose:
            report.append("$ " + " ".join(shlex.quote(c) for c in cmd))
        try:
            p = subprocess.run(cmd, cwd=tmp, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT,
                               env=sanitizer_env(tmp))
        except subprocess.TimeoutExpired:
            return False, report + ["timed out after %d s" % TIMEOUT]
        except OSError as e:
            return False, report + ["cannot run %s: %s" % (binary, e)]
        stderr = p.stderr.decode("utf-8", "replace")
        diffs = []

        # Exit status and error messages.
        if p.returncode != exp.exit:
            diffs.append("%s, expected exit status %d" % (
                describe_status(p.returncode), exp.exit))
        for text in exp.stderr_contains:
            if text not in stderr:
                diffs.append("stderr lacks %r" % text)
        for rx in exp.stderr_matches:
            if not rx.search(stderr):
                diffs.append("stderr does not match /%s/" % rx.pattern)

        # Database facts, unless the run failed before any was expected.
        if exp.wants_db() and (p.returncode == exp.exit or
                               os.path.exists(dbpath)):
            diffs += compare_db(dbpath, exp)

        # Secrets must appear nowhere: not in the database, the run's
        # output, nor the report made from the database.
        reports = b""
        if exp.secrets and os.path.exists(dbpath):
            r = subprocess.run([binary, "report", "-d", dbpath],
                               capture_output=True, timeout=60, cwd=tmp,
                               env=sanitizer_env(tmp))
            reports = r.stdout + r.stderr
            if r.returncode != 0:
                diffs.append("report: %s" % describe_status(r.returncode))
        diffs += find_secrets(tmp, p.stdout + reports, p.stderr,
                              exp.secrets)
        diffs += sanitizer_reports(tmp)

        report += diffs
        if (diffs or verbose) and stderr.strip():
            report.append("stderr (last lines):")
            report += ["  | " + ln for ln in tail(stderr)]
        if keep:
            report.append("kept: %s" % tmp)
        return not diffs, report
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def unlisted_expected(testlist, cases):
    """Expected files beside TESTLIST that no case uses."""
    base = os.path.dirname(os.path.abspath(testlist))
    used = {os.path.abspath(c.expected) for c in cases}
    out = []
    for root, _, files in os.walk(base):
        for f in files:
            p = os.path.abspath(os.path.join(root, f))
            if f.endswith(".expected") and p not in used:
                out.append(os.path.relpath(p, base))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(
        description="Run plainsight's pcap regression cases.")
    ap.add_argument("--bin", default="./plainsight",
                    help="plainsight binary (default ./plainsight)")
    ap.add_argument("--only", default="",
                    help="comma-separated case names or shell patterns")
    ap.add_argument("--testlist", default=DEFAULT_TESTLIST,
                    help="case list (default tests/pcap/TESTLIST)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="cases run in parallel (default: CPU count)")
    ap.add_argument("--keep", action="store_true",
                    help="keep each case's temporary folder and database")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show commands and stderr of every case")
    a = ap.parse_args()

    cases = read_testlist(a.testlist)
    if a.only:
        pats = [p for p in a.only.split(",") if p]
        cases = [c for c in cases
                 if any(fnmatch.fnmatchcase(c.name, p) for p in pats)]
        if not cases:
            print("no case matches --only %s" % a.only)
            return 1
    else:
        for rel in unlisted_expected(a.testlist, cases):
            print("WARN %s is not used by any TESTLIST line" % rel)
    binary = os.path.abspath(a.bin) if a.bin else None

    passed = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        results = pool.map(lambda c: run_case(c, binary, a.keep, a.verbose),
                           cases)
        for case, (ok, report) in zip(cases, results):
            print("%s %s" % ("PASS" if ok else "FAIL", case.name))
            for line in report:
                print("    " + line)
            sys.stdout.flush()
            passed += ok
    print("%d/%d passed" % (passed, len(cases)))
    return 0 if passed == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
