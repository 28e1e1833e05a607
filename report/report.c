/*
 * report.c - the text report: what to fix, worst first, and whether the
 * capture can be trusted to have seen it.
 *
 * Every figure comes from one SQL query over the public schema, so that a
 * reader can reproduce it with the sqlite3 CLI (docs/schema.md lists them).
 */
#include "report/report.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const recommendation_titles[] = {
	"",
	"Recommendation 1: TLS between mail servers",
	"Recommendation 2: encryption inside the network",
	"Recommendation 3: users' passwords never in the clear",
};

/* An ISO time column cut to the minute, for people. */
#define MINUTE(col) "strftime('%Y-%m-%d %H:%M', " col ")"

struct report {
	sqlite3 *db;
	FILE *out;
	char *err;
	size_t errsize;
	bool failed;
};

/* Prepares sql; on failure records the error and returns NULL. */
static sqlite3_stmt *
query(struct report *r, const char *sql)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK) {
		snprintf(r->err, r->errsize, "%s", sqlite3_errmsg(r->db));
		r->failed = true;
		return NULL;
	}
	return q;
}

static const char *
text(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t != NULL ? (const char *)t : "-";
}

/* One number from a query returning one row and one column. */
static long long
scalar(struct report *r, const char *sql)
{
	sqlite3_stmt *q = query(r, sql);
	long long v = 0;

	if (q == NULL)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void
heading(struct report *r, const char *title)
{
	size_t i, n = strlen(title);

	fprintf(r->out, "\n%s\n", title);
	for (i = 0; i < n; i++)
		fputc('=', r->out);
	fputc('\n', r->out);
}

static void
summary(struct report *r)
{
	sqlite3_stmt *q;
	long long mail, tls;

	q = query(r,
	    "SELECT " MINUTE("min(first_packet)") ", " MINUTE(
		"max(last_packet)") ", count(*) FROM runs");
	if (q == NULL)
		return;
	if (sqlite3_step(q) == SQLITE_ROW)
		fprintf(r->out, "Traffic from %s to %s UTC (%lld %s)\n",
		    text(q, 0), text(q, 1), sqlite3_column_int64(q, 2),
		    sqlite3_column_int64(q, 2) == 1 ? "run" : "runs");
	sqlite3_finalize(q);

	heading(r, "Summary");
	q = query(r,
	    "SELECT"
	    " sum(severity = 'high'), sum(severity = 'medium'),"
	    " sum(severity = 'low') FROM findings");
	if (q == NULL)
		return;
	if (sqlite3_step(q) == SQLITE_ROW)
		fprintf(r->out,
		    "Findings:      %lld high, %lld medium, "
		    "%lld low\n",
		    sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
		    sqlite3_column_int64(q, 2));
	sqlite3_finalize(q);

	fprintf(r->out,
	    "Accounts whose password or token crossed in clear text: "
	    "%lld\n",
	    scalar(r,
		"SELECT count(DISTINCT protocol || ' ' ||"
		" coalesce(username, '')) FROM credentials"
		" WHERE exposure IN ('cleartext', 'token')"));
	fprintf(r->out, "Mail servers that did not offer STARTTLS: %lld\n",
	    scalar(r,
		"SELECT count(DISTINCT server_ip || ' ' ||"
		" server_port) FROM sessions WHERE starttls_offered = 0"
		" AND tls = 'none'"));
	fprintf(r->out, "Sessions below the TLS floor: %lld\n",
	    scalar(r,
		"SELECT count(DISTINCT session_id) FROM findings"
		" WHERE kind = 'obsolete_tls_version'"));
	mail = scalar(r,
	    "SELECT count(*) FROM sessions"
	    " WHERE protocol IN ('smtp', 'imap', 'pop3')");
	tls = scalar(r,
	    "SELECT count(*) FROM sessions"
	    " WHERE protocol IN ('smtp', 'imap', 'pop3')"
	    " AND tls != 'none'");
	fprintf(r->out, "Mail sessions: %lld, of which in TLS: %lld (%.0f%%)\n",
	    mail, tls, mail > 0 ? 100.0 * (double)tls / (double)mail : 0.0);
}

static void
findings_by_recommendation(struct report *r)
{
	sqlite3_stmt *q;
	int last = 0, rec;

	heading(r, "Findings by recommendation");
	q = query(r,
	    "SELECT f.recommendation, f.severity, f.kind,"
	    " endpoint(s.server_ip, s.server_port), s.protocol, count(*),"
	    " " MINUTE("min(f.seen)") ", " MINUTE(
		"max(f.seen)") " FROM findings f JOIN sessions s ON s.id = "
			       "f.session_id"
			       " WHERE f.severity != 'info'"
			       " GROUP BY 1, 2, 3, 4, 5"
			       " ORDER BY 1, CASE f.severity WHEN 'high' THEN 0"
			       " WHEN 'medium' THEN 1 ELSE 2 END, 6 DESC");
	if (q == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		rec = sqlite3_column_int(q, 0);
		if (rec != last && rec >= 1 && rec <= 3) {
			fprintf(r->out, "\n%s\n", recommendation_titles[rec]);
			last = rec;
		}
		fprintf(r->out, "  %-6s %-22s %-24s %-5s %5lld x  %s .. %s\n",
		    text(q, 1), text(q, 2), text(q, 3), text(q, 4),
		    sqlite3_column_int64(q, 5), text(q, 6), text(q, 7));
	}
	if (last == 0)
		fprintf(r->out, "None.\n");
	sqlite3_finalize(q);
}

static void
server_posture(struct report *r)
{
	sqlite3_stmt *q;

	heading(r, "Mail servers");
	q = query(r,
	    "SELECT endpoint(s.server_ip, s.server_port), s.protocol,"
	    " count(*), 100.0 * sum(s.tls != 'none') / count(*),"
	    " sum(s.starttls_offered = 1) || '/' ||"
	    " count(s.starttls_offered),"
	    " sum(s.starttls_result = 'ok'),"
	    " (SELECT count(DISTINCT c.username) FROM credentials c"
	    "  JOIN sessions t ON t.id = c.session_id"
	    "  WHERE t.server_ip = s.server_ip"
	    "  AND t.server_port = s.server_port"
	    "  AND c.exposure IN ('cleartext', 'token', 'crackable'))"
	    " FROM sessions s WHERE s.protocol IN ('smtp', 'imap', 'pop3')"
	    " GROUP BY s.server_ip, s.server_port, s.protocol"
	    " ORDER BY 4, 3 DESC");
	if (q == NULL)
		return;
	fprintf(r->out,
	    "  STARTTLS offered: sessions that offered it / sessions that"
	    " showed capabilities\n");
	fprintf(r->out, "  %-28s %-5s %8s %6s %9s %9s %9s\n", "server", "proto",
	    "sessions", "in TLS", "offered", "upgraded", "accounts");
	while (sqlite3_step(q) == SQLITE_ROW)
		fprintf(r->out, "  %-28s %-5s %8lld %5.0f%% %9s %9lld %9lld\n",
		    text(q, 0), text(q, 1), sqlite3_column_int64(q, 2),
		    sqlite3_column_double(q, 3), text(q, 4),
		    sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6));
	sqlite3_finalize(q);
}

static void
tls_servers(struct report *r)
{
	sqlite3_stmt *q;
	bool any = false;

	heading(r, "TLS by server");
	q = query(r,
	    "SELECT endpoint(server_ip, server_port), protocol, count(*),"
	    " group_concat(DISTINCT tls_version),"
	    " 100.0 * sum(tls_forward_secrecy = 1) / count(*),"
	    " group_concat(DISTINCT tls_cipher)"
	    " FROM sessions WHERE tls_version IS NOT NULL"
	    " GROUP BY server_ip, server_port, protocol"
	    " ORDER BY min(tls_version), 3 DESC");
	if (q == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!any)
			fprintf(r->out, "  %-28s %-6s %8s %4s  %s\n", "server",
			    "proto", "sessions", "FS", "versions: ciphers");
		any = true;
		fprintf(r->out, "  %-28s %-6s %8lld %3.0f%%  %s: %s\n",
		    text(q, 0), text(q, 1), sqlite3_column_int64(q, 2),
		    sqlite3_column_double(q, 4), text(q, 3), text(q, 5));
	}
	if (!any)
		fprintf(r->out, "No TLS handshake seen.\n");
	sqlite3_finalize(q);
}

/*
 * The clients that would break if old versions were turned off: those whose
 * sessions got an obsolete_tls_version finding, under the floor in force
 * when they were captured, with what they call themselves.
 */
static void
tls_old_clients(struct report *r)
{
	sqlite3_stmt *q;
	bool any = false;

	heading(r, "Clients below the TLS floor");
	q = query(r,
	    "SELECT s.client_ip, coalesce(s.client_name, '-'),"
	    " coalesce(s.ja3, '-'), s.tls_version,"
	    " endpoint(s.server_ip, s.server_port), count(*), max(s.last_seen)"
	    " FROM sessions s JOIN findings f ON f.session_id = s.id"
	    " WHERE f.kind = 'obsolete_tls_version'"
	    " GROUP BY 1, 2, 3, 4, 5 ORDER BY 4, 6 DESC");
	if (q == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!any)
			fprintf(r->out, "  %-39s %-24s %-8s %-28s %5s  %s\n",
			    "client", "calls itself", "version", "server",
			    "count", "JA3");
		any = true;
		fprintf(r->out, "  %-39s %-24s %-8s %-28s %5lld  %s\n",
		    text(q, 0), text(q, 1), text(q, 3), text(q, 4),
		    sqlite3_column_int64(q, 5), text(q, 2));
	}
	if (!any)
		fprintf(r->out, "None.\n");
	sqlite3_finalize(q);
}

/*
 * Internal servers that serve protocols carrying secrets in the clear to
 * internal clients (recommendation 2), worst first, with how many clients
 * use them and how many accounts were seen crossing in the clear.
 */
static void
cleartext_inside(struct report *r)
{
	sqlite3_stmt *q;
	bool any = false;

	heading(r, "Cleartext inside the network");
	q = query(r,
	    "SELECT f.severity, endpoint(f.server_ip, f.server_port),"
	    " v.transport, v.protocol, sum(v.sessions),"
	    " sum(v.sessions - v.encrypted_sessions), max(v.clients),"
	    " (SELECT count(DISTINCT c.username) FROM credentials c"
	    "  JOIN sessions s ON s.id = c.session_id"
	    "  WHERE s.server_ip = f.server_ip"
	    "  AND s.server_port = f.server_port"
	    "  AND c.exposure IN ('cleartext', 'token', 'crackable'))"
	    " FROM findings f JOIN services v ON v.server_ip = f.server_ip"
	    " AND v.server_port = f.server_port AND v.protocol = f.protocol"
	    " WHERE f.kind = 'cleartext_internal_service'"
	    " GROUP BY f.server_ip, f.server_port, v.transport, v.protocol"
	    " ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium'"
	    " THEN 1 ELSE 2 END, 5 DESC");
	if (q == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!any)
			fprintf(r->out,
			    "  %-6s %-24s %-4s %-12s %8s %9s %7s %8s\n", "",
			    "server", "", "protocol", "sessions", "in clear",
			    "clients", "accounts");
		any = true;
		fprintf(r->out,
		    "  %-6s %-24s %-4s %-12s %8lld %9lld %7lld %8lld\n",
		    text(q, 0), text(q, 1), text(q, 2), text(q, 3),
		    sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
		    sqlite3_column_int64(q, 6), sqlite3_column_int64(q, 7));
	}
	if (!any)
		fprintf(r->out, "None seen.\n");
	sqlite3_finalize(q);
}

static void
exposed_accounts(struct report *r)
{
	sqlite3_stmt *q;
	bool any = false;

	heading(r, "Accounts exposed");
	q = query(r,
	    "SELECT coalesce(c.username, '(none)'), c.protocol, c.mechanism,"
	    " c.exposure, endpoint(s.server_ip, s.server_port),"
	    " sum(c.count), " MINUTE(
		"max(c.seen)") " FROM credentials c JOIN sessions s ON s.id = "
			       "c.session_id"
			       " WHERE c.exposure != 'none'"
			       " GROUP BY 1, 2, 3, 4, 5 ORDER BY 4, 1");
	if (q == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!any)
			fprintf(r->out,
			    "  %-26s %-5s %-10s %-10s %-24s %5s  %s\n",
			    "username", "proto", "mechanism", "exposure",
			    "server", "count", "last seen");
		any = true;
		fprintf(r->out, "  %-26s %-5s %-10s %-10s %-24s %5lld  %s\n",
		    text(q, 0), text(q, 1), text(q, 2), text(q, 3), text(q, 4),
		    sqlite3_column_int64(q, 5), text(q, 6));
	}
	if (!any)
		fprintf(r->out, "None.\n");
	sqlite3_finalize(q);
}

/* A counter summed over all runs. */
static long long
counter(struct report *r, const char *name)
{
	sqlite3_stmt *q;
	long long v = 0;

	q = query(r, "SELECT sum(value) FROM run_counters WHERE name = ?");
	if (q == NULL)
		return 0;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/*
 * What the capture may have missed: silence is only worth something when
 * these are low.
 */
static void
capture_health(struct report *r)
{
	sqlite3_stmt *q;

	heading(r, "Capture health");
	q = query(r,
	    "SELECT sum(packets), sum(bytes), sum(dropped), sum(truncated),"
	    " sum(ip_fragments), sum(decode_errors), sum(checksum_errors),"
	    " sum(tcp_gaps), sum(complete = 0),"
	    " (SELECT count(*) FROM sessions WHERE anomalies LIKE"
	    "  '%one_sided%'),"
	    " (SELECT count(*) FROM sessions WHERE anomalies LIKE"
	    "  '%midstream%')"
	    " FROM runs");
	if (q == NULL)
		return;
	if (sqlite3_step(q) == SQLITE_ROW) {
		fprintf(r->out,
		    "  packets %lld (%.1f MB), dropped by the capture %lld,"
		    " cut by the snap length %lld\n",
		    sqlite3_column_int64(q, 0),
		    (double)sqlite3_column_int64(q, 1) / 1e6,
		    sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3));
		fprintf(r->out,
		    "  IP fragments %lld, malformed %lld, bad checksums %lld,"
		    " TCP gaps %lld\n",
		    sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
		    sqlite3_column_int64(q, 6), sqlite3_column_int64(q, 7));
		fprintf(r->out,
		    "  one-sided sessions %lld, sessions joined mid-stream"
		    " %lld, incomplete runs %lld\n",
		    sqlite3_column_int64(q, 9), sqlite3_column_int64(q, 10),
		    sqlite3_column_int64(q, 8));
	}
	sqlite3_finalize(q);
	fprintf(r->out,
	    "  limits reached: flows evicted %lld, sessions stored early to "
	    "free memory %lld,\n"
	    "  classifications cut short %lld, bytes analyzers could not "
	    "take %lld\n",
	    counter(r, "flows_evicted"), counter(r, "analyses_evicted"),
	    counter(r, "classify_abandoned"),
	    counter(r, "stream_bytes_dropped"));
}

/*
 * SQL function endpoint(ip, port): "192.0.2.1:25", "[2001:db8::1]:25",
 * as people write addresses with ports.
 */
static void
sql_endpoint(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *ip = sqlite3_value_text(argv[0]);
	int port = sqlite3_value_int(argv[1]);
	char buf[80];

	(void)argc;
	if (ip == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (strchr((const char *)ip, ':') != NULL)
		snprintf(buf, sizeof(buf), "[%s]:%d", ip, port);
	else
		snprintf(buf, sizeof(buf), "%s:%d", ip, port);
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* Opens path read-only and checks that plainsight wrote it. */
static int
open_database(struct report *r, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		snprintf(r->err, r->errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(r->err, r->errsize, "%s: not a regular file", path);
		return -1;
	}
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(r->err, r->errsize, "%s: %s", path,
		    r->db != NULL ? sqlite3_errmsg(r->db) : "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(r->db, 10000);
	if (scalar(r, "PRAGMA user_version") < 1 || r->failed) {
		snprintf(
		    r->err, r->errsize, "%s: not a plainsight database", path);
		return -1;
	}
	sqlite3_create_function(r->db, "endpoint", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_endpoint, NULL, NULL);
	return 0;
}

/* The report's sections, in the order people read them. */
static void
sections(struct report *r)
{
	void (*const parts[])(struct report *) = {
		summary,
		findings_by_recommendation,
		server_posture,
		tls_servers,
		tls_old_clients,
		cleartext_inside,
		exposed_accounts,
		capture_health,
	};
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]) && !r->failed; i++)
		parts[i](r);
}

int
report_text(const char *path, FILE *out, char *err, size_t errsize)
{
	struct report r;
	char *text = NULL, msg[256];
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	r.err = err;
	r.errsize = errsize;
	if (open_database(&r, path) != 0) {
		sqlite3_close(r.db);
		return -1;
	}

	/* Written in memory first: a report that fails half-way is none. */
	r.out = open_memstream(&text, &len);
	if (r.out == NULL) {
		snprintf(err, errsize, "%s", strerror(errno));
		sqlite3_close(r.db);
		return -1;
	}
	fprintf(r.out, "plainsight report: %s\n", path);
	sections(&r);
	fclose(r.out);
	sqlite3_close(r.db);
	if (r.failed) {
		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errsize, "%s: %s", path, msg);
		free(text);
		return -1;
	}
	fwrite(text, 1, len, out);
	free(text);
	return 0;
}
