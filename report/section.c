/*
 * section.c - the sections of the report and their queries.
 *
 * The queries use only SQLite's built-in functions, so that the sqlite3
 * shell runs them as they are: docs/schema.md holds each one verbatim, and
 * the JSON format carries each section's query beside its rows.  Sessions,
 * credentials and findings are taken by their capture time (first_seen,
 * seen), services by the span they were seen in, runs when they overlap
 * the window.  Mail is SMTP, IMAP and POP3.
 *
 * A run without an end (runs.finished NULL) is still running, unless a
 * later run of the same source (the same interface, or the same files)
 * started: then it was interrupted (crashed or killed), and it ended at
 * the latest when that next run started.
 */
#include "report/section.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* The summary: what a manager reads first, for this and the last window. */
static const struct column summary_columns[] = {
	{ "period", "", CELL_TEXT, 0 },
	{ "high", "High findings", CELL_INT, 0 },
	{ "medium", "Medium findings", CELL_INT, 0 },
	{ "low", "Low findings", CELL_INT, 0 },
	{ "accounts_in_clear",
	    "Accounts whose password or token crossed in clear text", CELL_INT,
	    0 },
	{ "servers_without_starttls",
	    "Mail servers that did not offer STARTTLS", CELL_INT, 0 },
	{ "sessions_below_floor", "Sessions below the TLS floor", CELL_INT, 0 },
	{ "mail_sessions", "Mail sessions", CELL_INT, 0 },
	{ "mail_sessions_tls", "Mail sessions in TLS", CELL_INT, 0 },
	{ "mail_tls_pct", "Share of mail sessions in TLS (%)", CELL_REAL,
	    COL_PCT },
};

static const char summary_sql[] =
    "WITH w(period, since, until) AS (\n"
    "  VALUES ('current', :since, :until),\n"
    "    ('previous', :prev_since, :since)),\n"
    "f AS (\n"
    "  SELECT w.period,\n"
    "    sum(f.severity = 'high') AS high,\n"
    "    sum(f.severity = 'medium') AS medium,\n"
    "    sum(f.severity = 'low') AS low,\n"
    "    count(DISTINCT CASE WHEN f.kind = 'obsolete_tls_version'\n"
    "      THEN f.session_id END) AS below_floor\n"
    "  FROM w JOIN findings f ON f.seen >= w.since AND f.seen < w.until\n"
    "  GROUP BY w.period),\n"
    "c AS (\n"
    "  SELECT w.period,\n"
    "    count(DISTINCT c.protocol || ' ' || coalesce(c.username, ''))\n"
    "      AS accounts\n"
    "  FROM w JOIN credentials c ON c.seen >= w.since AND c.seen < w.until\n"
    "  WHERE c.exposure IN ('cleartext', 'token')\n"
    "  GROUP BY w.period),\n"
    "m AS (\n"
    "  SELECT w.period, count(*) AS sessions,\n"
    "    sum(s.tls != 'none') AS tls_sessions,\n"
    "    count(DISTINCT CASE WHEN s.starttls_offered = 0 AND s.tls = 'none'\n"
    "      THEN s.server_ip || ' ' || s.server_port END) AS no_starttls\n"
    "  FROM w JOIN sessions s\n"
    "    ON s.protocol IN ('smtp', 'imap', 'pop3')\n"
    "    AND s.first_seen >= w.since AND s.first_seen < w.until\n"
    "  GROUP BY w.period)\n"
    "SELECT w.period, coalesce(f.high, 0) AS high,\n"
    "  coalesce(f.medium, 0) AS medium, coalesce(f.low, 0) AS low,\n"
    "  coalesce(c.accounts, 0) AS accounts_in_clear,\n"
    "  coalesce(m.no_starttls, 0) AS servers_without_starttls,\n"
    "  coalesce(f.below_floor, 0) AS sessions_below_floor,\n"
    "  coalesce(m.sessions, 0) AS mail_sessions,\n"
    "  coalesce(m.tls_sessions, 0) AS mail_sessions_tls,\n"
    "  round(100.0 * m.tls_sessions / m.sessions, 1) AS mail_tls_pct\n"
    "FROM w LEFT JOIN f ON f.period = w.period\n"
    "LEFT JOIN c ON c.period = w.period\n"
    "LEFT JOIN m ON m.period = w.period\n"
    "ORDER BY w.period != 'current'";

/*
 * What changed: finding kinds per server that appeared or went away, and
 * servers whose TLS got worse.  A finding about a service rather than a
 * session (raised once per run) stands in every window in which its
 * service was seen.
 */
static const struct column changes_columns[] = {
	{ "change", "change", CELL_TEXT, 0 },
	{ "kind", "kind", CELL_TEXT, 0 },
	{ "severity", "severity", CELL_TEXT, 0 },
	{ "recommendation", "rec", CELL_INT, 0 },
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "protocol", "proto", CELL_TEXT, 0 },
	{ "count_now", "now", CELL_INT, 0 },
	{ "count_before", "before", CELL_INT, 0 },
	{ "detail", "detail", CELL_TEXT, COL_NOTEXT | COL_WRAP },
};

static const char changes_sql[] =
    "WITH w(period, since, until) AS (\n"
    "  VALUES ('now', :since, :until), ('before', :prev_since, :since)),\n"
    "raised AS (\n"
    "  SELECT w.period, f.kind, f.severity, f.recommendation, f.server_ip,\n"
    "    f.server_port, f.protocol, 1 AS counted\n"
    "  FROM w JOIN findings f ON f.seen >= w.since AND f.seen < w.until\n"
    "  WHERE f.severity != 'info'\n"
    "  UNION ALL\n"
    "  SELECT w.period, f.kind, f.severity, f.recommendation, f.server_ip,\n"
    "    f.server_port, f.protocol, 0\n"
    "  FROM w JOIN findings f ON f.session_id IS NULL AND f.seen < w.since\n"
    "  JOIN services v ON v.server_ip = f.server_ip\n"
    "    AND v.server_port = f.server_port AND v.protocol = f.protocol\n"
    "  WHERE f.severity != 'info' AND v.last_seen >= w.since),\n"
    "graded AS (\n"
    "  SELECT *, CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2\n"
    "    ELSE 1 END AS grade\n"
    "  FROM raised),\n"
    "keys AS (\n"
    "  SELECT kind, server_ip, server_port,\n"
    "    max(CASE WHEN period = 'now' THEN grade END) AS grade_now,\n"
    "    max(CASE WHEN period = 'before' THEN grade END) AS grade_before,\n"
    "    min(CASE WHEN period = 'now' THEN recommendation END) AS rec_now,\n"
    "    min(CASE WHEN period = 'before' THEN recommendation END)\n"
    "      AS rec_before,\n"
    "    min(CASE WHEN period = 'now' THEN protocol END) AS proto_now,\n"
    "    min(CASE WHEN period = 'before' THEN protocol END) AS proto_before,\n"
    "    sum(CASE WHEN period = 'now' THEN counted ELSE 0 END) AS n_now,\n"
    "    sum(CASE WHEN period = 'before' THEN counted ELSE 0 END) AS n_before\n"
    "  FROM graded GROUP BY kind, server_ip, server_port),\n"
    "servers AS (\n"
    "  SELECT w.period, s.server_ip, s.server_port, s.protocol,\n"
    "    count(CASE WHEN s.protocol IN ('smtp', 'imap', 'pop3')\n"
    "      AND s.starttls_offered = 1 THEN 1 END) AS offered,\n"
    "    count(CASE WHEN s.protocol IN ('smtp', 'imap', 'pop3')\n"
    "      THEN s.starttls_offered END) AS shown,\n"
    "    max(s.tls_version) AS best, count(s.tls_version) AS tls\n"
    "  FROM w JOIN sessions s\n"
    "    ON s.first_seen >= w.since AND s.first_seen < w.until\n"
    "  GROUP BY 1, 2, 3, 4),\n"
    "active AS (\n"
    "  SELECT DISTINCT server_ip, server_port FROM servers\n"
    "  WHERE period = 'now'),\n"
    "delta AS (\n"
    "  SELECT 'regression' AS change, 'starttls_withdrawn' AS kind,\n"
    "    3 AS grade,\n"
    "    CASE WHEN n.server_port = 25 THEN 1 ELSE 3 END AS recommendation,\n"
    "    n.server_ip, n.server_port, n.protocol, n.shown AS count_now,\n"
    "    b.shown AS count_before,\n"
    "    'STARTTLS offered in ' || b.offered || ' of ' || b.shown ||\n"
    "      ' sessions before, in none of ' || n.shown || ' now' AS detail\n"
    "  FROM servers n JOIN servers b ON b.period = 'before'\n"
    "    AND b.server_ip = n.server_ip AND b.server_port = n.server_port\n"
    "    AND b.protocol = n.protocol\n"
    "  WHERE n.period = 'now' AND n.shown > 0 AND n.offered = 0\n"
    "    AND b.offered > 0\n"
    "  UNION ALL\n"
    "  SELECT 'regression', 'tls_version_lowered', 2,\n"
    "    CASE WHEN n.server_port = 25 THEN 1 ELSE 3 END,\n"
    "    n.server_ip, n.server_port, n.protocol, n.tls, b.tls,\n"
    "    'best TLS version ' || b.best || ' before, ' || n.best || ' now'\n"
    "  FROM servers n JOIN servers b ON b.period = 'before'\n"
    "    AND b.server_ip = n.server_ip AND b.server_port = n.server_port\n"
    "    AND b.protocol = n.protocol\n"
    "  WHERE n.period = 'now' AND n.best < b.best\n"
    "  UNION ALL\n"
    "  SELECT 'new', kind, grade_now, rec_now, server_ip, server_port,\n"
    "    proto_now, n_now, 0, NULL\n"
    "  FROM keys WHERE grade_now IS NOT NULL AND grade_before IS NULL\n"
    "  UNION ALL\n"
    "  SELECT CASE WHEN a.server_ip IS NULL THEN 'silent' ELSE 'fixed' END,\n"
    "    k.kind, k.grade_before, k.rec_before, k.server_ip, k.server_port,\n"
    "    k.proto_before, 0, k.n_before,\n"
    "    CASE WHEN a.server_ip IS NULL\n"
    "      THEN 'no session with this server in this window' END\n"
    "  FROM keys k LEFT JOIN active a\n"
    "    ON a.server_ip = k.server_ip AND a.server_port = k.server_port\n"
    "  WHERE k.grade_before IS NOT NULL AND k.grade_now IS NULL)\n"
    "SELECT change, kind,\n"
    "  CASE grade WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END\n"
    "    AS severity,\n"
    "  recommendation, server_ip, server_port, protocol, count_now,\n"
    "  count_before, detail\n"
    "FROM delta\n"
    "ORDER BY CASE change WHEN 'regression' THEN 0 WHEN 'new' THEN 1\n"
    "  WHEN 'fixed' THEN 2 ELSE 3 END, grade DESC, kind, server_ip,\n"
    "  server_port";

static const struct column findings_columns[] = {
	{ "recommendation", "rec", CELL_INT, 0 },
	{ "severity", "severity", CELL_TEXT, 0 },
	{ "kind", "kind", CELL_TEXT, 0 },
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "protocol", "proto", CELL_TEXT, 0 },
	{ "findings", "count", CELL_INT, 0 },
	{ "sessions", "sessions", CELL_INT, COL_NOTEXT },
	{ "first_seen", "first seen", CELL_TEXT, COL_TIME | COL_NOTEXT },
	{ "last_seen", "last seen", CELL_TEXT, COL_TIME },
};

static const char findings_sql[] =
    "SELECT f.recommendation, f.severity, f.kind, f.server_ip,\n"
    "  f.server_port, f.protocol, count(*) AS findings,\n"
    "  count(DISTINCT f.session_id) AS sessions,\n"
    "  min(f.seen) AS first_seen, max(f.seen) AS last_seen\n"
    "FROM findings f\n"
    "WHERE f.seen >= :since AND f.seen < :until AND f.severity != 'info'\n"
    "GROUP BY f.recommendation, f.severity, f.kind, f.server_ip,\n"
    "  f.server_port, f.protocol\n"
    "ORDER BY f.recommendation,\n"
    "  CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,\n"
    "  findings DESC, f.kind, f.server_ip, f.server_port, f.protocol";

static const struct column servers_columns[] = {
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "protocol", "proto", CELL_TEXT, 0 },
	{ "sessions", "sessions", CELL_INT, 0 },
	{ "tls_pct", "in TLS %", CELL_REAL, COL_PCT },
	{ "capabilities_seen", "capas", CELL_INT, 0 },
	{ "starttls_offered", "offered", CELL_INT, 0 },
	{ "starttls_used", "used", CELL_INT, 0 },
	{ "accounts_exposed", "accounts", CELL_INT, 0 },
	{ "tls_versions", "TLS versions", CELL_TEXT, COL_WRAP },
	{ "tls_ciphers", "ciphers", CELL_TEXT, COL_NOTEXT | COL_WRAP },
};

static const char servers_sql[] =
    "WITH combos AS (\n"
    "  SELECT server_ip, server_port, protocol, tls, starttls_offered,\n"
    "    tls_version, tls_cipher, count(*) AS n\n"
    "  FROM sessions\n"
    "  WHERE protocol IN ('smtp', 'imap', 'pop3')\n"
    "  AND first_seen >= :since AND first_seen < :until\n"
    "  GROUP BY 1, 2, 3, 4, 5, 6, 7),\n"
    "versions AS (\n"
    "  SELECT DISTINCT server_ip, server_port, protocol,\n"
    "    group_concat(tls_version, ', ') OVER (\n"
    "      PARTITION BY server_ip, server_port, protocol ORDER BY tls_version\n"
    "      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list\n"
    "  FROM (SELECT DISTINCT server_ip, server_port, protocol, tls_version\n"
    "    FROM combos WHERE tls_version IS NOT NULL)),\n"
    "ciphers AS (\n"
    "  SELECT DISTINCT server_ip, server_port, protocol,\n"
    "    group_concat(tls_cipher, ', ') OVER (\n"
    "      PARTITION BY server_ip, server_port, protocol ORDER BY tls_cipher\n"
    "      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list\n"
    "  FROM (SELECT DISTINCT server_ip, server_port, protocol, tls_cipher\n"
    "    FROM combos WHERE tls_cipher IS NOT NULL)),\n"
    "accounts AS (\n"
    "  SELECT s.server_ip, s.server_port, s.protocol,\n"
    "    count(DISTINCT coalesce(c.username, '')) AS n\n"
    "  FROM credentials c JOIN sessions s ON s.id = c.session_id\n"
    "  WHERE c.seen >= :since AND c.seen < :until\n"
    "  AND c.exposure IN ('cleartext', 'token', 'crackable')\n"
    "  GROUP BY 1, 2, 3)\n"
    "SELECT c.server_ip, c.server_port, c.protocol, sum(c.n) AS sessions,\n"
    "  round(100.0 * sum(CASE WHEN c.tls != 'none' THEN c.n ELSE 0 END) /\n"
    "    sum(c.n), 1) AS tls_pct,\n"
    "  sum(CASE WHEN c.starttls_offered IS NOT NULL THEN c.n ELSE 0 END)\n"
    "    AS capabilities_seen,\n"
    "  sum(CASE WHEN c.starttls_offered = 1 THEN c.n ELSE 0 END)\n"
    "    AS starttls_offered,\n"
    "  sum(CASE WHEN c.tls = 'starttls' THEN c.n ELSE 0 END)\n"
    "    AS starttls_used,\n"
    "  coalesce(a.n, 0) AS accounts_exposed,\n"
    "  v.list AS tls_versions, x.list AS tls_ciphers\n"
    "FROM combos c\n"
    "LEFT JOIN versions v USING (server_ip, server_port, protocol)\n"
    "LEFT JOIN ciphers x USING (server_ip, server_port, protocol)\n"
    "LEFT JOIN accounts a USING (server_ip, server_port, protocol)\n"
    "GROUP BY c.server_ip, c.server_port, c.protocol\n"
    "ORDER BY tls_pct, sessions DESC, c.server_ip, c.server_port, c.protocol";

static const struct column share_columns[] = {
	{ "period", "period", CELL_TEXT, COL_TIME },
	{ "sessions", "sessions", CELL_INT, 0 },
	{ "tls_sessions", "in TLS", CELL_INT, 0 },
	{ "tls_pct", "in TLS %", CELL_REAL, COL_PCT },
};

/*
 * Every period of the window is a row, also one without mail: a gap in the
 * traffic must show as one.
 */
static const char share_sql[] =
    "WITH RECURSIVE periods(period) AS (\n"
    "  SELECT strftime(:bucket, :since)\n"
    "  UNION ALL\n"
    "  SELECT strftime(:bucket, period, :step) FROM periods\n"
    "  WHERE julianday(period, :step) < julianday(:until)),\n"
    "mail AS (\n"
    "  SELECT strftime(:bucket, first_seen) AS period, count(*) AS n,\n"
    "    sum(tls != 'none') AS tls\n"
    "  FROM sessions\n"
    "  WHERE protocol IN ('smtp', 'imap', 'pop3')\n"
    "  AND first_seen >= :since AND first_seen < :until\n"
    "  GROUP BY 1)\n"
    "SELECT p.period, coalesce(m.n, 0) AS sessions,\n"
    "  coalesce(m.tls, 0) AS tls_sessions,\n"
    "  round(100.0 * m.tls / m.n, 1) AS tls_pct\n"
    "FROM periods p LEFT JOIN mail m ON m.period = p.period\n"
    "ORDER BY p.period";

static const struct column accounts_columns[] = {
	{ "username", "username", CELL_TEXT, COL_WRAP },
	{ "protocol", "proto", CELL_TEXT, 0 },
	{ "mechanism", "mechanism", CELL_TEXT, 0 },
	{ "exposure", "exposure", CELL_TEXT, 0 },
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "first_seen", "first seen", CELL_TEXT, COL_TIME | COL_NOTEXT },
	{ "last_seen", "last seen", CELL_TEXT, COL_TIME },
	{ "logins", "logins", CELL_INT, 0 },
	{ "accepted", "accepted", CELL_INT, COL_NOTEXT },
};

static const char accounts_sql[] =
    "SELECT c.username, c.protocol, c.mechanism, c.exposure, s.server_ip,\n"
    "  s.server_port, min(c.seen) AS first_seen, max(c.seen) AS last_seen,\n"
    "  sum(c.count) AS logins,\n"
    "  sum(CASE WHEN c.outcome = 'accepted' THEN c.count ELSE 0 END)\n"
    "    AS accepted\n"
    "FROM credentials c JOIN sessions s ON s.id = c.session_id\n"
    "WHERE c.seen >= :since AND c.seen < :until AND c.exposure != 'none'\n"
    "GROUP BY c.username, c.protocol, c.mechanism, c.exposure,\n"
    "  s.server_ip, s.server_port\n"
    "ORDER BY CASE c.exposure WHEN 'cleartext' THEN 0 WHEN 'token' THEN 1\n"
    "  WHEN 'crackable' THEN 2 ELSE 3 END, c.username, c.protocol,\n"
    "  s.server_ip, s.server_port, c.mechanism";

static const struct column versions_columns[] = {
	{ "tls_version", "version", CELL_TEXT, 0 },
	{ "sessions", "sessions", CELL_INT, 0 },
	{ "share_pct", "share %", CELL_REAL, COL_PCT },
	{ "mail_sessions", "mail", CELL_INT, 0 },
	{ "servers", "servers", CELL_INT, 0 },
};

static const char versions_sql[] =
    "SELECT tls_version, count(*) AS sessions,\n"
    "  round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct,\n"
    "  sum(protocol IN ('smtp', 'imap', 'pop3')) AS mail_sessions,\n"
    "  count(DISTINCT server_ip || ' ' || server_port) AS servers\n"
    "FROM sessions\n"
    "WHERE first_seen >= :since AND first_seen < :until\n"
    "AND tls_version IS NOT NULL\n"
    "GROUP BY tls_version ORDER BY tls_version";

static const struct column tls_servers_columns[] = {
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "protocol", "proto", CELL_TEXT, 0 },
	{ "sessions", "sessions", CELL_INT, 0 },
	{ "fs_pct", "FS %", CELL_REAL, COL_PCT },
	{ "tls_versions", "versions", CELL_TEXT, COL_WRAP },
	{ "tls_ciphers", "ciphers", CELL_TEXT, COL_WRAP },
};

static const char tls_servers_sql[] =
    "WITH combos AS (\n"
    "  SELECT server_ip, server_port, protocol, tls_version, tls_cipher,\n"
    "    count(*) AS n, sum(tls_forward_secrecy = 1) AS fs\n"
    "  FROM sessions\n"
    "  WHERE first_seen >= :since AND first_seen < :until\n"
    "  AND tls_version IS NOT NULL\n"
    "  GROUP BY 1, 2, 3, 4, 5),\n"
    "versions AS (\n"
    "  SELECT DISTINCT server_ip, server_port, protocol,\n"
    "    group_concat(tls_version, ', ') OVER (\n"
    "      PARTITION BY server_ip, server_port, protocol ORDER BY tls_version\n"
    "      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list\n"
    "  FROM (SELECT DISTINCT server_ip, server_port, protocol, tls_version\n"
    "    FROM combos)),\n"
    "ciphers AS (\n"
    "  SELECT DISTINCT server_ip, server_port, protocol,\n"
    "    group_concat(tls_cipher, ', ') OVER (\n"
    "      PARTITION BY server_ip, server_port, protocol ORDER BY tls_cipher\n"
    "      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list\n"
    "  FROM (SELECT DISTINCT server_ip, server_port, protocol, tls_cipher\n"
    "    FROM combos WHERE tls_cipher IS NOT NULL))\n"
    "SELECT c.server_ip, c.server_port, c.protocol, sum(c.n) AS sessions,\n"
    "  round(100.0 * sum(c.fs) / sum(c.n), 1) AS fs_pct,\n"
    "  v.list AS tls_versions, x.list AS tls_ciphers\n"
    "FROM combos c\n"
    "LEFT JOIN versions v USING (server_ip, server_port, protocol)\n"
    "LEFT JOIN ciphers x USING (server_ip, server_port, protocol)\n"
    "GROUP BY c.server_ip, c.server_port, c.protocol\n"
    "ORDER BY min(c.tls_version), sessions DESC, c.server_ip, c.server_port,\n"
    "  c.protocol";

static const struct column old_clients_columns[] = {
	{ "client_ip", "client", CELL_TEXT, 0 },
	{ "client_name", "calls itself", CELL_TEXT, 0 },
	{ "tls_client_version", "offers", CELL_TEXT, COL_NOTEXT },
	{ "tls_version", "version", CELL_TEXT, 0 },
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "protocol", "proto", CELL_TEXT, COL_NOTEXT },
	{ "sessions", "sessions", CELL_INT, 0 },
	{ "last_seen", "last seen", CELL_TEXT, COL_TIME | COL_NOTEXT },
	{ "ja3", "JA3", CELL_TEXT, COL_WRAP },
};

static const char old_clients_sql[] =
    "SELECT s.client_ip, s.client_name, s.tls_client_version,\n"
    "  s.tls_version, s.server_ip, s.server_port, s.protocol,\n"
    "  count(DISTINCT s.id) AS sessions, max(s.first_seen) AS last_seen,\n"
    "  s.ja3\n"
    "FROM findings f JOIN sessions s ON s.id = f.session_id\n"
    "WHERE f.kind = 'obsolete_tls_version'\n"
    "AND f.seen >= :since AND f.seen < :until\n"
    "GROUP BY s.client_ip, s.client_name, s.tls_client_version,\n"
    "  s.tls_version, s.server_ip, s.server_port, s.protocol, s.ja3\n"
    "ORDER BY s.tls_version, sessions DESC, s.client_ip, s.server_ip,\n"
    "  s.server_port, s.protocol, s.client_name, s.ja3,\n"
    "  s.tls_client_version";

static const struct column inside_columns[] = {
	{ "severity", "severity", CELL_TEXT, 0 },
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "transport", "", CELL_TEXT, 0 },
	{ "protocol", "protocol", CELL_TEXT, 0 },
	{ "sessions", "sessions", CELL_INT, 0 },
	{ "in_clear", "in clear", CELL_INT, 0 },
	{ "clients", "clients", CELL_INT, 0 },
	{ "accounts", "accounts", CELL_INT, 0 },
	{ "first_seen", "first seen", CELL_TEXT, COL_TIME | COL_NOTEXT },
	{ "last_seen", "last seen", CELL_TEXT, COL_TIME | COL_NOTEXT },
};

static const char inside_sql[] =
    "WITH f AS (\n"
    "  SELECT server_ip, server_port, protocol,\n"
    "    max(CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2\n"
    "      WHEN 'low' THEN 1 ELSE 0 END) AS grade\n"
    "  FROM findings WHERE kind = 'cleartext_internal_service'\n"
    "  GROUP BY 1, 2, 3),\n"
    "accounts AS (\n"
    "  SELECT s.server_ip, s.server_port,\n"
    "    count(DISTINCT coalesce(c.username, '')) AS accounts\n"
    "  FROM credentials c JOIN sessions s ON s.id = c.session_id\n"
    "  WHERE c.seen >= :since AND c.seen < :until\n"
    "  AND c.exposure IN ('cleartext', 'token', 'crackable')\n"
    "  GROUP BY 1, 2)\n"
    "SELECT CASE f.grade WHEN 3 THEN 'high' WHEN 2 THEN 'medium'\n"
    "    WHEN 1 THEN 'low' ELSE 'info' END AS severity,\n"
    "  v.server_ip, v.server_port, v.transport, v.protocol, v.sessions,\n"
    "  v.sessions - v.encrypted_sessions AS in_clear, v.clients,\n"
    "  coalesce(a.accounts, 0) AS accounts, v.first_seen, v.last_seen\n"
    "FROM services v\n"
    "JOIN f ON f.server_ip = v.server_ip AND f.server_port = v.server_port\n"
    "  AND f.protocol = v.protocol\n"
    "LEFT JOIN accounts a ON a.server_ip = v.server_ip\n"
    "  AND a.server_port = v.server_port\n"
    "WHERE v.last_seen >= :since AND v.first_seen < :until\n"
    "ORDER BY f.grade DESC, v.sessions DESC, v.server_ip, v.server_port,\n"
    "  v.transport, v.protocol";

static const struct column health_columns[] = {
	{ "period", "", CELL_TEXT, 0 },
	{ "runs", "Capture runs", CELL_INT, 0 },
	{ "runs_running", "Runs still running (counters come at their end)",
	    CELL_INT, 0 },
	{ "runs_interrupted",
	    "Runs interrupted (no end recorded, a later run started)", CELL_INT,
	    0 },
	{ "runs_incomplete", "Runs that did not complete", CELL_INT, 0 },
	{ "packets", "Packets", CELL_INT, 0 },
	{ "bytes", "Bytes", CELL_INT, 0 },
	{ "dropped", "Packets dropped by the capture", CELL_INT, 0 },
	{ "truncated", "Packets cut by the snap length", CELL_INT, 0 },
	{ "ip_fragments", "IP fragments (not reassembled)", CELL_INT, 0 },
	{ "decode_errors", "Malformed frames", CELL_INT, 0 },
	{ "checksum_errors", "Bad checksums", CELL_INT, 0 },
	{ "tcp_gaps", "TCP gaps (holes the capture left)", CELL_INT, 0 },
	{ "one_sided_sessions", "One-sided sessions", CELL_INT, 0 },
	{ "midstream_sessions", "Sessions joined mid-stream", CELL_INT, 0 },
	{ "sessions_with_gaps", "Sessions with gaps", CELL_INT, 0 },
	{ "sessions_evicted", "Sessions ended by eviction", CELL_INT, 0 },
	{ "flows_evicted", "Flows evicted (--max-flows reached)", CELL_INT, 0 },
	{ "analyses_evicted", "Analyses stored early (--max-memory)", CELL_INT,
	    0 },
	{ "classify_abandoned", "Classifications cut short", CELL_INT, 0 },
	{ "stream_bytes_dropped", "Bytes analyzers could not take", CELL_INT,
	    0 },
	{ "reasm_cap_hits", "Reassembly holes given up (memory cap)", CELL_INT,
	    0 },
	{ "alloc_failures", "Allocations refused (--max-memory)", CELL_INT, 0 },
	{ "store_errors", "Database write errors", CELL_INT, 0 },
};

static const char health_sql[] =
    "WITH w(period, since, until) AS (\n"
    "  VALUES ('current', :since, :until),\n"
    "    ('previous', :prev_since, :since)),\n"
    "runs_next AS (\n"
    "  SELECT *, lead(started) OVER (PARTITION BY source ORDER BY id)\n"
    "    AS next_started\n"
    "  FROM runs),\n"
    "r AS (\n"
    "  SELECT w.period, x.* FROM w JOIN runs_next x\n"
    "    ON coalesce(x.first_packet, x.started) < w.until\n"
    "    AND ((x.finished IS NULL AND x.next_started IS NULL)\n"
    "      OR coalesce(x.last_packet, x.finished, x.next_started)\n"
    "        >= w.since)),\n"
    "t AS (\n"
    "  SELECT w.period, count(r.id) AS runs,\n"
    "    count(CASE WHEN r.id IS NOT NULL AND r.finished IS NULL\n"
    "      AND r.next_started IS NULL THEN 1 END) AS runs_running,\n"
    "    count(CASE WHEN r.finished IS NULL AND r.next_started IS NOT NULL\n"
    "      THEN 1 END) AS runs_interrupted,\n"
    "    count(CASE WHEN r.finished IS NOT NULL AND r.complete = 0\n"
    "      THEN 1 END) AS runs_incomplete,\n"
    "    coalesce(sum(r.packets), 0) AS packets,\n"
    "    coalesce(sum(r.bytes), 0) AS bytes,\n"
    "    coalesce(sum(r.dropped), 0) AS dropped,\n"
    "    coalesce(sum(r.truncated), 0) AS truncated,\n"
    "    coalesce(sum(r.ip_fragments), 0) AS ip_fragments,\n"
    "    coalesce(sum(r.decode_errors), 0) AS decode_errors,\n"
    "    coalesce(sum(r.checksum_errors), 0) AS checksum_errors,\n"
    "    coalesce(sum(r.tcp_gaps), 0) AS tcp_gaps\n"
    "  FROM w LEFT JOIN r ON r.period = w.period\n"
    "  GROUP BY w.period),\n"
    "s AS (\n"
    "  SELECT w.period,\n"
    "    count(CASE WHEN x.anomalies LIKE '%one_sided%' THEN 1 END)\n"
    "      AS one_sided,\n"
    "    count(CASE WHEN x.anomalies LIKE '%midstream%' THEN 1 END)\n"
    "      AS midstream,\n"
    "    count(CASE WHEN x.gaps > 0 THEN 1 END) AS with_gaps,\n"
    "    count(CASE WHEN x.end_reason = 'evicted' THEN 1 END) AS evicted\n"
    "  FROM w JOIN sessions x\n"
    "    ON x.first_seen >= w.since AND x.first_seen < w.until\n"
    "  GROUP BY w.period),\n"
    "c AS (\n"
    "  SELECT r.period, k.name, sum(k.value) AS value\n"
    "  FROM r JOIN run_counters k ON k.run_id = r.id\n"
    "  GROUP BY r.period, k.name)\n"
    "SELECT t.*,\n"
    "  coalesce(s.one_sided, 0) AS one_sided_sessions,\n"
    "  coalesce(s.midstream, 0) AS midstream_sessions,\n"
    "  coalesce(s.with_gaps, 0) AS sessions_with_gaps,\n"
    "  coalesce(s.evicted, 0) AS sessions_evicted,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'flows_evicted') AS flows_evicted,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'analyses_evicted') AS analyses_evicted,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'classify_abandoned') AS classify_abandoned,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'stream_bytes_dropped') AS stream_bytes_dropped,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'reasm_cap_hits') AS reasm_cap_hits,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'alloc_failures') AS alloc_failures,\n"
    "  (SELECT coalesce(sum(value), 0) FROM c WHERE c.period = t.period\n"
    "    AND c.name = 'store_errors') AS store_errors\n"
    "FROM t LEFT JOIN s ON s.period = t.period\n"
    "ORDER BY t.period != 'current'";

static const struct column runs_columns[] = {
	{ "id", "run", CELL_INT, 0 },
	{ "version", "version", CELL_TEXT, COL_NOTEXT },
	{ "started", "started", CELL_TEXT, COL_TIME | COL_NOTEXT },
	{ "finished", "finished", CELL_TEXT, COL_TIME | COL_NOTEXT },
	{ "first_packet", "first packet", CELL_TEXT, COL_TIME },
	{ "last_packet", "last packet", CELL_TEXT, COL_TIME },
	{ "packets", "packets", CELL_INT, 0 },
	{ "dropped", "dropped", CELL_INT, 0 },
	{ "truncated", "truncated", CELL_INT, COL_NOTEXT },
	{ "tcp_gaps", "gaps", CELL_INT, COL_NOTEXT },
	{ "complete", "complete", CELL_INT, COL_NOTEXT },
	{ "state", "state", CELL_TEXT, 0 },
	{ "error", "error", CELL_TEXT, COL_NOTEXT | COL_WRAP },
	{ "source", "source", CELL_TEXT, COL_WRAP },
};

static const char runs_sql[] =
    "WITH runs_next AS (\n"
    "  SELECT *, lead(started) OVER (PARTITION BY source ORDER BY id)\n"
    "    AS next_started\n"
    "  FROM runs)\n"
    "SELECT id, version, started, finished, first_packet, last_packet,\n"
    "  packets, dropped, truncated, tcp_gaps, complete,\n"
    "  CASE WHEN finished IS NOT NULL\n"
    "    THEN CASE WHEN complete = 1 THEN 'complete' ELSE 'incomplete' END\n"
    "    WHEN next_started IS NOT NULL THEN 'interrupted'\n"
    "    ELSE 'running' END AS state,\n"
    "  error, source\n"
    "FROM runs_next\n"
    "WHERE coalesce(first_packet, started) < :until\n"
    "AND ((finished IS NULL AND next_started IS NULL)\n"
    "  OR coalesce(last_packet, finished, next_started) >= :since)\n"
    "ORDER BY id";

#define COLUMNS(a) a, ARRAY_SIZE(a)

const struct section section_list[] = {
	{ "summary", "Summary", NULL, NULL, SECTION_RECORD,
	    COLUMNS(summary_columns), -1, summary_sql },
	{ "changes", "Changes since the previous window",
	    "new: a kind of finding a server did not have in the previous "
	    "window; fixed: one it had, while it was seen again without it; "
	    "silent: one it had, but nothing was seen of the server since, so "
	    "whether it is fixed is unknown; regression: a server that "
	    "offered STARTTLS and no longer does, or whose best TLS version "
	    "went down.  Counts are findings, or sessions for regressions.",
	    "No change.", SECTION_TABLE, COLUMNS(changes_columns), -1,
	    changes_sql },
	{ "findings", "Findings by recommendation",
	    "Certificate facts (severity info) are left out; the findings "
	    "table holds them.",
	    "None.", SECTION_TABLE, COLUMNS(findings_columns), 0,
	    findings_sql },
	{ "servers", "Mail servers",
	    "in TLS: sessions in TLS (STARTTLS or implicit); capas: sessions "
	    "that showed the server's capabilities; offered: of those, the "
	    "ones offering STARTTLS; used: sessions upgraded with STARTTLS; "
	    "accounts: user names whose password, token or crackable digest "
	    "crossed without TLS.",
	    "No mail session.", SECTION_TABLE, COLUMNS(servers_columns), -1,
	    servers_sql },
	{ "mail_tls_share", "Mail sessions in TLS over time", NULL,
	    "No mail session.", SECTION_TABLE, COLUMNS(share_columns), -1,
	    share_sql },
	{ "accounts", "Accounts exposed",
	    "Who to ask to change a password.  Secrets are never stored: "
	    "only that one crossed, and how.",
	    "None.", SECTION_TABLE, COLUMNS(accounts_columns), -1,
	    accounts_sql },
	{ "tls_versions", "TLS versions", NULL, "No TLS handshake seen.",
	    SECTION_TABLE, COLUMNS(versions_columns), -1, versions_sql },
	{ "tls_servers", "TLS by server",
	    "FS: sessions whose cipher suite keeps recorded traffic safe if "
	    "the server's key is stolen later (forward secrecy).",
	    "No TLS handshake seen.", SECTION_TABLE,
	    COLUMNS(tls_servers_columns), -1, tls_servers_sql },
	{ "tls_clients_below_floor", "Clients below the TLS floor",
	    "The clients that would break if old TLS versions were turned "
	    "off, judged by the floor in force when they were captured.",
	    "None.", SECTION_TABLE, COLUMNS(old_clients_columns), -1,
	    old_clients_sql },
	{ "cleartext_inside", "Cleartext inside the network",
	    "Internal services that carry secrets in clear text to internal "
	    "clients.  Sessions, in clear and clients count everything since "
	    "the service was first seen; accounts count this window.",
	    "None seen.", SECTION_TABLE, COLUMNS(inside_columns), -1,
	    inside_sql },
	{ "health", "Capture health",
	    "What the capture may have missed: an empty report only means "
	    "something when these are low.  Runs count when they overlap the "
	    "window, with all their counters; an interrupted run (no end "
	    "recorded, a later run of the same source started) ended at the "
	    "latest when that next run started.",
	    NULL, SECTION_RECORD, COLUMNS(health_columns), -1, health_sql },
	{ "runs", "Capture runs",
	    "state: running (no end recorded yet: its counters come when it "
	    "ends), interrupted (no end recorded, but a later run of the same "
	    "source started: it crashed or was killed, and its counters are "
	    "lost), complete, or incomplete (it ended without reading or "
	    "storing everything: see its error).",
	    "No capture run covers this window.", SECTION_TABLE,
	    COLUMNS(runs_columns), -1, runs_sql },
};

const size_t section_count = ARRAY_SIZE(section_list);

const struct section *
section_find(const char *name)
{
	size_t i;

	for (i = 0; i < section_count; i++) {
		if (strcmp(section_list[i].name, name) == 0)
			return &section_list[i];
	}
	return NULL;
}

const char *
section_group_title(const struct section *s, const struct cell *c)
{
	static const char *const recommendations[] = {
		"Other findings",
		"Recommendation 1: TLS between mail servers",
		"Recommendation 2: encryption inside the network",
		"Recommendation 3: users' passwords never in the clear",
	};

	(void)s;
	if (c->type != CELL_INT || c->v.i < 1 ||
	    c->v.i >= (int64_t)ARRAY_SIZE(recommendations))
		return recommendations[0];
	return recommendations[c->v.i];
}

/* Binds the window's bounds to the parameters q names. */
static void
bind_window(sqlite3_stmt *q, const struct window *w)
{
	static const char *const names[] = { ":since", ":until",
		":prev_since" };
	const int64_t times[] = { w->since, w->until, w->prev_since };
	char buf[WINDOW_TIME_MAX];
	size_t i;
	int at;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		at = sqlite3_bind_parameter_index(q, names[i]);
		if (at > 0)
			sqlite3_bind_text(q, at, window_format(times[i], buf),
			    -1, SQLITE_TRANSIENT);
	}
	at = sqlite3_bind_parameter_index(q, ":bucket");
	if (at > 0)
		sqlite3_bind_text(q, at,
		    w->hourly ? "%Y-%m-%dT%H:00Z" : "%Y-%m-%d", -1,
		    SQLITE_STATIC);
	at = sqlite3_bind_parameter_index(q, ":step");
	if (at > 0)
		sqlite3_bind_text(
		    q, at, w->hourly ? "+1 hour" : "+1 day", -1, SQLITE_STATIC);
}

/* Says why section s could not be computed. */
static void
run_error(sqlite3 *db, const struct section *s, char *err, size_t errsize)
{
	int rc = sqlite3_errcode(db);

	snprintf(err, errsize, "section %s: %s", s->name,
	    rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE
		? "out of memory"
		: sqlite3_errmsg(db));
}

int
section_run(sqlite3 *db, const struct section *s, const struct window *w,
    struct table **out, char *err, size_t errsize)
{
	sqlite3_stmt *q = NULL;
	struct table *t = NULL;

	*out = NULL;
	if (sqlite3_prepare_v2(db, s->sql, -1, &q, NULL) != SQLITE_OK) {
		run_error(db, s, err, errsize);
		goto fail;
	}

	/* The query and its columns are written together: an invariant. */
	assert((size_t)sqlite3_column_count(q) == s->ncolumns);
	t = table_new(s, s->ncolumns);
	if (t == NULL) {
		run_error(db, s, err, errsize);
		goto fail;
	}
	bind_window(q, w);
	if (table_fill(t, q, s->columns) != 0) {
		run_error(db, s, err, errsize);
		goto fail;
	}
	sqlite3_finalize(q);
	*out = t;
	return 0;

fail:
	table_free(t);
	sqlite3_finalize(q);
	return -1;
}
