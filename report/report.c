/*
 * report.c - the text report: what to fix, worst first, and whether the
 * capture can be trusted to have seen it.
 *
 * Every figure comes from one SQL query over the public schema, so that a
 * reader can reproduce it with the sqlite3 CLI (docs/schema.md lists them).
 */
#include "report/report.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const recommendation_titles[] = {
	"",
	"Recommendation 1: TLS between mail servers",
	"Recommendation 2: encryption inside the network",
	"Recommendation 3: users' passwords never in the clear",
};

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
	    "SELECT min(first_packet), max(last_packet), count(*)"
	    " FROM runs");
	if (q == NULL)
		return;
	if (sqlite3_step(q) == SQLITE_ROW)
		fprintf(r->out, "Traffic from %s to %s (%lld runs)\n",
		    text(q, 0), text(q, 1), sqlite3_column_int64(q, 2));
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
	    "Accounts whose password crossed in clear text: "
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
	    " s.server_ip || ':' || s.server_port, s.protocol, count(*),"
	    " min(f.seen), max(f.seen)"
	    " FROM findings f JOIN sessions s ON s.id = f.session_id"
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
		fprintf(r->out, "  %-6s %-22s %-28s %-5s %5lld x  %s .. %s\n",
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
	    "SELECT s.server_ip || ':' || s.server_port, s.protocol,"
	    " count(*), 100.0 * sum(s.tls != 'none') / count(*),"
	    " CASE WHEN max(s.starttls_offered) = 1 THEN 'yes'"
	    " WHEN max(s.starttls_offered) = 0 THEN 'no' ELSE '?' END,"
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
	fprintf(r->out, "  %-28s %-5s %8s %6s %9s %9s %9s\n", "server", "proto",
	    "sessions", "in TLS", "STARTTLS", "upgraded", "accounts");
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
	    "SELECT server_ip || ':' || server_port, protocol, count(*),"
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
	    " s.server_ip || ':' || s.server_port, count(*), max(s.last_seen)"
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

static void
exposed_accounts(struct report *r)
{
	sqlite3_stmt *q;
	bool any = false;

	heading(r, "Accounts exposed");
	q = query(r,
	    "SELECT coalesce(c.username, '(none)'), c.protocol, c.mechanism,"
	    " c.exposure, s.server_ip || ':' || s.server_port,"
	    " sum(c.count), min(c.seen), max(c.seen)"
	    " FROM credentials c JOIN sessions s ON s.id = c.session_id"
	    " WHERE c.exposure != 'none'"
	    " GROUP BY 1, 2, 3, 4, 5 ORDER BY 4, 1");
	if (q == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!any)
			fprintf(r->out, "  %-32s %-5s %-11s %-10s %-28s %5s\n",
			    "username", "proto", "mechanism", "exposure",
			    "server", "count");
		any = true;
		fprintf(r->out,
		    "  %-32s %-5s %-11s %-10s %-28s %5lld  %s .. "
		    "%s\n",
		    text(q, 0), text(q, 1), text(q, 2), text(q, 3), text(q, 4),
		    sqlite3_column_int64(q, 5), text(q, 6), text(q, 7));
	}
	if (!any)
		fprintf(r->out, "None.\n");
	sqlite3_finalize(q);
}

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
}

int
report_text(const char *path, FILE *out, char *err, size_t errsize)
{
	struct report r;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.err = err;
	r.errsize = errsize;
	if (sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsize, "%s: %s", path,
		    r.db != NULL ? sqlite3_errmsg(r.db) : "cannot open");
		sqlite3_close(r.db);
		return -1;
	}
	sqlite3_busy_timeout(r.db, 10000);

	fprintf(out, "plainsight report: %s\n", path);
	summary(&r);
	if (!r.failed)
		findings_by_recommendation(&r);
	if (!r.failed)
		server_posture(&r);
	if (!r.failed)
		tls_servers(&r);
	if (!r.failed)
		tls_old_clients(&r);
	if (!r.failed)
		exposed_accounts(&r);
	if (!r.failed)
		capture_health(&r);
	sqlite3_close(r.db);
	if (r.failed) {
		/* Prefix the message with the file it concerns. */
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errsize, "%s: %s", path, msg);
		return -1;
	}
	return 0;
}
