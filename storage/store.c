/*
 * store.c - the SQLite side of plainsight.
 *
 * Every schema change is a numbered migration applied in order, so that a
 * database written by an older plainsight is brought forward, never
 * recreated.  PRAGMA user_version holds the number of the last migration.
 */
#include "storage/store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <netinet/in.h>

#include "analyzers/tls_ciphers.h"
#include "hll.h"
#include "util.h"

/* Sessions per transaction while reading fast from files. */
#define STORE_BATCH 4096

static const char *const store_migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" started TEXT NOT NULL,"
	" finished TEXT,"
	" source TEXT NOT NULL,"
	" packets INTEGER NOT NULL DEFAULT 0,"
	" bytes INTEGER NOT NULL DEFAULT 0,"
	" dropped INTEGER NOT NULL DEFAULT 0,"
	" truncated INTEGER NOT NULL DEFAULT 0,"
	" version TEXT NOT NULL,"
	" first_packet TEXT,"
	" last_packet TEXT,"
	" ip_fragments INTEGER NOT NULL DEFAULT 0,"
	" decode_errors INTEGER NOT NULL DEFAULT 0,"
	" checksum_errors INTEGER NOT NULL DEFAULT 0,"
	" flows INTEGER NOT NULL DEFAULT 0,"
	" sessions INTEGER NOT NULL DEFAULT 0,"
	" findings INTEGER NOT NULL DEFAULT 0,"
	" tcp_gaps INTEGER NOT NULL DEFAULT 0,"
	" complete INTEGER NOT NULL DEFAULT 0,"
	" error TEXT"
	");"
	"CREATE TABLE run_counters ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" name TEXT NOT NULL,"
	" value INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, name)"
	");"
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL,"
	" client_ip TEXT NOT NULL,"
	" client_port INTEGER NOT NULL,"
	" server_ip TEXT NOT NULL,"
	" server_port INTEGER NOT NULL,"
	" transport TEXT NOT NULL,"
	" protocol TEXT NOT NULL,"
	" ndpi_protocol TEXT,"
	" tls TEXT NOT NULL,"
	" starttls_offered INTEGER,"
	" starttls_attempted INTEGER,"
	" starttls_result TEXT,"
	" client_bytes INTEGER NOT NULL DEFAULT 0,"
	" server_bytes INTEGER NOT NULL DEFAULT 0,"
	" gaps INTEGER NOT NULL DEFAULT 0,"
	" ip_version INTEGER NOT NULL,"
	" vlan INTEGER,"
	" starttls_stripped INTEGER NOT NULL DEFAULT 0,"
	" client_name TEXT,"
	" auth_mechanisms TEXT,"
	" anomalies TEXT,"
	" end_reason TEXT"
	");"
	"CREATE INDEX sessions_first_seen ON sessions(first_seen);"
	"CREATE INDEX sessions_server ON sessions(server_ip, server_port);"
	"CREATE TABLE credentials ("
	" id INTEGER PRIMARY KEY,"
	" session_id INTEGER NOT NULL REFERENCES sessions(id),"
	" seen TEXT NOT NULL,"
	" protocol TEXT NOT NULL,"
	" mechanism TEXT NOT NULL,"
	" username TEXT,"
	" exposure TEXT NOT NULL,"
	" outcome TEXT,"
	" count INTEGER NOT NULL DEFAULT 1"
	");"
	"CREATE INDEX credentials_session ON credentials(session_id);"
	"CREATE INDEX credentials_username ON credentials(username);"
	"CREATE TABLE findings ("
	" id INTEGER PRIMARY KEY,"
	" session_id INTEGER REFERENCES sessions(id),"
	" seen TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" recommendation INTEGER NOT NULL,"
	" detail TEXT"
	");"
	"CREATE INDEX findings_session ON findings(session_id);"
	"CREATE INDEX findings_seen ON findings(seen);"
	"CREATE INDEX findings_kind ON findings(kind);",

	/* 2: TLS posture of every session, and the certificates seen. */
	"ALTER TABLE sessions ADD COLUMN tls_version TEXT;"
	"ALTER TABLE sessions ADD COLUMN tls_cipher TEXT;"
	"ALTER TABLE sessions ADD COLUMN tls_forward_secrecy INTEGER;"
	"ALTER TABLE sessions ADD COLUMN tls_sni TEXT;"
	"ALTER TABLE sessions ADD COLUMN tls_alpn TEXT;"
	"ALTER TABLE sessions ADD COLUMN ja3 TEXT;"
	"ALTER TABLE sessions ADD COLUMN tls_established INTEGER;"
	"ALTER TABLE sessions ADD COLUMN tls_client_version TEXT;"
	"ALTER TABLE sessions ADD COLUMN tls_cipher_id INTEGER;"
	"ALTER TABLE sessions ADD COLUMN tls_key_exchange TEXT;"
	"ALTER TABLE sessions ADD COLUMN tls_group INTEGER;"
	"ALTER TABLE sessions ADD COLUMN tls_alert TEXT;"
	"ALTER TABLE sessions ADD COLUMN certificate TEXT"
	" REFERENCES certificates(sha256);"
	"CREATE TABLE certificates ("
	" sha256 TEXT PRIMARY KEY,"
	" subject TEXT,"
	" issuer TEXT,"
	" common_name TEXT,"
	" sans TEXT,"
	" not_before TEXT,"
	" not_after TEXT,"
	" key_type TEXT,"
	" key_bits INTEGER,"
	" signature_algorithm TEXT,"
	" self_signed INTEGER NOT NULL,"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL,"
	" sessions INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX sessions_tls_version ON sessions(tls_version);",

	/* 3: internal and external, the service inventory. */
	"ALTER TABLE sessions ADD COLUMN client_internal INTEGER;"
	"ALTER TABLE sessions ADD COLUMN server_internal INTEGER;"
	"ALTER TABLE findings ADD COLUMN server_ip TEXT;"
	"ALTER TABLE findings ADD COLUMN server_port INTEGER;"
	"ALTER TABLE findings ADD COLUMN protocol TEXT;"
	"UPDATE findings SET (server_ip, server_port, protocol) ="
	" (SELECT s.server_ip, s.server_port, s.protocol FROM sessions s"
	" WHERE s.id = findings.session_id);"
	"CREATE TABLE services ("
	" server_ip TEXT NOT NULL,"
	" server_port INTEGER NOT NULL,"
	" transport TEXT NOT NULL,"
	" protocol TEXT NOT NULL,"
	" server_internal INTEGER NOT NULL,"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL,"
	" sessions INTEGER NOT NULL,"
	" encrypted_sessions INTEGER NOT NULL,"
	" encrypted INTEGER NOT NULL,"
	" internal_sessions INTEGER NOT NULL,"
	" clients INTEGER NOT NULL,"
	" clients_sketch BLOB,"
	" bytes INTEGER NOT NULL,"
	" PRIMARY KEY (server_ip, server_port, transport, protocol)"
	");"
	"CREATE INDEX findings_server ON findings(server_ip, server_port);",

	/*
	 * 4: the views of docs/schema.md for ad hoc queries, and the indexes
	 * that keep them and the report fast over a month of data.
	 */
	"CREATE INDEX credentials_seen ON credentials(seen);\n"
	"CREATE INDEX sessions_protocol_first_seen\n"
	" ON sessions(protocol, first_seen);\n"
	"DROP INDEX findings_kind;\n"
	"CREATE INDEX findings_kind_seen ON findings(kind, seen);\n"
	"CREATE VIEW server_posture AS\n"
	"WITH combos AS (\n"
	" SELECT server_ip, server_port, protocol, tls, starttls_offered,\n"
	"  tls_version, tls_cipher, count(*) AS n,\n"
	"  min(first_seen) AS first_seen, max(last_seen) AS last_seen\n"
	" FROM sessions WHERE protocol IN ('smtp', 'imap', 'pop3')\n"
	" GROUP BY 1, 2, 3, 4, 5, 6, 7),\n"
	"versions AS (\n"
	" SELECT DISTINCT server_ip, server_port, protocol,\n"
	"  group_concat(tls_version, ', ') OVER (\n"
	"   PARTITION BY server_ip, server_port, protocol\n"
	"   ORDER BY tls_version\n"
	"   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list\n"
	" FROM (SELECT DISTINCT server_ip, server_port, protocol, tls_version\n"
	"  FROM combos WHERE tls_version IS NOT NULL)),\n"
	"ciphers AS (\n"
	" SELECT DISTINCT server_ip, server_port, protocol,\n"
	"  group_concat(tls_cipher, ', ') OVER (\n"
	"   PARTITION BY server_ip, server_port, protocol\n"
	"   ORDER BY tls_cipher\n"
	"   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list\n"
	" FROM (SELECT DISTINCT server_ip, server_port, protocol, tls_cipher\n"
	"  FROM combos WHERE tls_cipher IS NOT NULL)),\n"
	"accounts AS (\n"
	" SELECT s.server_ip, s.server_port, s.protocol,\n"
	"  count(DISTINCT coalesce(c.username, '')) AS n\n"
	" FROM credentials c JOIN sessions s ON s.id = c.session_id\n"
	" WHERE c.exposure IN ('cleartext', 'token', 'crackable')\n"
	" GROUP BY 1, 2, 3)\n"
	"SELECT c.server_ip, c.server_port, c.protocol, sum(c.n) AS sessions,\n"
	" sum(CASE WHEN c.tls != 'none' THEN c.n ELSE 0 END) AS tls_sessions,\n"
	" round(100.0 * sum(CASE WHEN c.tls != 'none' THEN c.n ELSE 0 END) /\n"
	"  sum(c.n), 1) AS tls_pct,\n"
	" sum(CASE WHEN c.starttls_offered IS NOT NULL THEN c.n ELSE 0 END)\n"
	"  AS capabilities_seen,\n"
	" sum(CASE WHEN c.starttls_offered = 1 THEN c.n ELSE 0 END)\n"
	"  AS starttls_offered,\n"
	" sum(CASE WHEN c.tls = 'starttls' THEN c.n ELSE 0 END)\n"
	"  AS starttls_used,\n"
	" coalesce(a.n, 0) AS accounts_exposed,\n"
	" v.list AS tls_versions, x.list AS tls_ciphers,\n"
	" min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen\n"
	"FROM combos c\n"
	"LEFT JOIN versions v USING (server_ip, server_port, protocol)\n"
	"LEFT JOIN ciphers x USING (server_ip, server_port, protocol)\n"
	"LEFT JOIN accounts a USING (server_ip, server_port, protocol)\n"
	"GROUP BY c.server_ip, c.server_port, c.protocol;\n"
	"CREATE VIEW exposed_accounts AS\n"
	"SELECT c.username, c.protocol, c.mechanism, c.exposure, s.server_ip,\n"
	" s.server_port, min(c.seen) AS first_seen, max(c.seen) AS last_seen,\n"
	" sum(c.count) AS logins,\n"
	" sum(CASE WHEN c.outcome = 'accepted' THEN c.count ELSE 0 END)\n"
	"  AS accepted\n"
	"FROM credentials c JOIN sessions s ON s.id = c.session_id\n"
	"WHERE c.exposure != 'none'\n"
	"GROUP BY c.username, c.protocol, c.mechanism, c.exposure,\n"
	" s.server_ip, s.server_port;\n"
	"CREATE VIEW mail_tls_share AS\n"
	"SELECT date(first_seen) AS day, count(*) AS sessions,\n"
	" sum(tls != 'none') AS tls_sessions,\n"
	" round(100.0 * sum(tls != 'none') / count(*), 1) AS tls_pct,\n"
	" sum(tls = 'starttls') AS starttls_sessions,\n"
	" sum(tls = 'implicit') AS implicit_sessions\n"
	"FROM sessions WHERE protocol IN ('smtp', 'imap', 'pop3')\n"
	"GROUP BY 1;\n"
	"CREATE VIEW tls_below_floor_clients AS\n"
	"SELECT s.client_ip, s.client_name, s.tls_client_version,\n"
	" s.tls_version, s.server_ip, s.server_port, s.protocol,\n"
	" count(DISTINCT s.id) AS sessions, min(s.first_seen) AS first_seen,\n"
	" max(s.first_seen) AS last_seen, s.ja3\n"
	"FROM findings f JOIN sessions s ON s.id = f.session_id\n"
	"WHERE f.kind = 'obsolete_tls_version'\n"
	"GROUP BY s.client_ip, s.client_name, s.tls_client_version,\n"
	" s.tls_version, s.server_ip, s.server_port, s.protocol, s.ja3;\n"
	"CREATE VIEW new_findings AS\n"
	"WITH data_end(t) AS (\n"
	" SELECT strftime('%Y-%m-%dT%H:%M:00.000000Z', max(t), '+1 minute')\n"
	" FROM (SELECT max(first_seen) AS t FROM sessions\n"
	"  UNION ALL SELECT max(seen) FROM credentials\n"
	"  UNION ALL SELECT max(seen) FROM findings\n"
	"  UNION ALL SELECT max(last_packet) FROM runs\n"
	"  UNION ALL SELECT max(last_seen) FROM services)),\n"
	"w(period, since, until) AS (\n"
	" SELECT 'now', strftime('%Y-%m-%dT%H:%M:00.000000Z', t, '-1 day'), t\n"
	" FROM data_end\n"
	" UNION ALL\n"
	" SELECT 'before',\n"
	"  strftime('%Y-%m-%dT%H:%M:00.000000Z', t, '-2 days'),\n"
	"  strftime('%Y-%m-%dT%H:%M:00.000000Z', t, '-1 day')\n"
	" FROM data_end),\n"
	"raised AS (\n"
	" SELECT w.period, f.kind, f.severity, f.recommendation, f.server_ip,\n"
	"  f.server_port, f.protocol, f.seen, 1 AS counted\n"
	" FROM w JOIN findings f ON f.seen >= w.since AND f.seen < w.until\n"
	" WHERE f.severity != 'info'\n"
	" UNION ALL\n"
	" SELECT w.period, f.kind, f.severity, f.recommendation, f.server_ip,\n"
	"  f.server_port, f.protocol, NULL, 0\n"
	" FROM w JOIN findings f ON f.session_id IS NULL AND f.seen < w.since\n"
	" JOIN services v ON v.server_ip = f.server_ip\n"
	"  AND v.server_port = f.server_port AND v.protocol = f.protocol\n"
	" WHERE f.severity != 'info' AND v.last_seen >= w.since),\n"
	"graded AS (\n"
	" SELECT *, CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2\n"
	"  ELSE 1 END AS grade\n"
	" FROM raised),\n"
	"keys AS (\n"
	" SELECT kind, server_ip, server_port,\n"
	"  max(CASE WHEN period = 'now' THEN grade END) AS grade_now,\n"
	"  max(CASE WHEN period = 'before' THEN grade END) AS grade_before,\n"
	"  min(CASE WHEN period = 'now' THEN recommendation END)\n"
	"   AS recommendation,\n"
	"  min(CASE WHEN period = 'now' THEN protocol END) AS protocol,\n"
	"  sum(CASE WHEN period = 'now' THEN counted ELSE 0 END) AS findings,\n"
	"  min(CASE WHEN period = 'now' THEN seen END) AS first_seen,\n"
	"  max(CASE WHEN period = 'now' THEN seen END) AS last_seen\n"
	" FROM graded GROUP BY kind, server_ip, server_port)\n"
	"SELECT kind,\n"
	" CASE grade_now WHEN 3 THEN 'high' WHEN 2 THEN 'medium'\n"
	"  ELSE 'low' END AS severity,\n"
	" recommendation, server_ip, server_port, protocol, findings,\n"
	" first_seen, last_seen\n"
	"FROM keys\n"
	"WHERE grade_now IS NOT NULL AND grade_before IS NULL;",

	/* 5: the webmail product a cleartext login went to. */
	"ALTER TABLE sessions ADD COLUMN webmail TEXT;",
};

/*
 * The columns a session row is written with, in placeholder order: the
 * INSERT statement is built from this list, and values are bound by the
 * SC_* names it defines.
 */
#define SESSION_COLUMNS(X)                                                     \
	X(RUN_ID, run_id)                                                      \
	X(FIRST_SEEN, first_seen)                                              \
	X(LAST_SEEN, last_seen)                                                \
	X(CLIENT_IP, client_ip)                                                \
	X(CLIENT_PORT, client_port)                                            \
	X(SERVER_IP, server_ip)                                                \
	X(SERVER_PORT, server_port)                                            \
	X(TRANSPORT, transport)                                                \
	X(PROTOCOL, protocol)                                                  \
	X(NDPI_PROTOCOL, ndpi_protocol)                                        \
	X(TLS, tls)                                                            \
	X(STARTTLS_OFFERED, starttls_offered)                                  \
	X(STARTTLS_ATTEMPTED, starttls_attempted)                              \
	X(STARTTLS_RESULT, starttls_result)                                    \
	X(CLIENT_BYTES, client_bytes)                                          \
	X(SERVER_BYTES, server_bytes)                                          \
	X(GAPS, gaps)                                                          \
	X(IP_VERSION, ip_version)                                              \
	X(VLAN, vlan)                                                          \
	X(STARTTLS_STRIPPED, starttls_stripped)                                \
	X(CLIENT_NAME, client_name)                                            \
	X(AUTH_MECHANISMS, auth_mechanisms)                                    \
	X(ANOMALIES, anomalies)                                                \
	X(END_REASON, end_reason)                                              \
	X(TLS_VERSION, tls_version)                                            \
	X(TLS_CIPHER, tls_cipher)                                              \
	X(TLS_FORWARD_SECRECY, tls_forward_secrecy)                            \
	X(TLS_SNI, tls_sni)                                                    \
	X(TLS_ALPN, tls_alpn)                                                  \
	X(JA3, ja3)                                                            \
	X(TLS_ESTABLISHED, tls_established)                                    \
	X(TLS_CLIENT_VERSION, tls_client_version)                              \
	X(TLS_CIPHER_ID, tls_cipher_id)                                        \
	X(TLS_KEY_EXCHANGE, tls_key_exchange)                                  \
	X(TLS_GROUP, tls_group)                                                \
	X(TLS_ALERT, tls_alert)                                                \
	X(CERTIFICATE, certificate)                                            \
	X(CLIENT_INTERNAL, client_internal)                                    \
	X(SERVER_INTERNAL, server_internal)                                    \
	X(WEBMAIL, webmail)

/* The same for a certificate row. */
#define CERTIFICATE_COLUMNS(X)                                                 \
	X(SHA256, sha256)                                                      \
	X(SUBJECT, subject)                                                    \
	X(ISSUER, issuer)                                                      \
	X(COMMON_NAME, common_name)                                            \
	X(SANS, sans)                                                          \
	X(NOT_BEFORE, not_before)                                              \
	X(NOT_AFTER, not_after)                                                \
	X(KEY_TYPE, key_type)                                                  \
	X(KEY_BITS, key_bits)                                                  \
	X(SIGNATURE_ALGORITHM, signature_algorithm)                            \
	X(SELF_SIGNED, self_signed)                                            \
	X(FIRST_SEEN, first_seen)                                              \
	X(LAST_SEEN, last_seen)                                                \
	X(SESSIONS, sessions)

#define COLUMN_ENUM(prefix, e, n) prefix##e,
#define SC_ENUM(e, n) COLUMN_ENUM(SC_, e, n)
#define CC_ENUM(e, n) COLUMN_ENUM(CC_, e, n)
#define COLUMN_NAME(e, n) #n,

enum session_column { SESSION_COLUMNS(SC_ENUM) SC_COUNT };
enum certificate_column { CERTIFICATE_COLUMNS(CC_ENUM) CC_COUNT };

static const char *const session_columns[] = { SESSION_COLUMNS(COLUMN_NAME) };
static const char *const certificate_columns[] = { CERTIFICATE_COLUMNS(
    COLUMN_NAME) };

/* A certificate seen again counts one more session and widens its span. */
#define CERTIFICATE_CONFLICT                                                   \
	" ON CONFLICT (sha256) DO UPDATE SET sessions = sessions + 1,"         \
	" first_seen = min(first_seen, excluded.first_seen),"                  \
	" last_seen = max(last_seen, excluded.last_seen)"

enum store_stmt {
	STMT_SESSION,
	STMT_CREDENTIAL,
	STMT_FINDING,
	STMT_CERTIFICATE,
	STMT_SERVICE,
	STMT_COUNT,
};

/* Statements with a fixed text; the others are built from column lists. */
static const char *const store_sql[STMT_COUNT] = {
	[STMT_CREDENTIAL] = "INSERT INTO credentials (session_id, seen,"
			    " protocol, mechanism, username, exposure,"
			    " outcome, count) VALUES (?,?,?,?,?,?,?,?)",
	[STMT_FINDING] = "INSERT INTO findings (session_id, seen, kind,"
			 " severity, recommendation, detail, server_ip,"
			 " server_port, protocol) VALUES (?,?,?,?,?,?,?,?,?)",
	[STMT_SERVICE] =
	    "INSERT INTO services (server_ip, server_port, transport,"
	    " protocol, server_internal, first_seen, last_seen, sessions,"
	    " encrypted_sessions, encrypted, internal_sessions, clients,"
	    " clients_sketch, bytes)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8 = ?9, ?10,"
	    " hll_count(?11), ?11, ?12)"
	    " ON CONFLICT (server_ip, server_port, transport, protocol)"
	    " DO UPDATE SET server_internal = excluded.server_internal,"
	    " first_seen = min(first_seen, excluded.first_seen),"
	    " last_seen = max(last_seen, excluded.last_seen),"
	    " sessions = sessions + excluded.sessions,"
	    " encrypted_sessions = encrypted_sessions +"
	    " excluded.encrypted_sessions,"
	    " encrypted = sessions + excluded.sessions ="
	    " encrypted_sessions + excluded.encrypted_sessions,"
	    " internal_sessions = internal_sessions +"
	    " excluded.internal_sessions,"
	    " clients_sketch = hll_merge(clients_sketch,"
	    " excluded.clients_sketch),"
	    " clients = hll_count(hll_merge(clients_sketch,"
	    " excluded.clients_sketch)),"
	    " bytes = bytes + excluded.bytes",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	int64_t run_id;
	bool in_txn;
	unsigned int batch; /* sessions in the open transaction */
	uint64_t lost;      /* sessions a failed batch took with it */
	char error[256];
};

static int
store_fail(struct store *st, const char *what)
{
	snprintf(st->error, sizeof(st->error), "%s: %s", what,
	    st->db != NULL ? sqlite3_errmsg(st->db) : "no database");
	return -1;
}

static int
exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(st->error, sizeof(st->error), "%s",
		    msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Creates the file with owner-only permissions before SQLite opens it, so
 * that it is never readable by others, not even for an instant.
 */
static int
create_private(const char *path, char *err, size_t errsize)
{
	struct stat sb;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EEXIST) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}

	/* An existing file: a database, or an empty file made for one. */
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", path);
		return -1;
	}
	if (sb.st_size == 0 && (sb.st_mode & 077) != 0 &&
	    chmod(path, 0600) != 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* True when the database holds tables but no plainsight schema. */
static bool
foreign(sqlite3 *db)
{
	sqlite3_stmt *q;
	bool tables = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master LIMIT 1", -1,
		&q, NULL) != SQLITE_OK)
		return false;
	tables = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return tables;
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Runs sql; on failure copies SQLite's message into err. */
static int
exec_db(sqlite3 *db, const char *sql, char *err, size_t errsize)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(
		    err, errsize, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Checks that a database at version v is one this plainsight can take. */
static int
check_version(sqlite3 *db, int v, char *err, size_t errsize)
{
	int known = (int)ARRAY_SIZE(store_migrations);

	if (v < 0) {
		snprintf(err, errsize, "reading the schema version: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (v == 0 && foreign(db)) {
		snprintf(err, errsize,
		    "not a plainsight database (it holds tables of its own)");
		return -1;
	}
	if (v > known) {
		snprintf(err, errsize,
		    "the database has schema version %d, newer than this "
		    "plainsight knows (%d)",
		    v, known);
		return -1;
	}
	return 0;
}

/*
 * Applies one migration, unless another process (a sensor and a report
 * opening the same file) applied it first: the version is read again once
 * the write lock is held.
 */
static int
migrate_one(sqlite3 *db, int v, char *err, size_t errsize)
{
	char sql[64];

	if (exec_db(db, "BEGIN IMMEDIATE", err, errsize) != 0)
		return -1;
	if (user_version(db) > v)
		return exec_db(db, "COMMIT", err, errsize);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
	if (exec_db(db, store_migrations[v], err, errsize) != 0 ||
	    exec_db(db, sql, err, errsize) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec_db(db, "COMMIT", err, errsize);
}

int
store_migrate(sqlite3 *db, int target, char *err, size_t errsize)
{
	int v;

	assert(target >= 0 && target <= (int)ARRAY_SIZE(store_migrations));
	v = user_version(db);
	if (check_version(db, v, err, errsize) != 0)
		return -1;
	for (; v < target; v++) {
		if (migrate_one(db, v, err, errsize) != 0)
			return -1;
	}
	return 0;
}

int
store_schema_version(void)
{
	return (int)ARRAY_SIZE(store_migrations);
}

/* Applies the migrations the database has not seen yet, each atomically. */
static int
migrate(struct store *st)
{
	return store_migrate(st->db, (int)ARRAY_SIZE(store_migrations),
	    st->error, sizeof(st->error));
}

int
store_upgrade(const char *path, char *err, size_t errsize)
{
	sqlite3 *db = NULL;
	char msg[256];
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsize, "%s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	if (store_migrate(
		db, (int)ARRAY_SIZE(store_migrations), msg, sizeof(msg)) != 0) {
		snprintf(err, errsize, "%s: %s", path, msg);
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

/*
 * SQL functions over HyperLogLog sketches stored as blobs: hll_merge(a, b)
 * unites two, hll_count(a) estimates a count.  A NULL or odd-sized blob
 * counts as empty.
 */
static void
sketch_of(sqlite3_value *v, struct hll *h)
{
	hll_init(h);
	if (sqlite3_value_type(v) == SQLITE_BLOB &&
	    sqlite3_value_bytes(v) == (int)sizeof(h->reg))
		memcpy(h->reg, sqlite3_value_blob(v), sizeof(h->reg));
}

static void
sql_hll_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hll a, b;

	(void)argc;
	sketch_of(argv[0], &a);
	sketch_of(argv[1], &b);
	hll_merge(&a, &b);
	sqlite3_result_blob(ctx, a.reg, sizeof(a.reg), SQLITE_TRANSIENT);
}

static void
sql_hll_count(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hll h;

	(void)argc;
	sketch_of(argv[0], &h);
	sqlite3_result_int64(ctx, (sqlite3_int64)hll_count(&h));
}

/*
 * Builds "INSERT INTO table (a, b, ...) VALUES (?1, ?2, ...)tail" into buf:
 * the placeholder of column i is ?i+1, whatever the list holds.
 */
static int
insert_sql(char *buf, size_t size, const char *table,
    const char *const *columns, size_t n, const char *tail)
{
	size_t i, len;

	len = (size_t)snprintf(buf, size, "INSERT INTO %s (", table);
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? ", " : "", columns[i]);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, ") VALUES (");
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(
		    buf + len, size - len, "%s?%zu", i > 0 ? ", " : "", i + 1);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, ")%s", tail);
	return len < size ? 0 : -1;
}

static int
prepare(struct store *st, enum store_stmt which, const char *sql)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
		&st->stmt[which], NULL) != SQLITE_OK)
		return store_fail(st, "preparing a statement");
	return 0;
}

static int
prepare_all(struct store *st)
{
	char sql[2048];

	if (sqlite3_create_function(st->db, "hll_merge", 2,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_hll_merge, NULL,
		NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "hll_count", 1,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_hll_count, NULL,
		NULL) != SQLITE_OK)
		return store_fail(st, "registering functions");
	if (insert_sql(sql, sizeof(sql), "sessions", session_columns, SC_COUNT,
		"") != 0 ||
	    prepare(st, STMT_SESSION, sql) != 0)
		return -1;
	if (insert_sql(sql, sizeof(sql), "certificates", certificate_columns,
		CC_COUNT, CERTIFICATE_CONFLICT) != 0 ||
	    prepare(st, STMT_CERTIFICATE, sql) != 0)
		return -1;
	if (prepare(st, STMT_CREDENTIAL, store_sql[STMT_CREDENTIAL]) != 0 ||
	    prepare(st, STMT_FINDING, store_sql[STMT_FINDING]) != 0 ||
	    prepare(st, STMT_SERVICE, store_sql[STMT_SERVICE]) != 0)
		return -1;
	return 0;
}

struct store *
store_open(const char *path, char *err, size_t errsize)
{
	struct store *st;

	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (create_private(path, err, errsize) != 0)
		goto fail;
	if (sqlite3_open_v2(path, &st->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
		NULL) != SQLITE_OK) {
		snprintf(err, errsize, "%s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);

	/* A file plainsight will refuse is left exactly as it was. */
	if (check_version(st->db, user_version(st->db), st->error,
		sizeof(st->error)) != 0) {
		snprintf(err, errsize, "%s: %s", path, st->error);
		goto fail;
	}
	if (exec(st, "PRAGMA journal_mode = WAL") != 0 ||
	    exec(st, "PRAGMA synchronous = NORMAL") != 0 ||
	    exec(st, "PRAGMA foreign_keys = ON") != 0 || migrate(st) != 0) {
		snprintf(err, errsize, "%s: %s", path, st->error);
		goto fail;
	}
	if (prepare_all(st) != 0) {
		snprintf(err, errsize, "%s: %s", path, st->error);
		goto fail;
	}
	return st;

fail:
	store_close(st);
	return NULL;
}

/*
 * A write failed (disk full, database locked too long, file gone read-only):
 * the whole batch is rolled back, so that the database holds every session
 * of a batch or none, and the sessions lost are counted for the run's
 * report.  The next write starts a new batch.
 */
static int
fail_batch(struct store *st, unsigned int pending)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->lost += st->batch + pending;
	st->in_txn = false;
	st->batch = 0;
	return -1;
}

static int
commit(struct store *st)
{
	if (!st->in_txn)
		return 0;
	if (exec(st, "COMMIT") != 0)
		return fail_batch(st, 0);
	st->in_txn = false;
	st->batch = 0;
	return 0;
}

static int
begin(struct store *st)
{
	if (st->in_txn)
		return 0;
	if (exec(st, "BEGIN IMMEDIATE") != 0)
		return -1;
	st->in_txn = true;
	return 0;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->db != NULL)
		commit(st);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

const char *
store_error(const struct store *st)
{
	return st->error;
}

uint64_t
store_lost(const struct store *st)
{
	return st->lost;
}

int
store_flush(struct store *st)
{
	return commit(st);
}

static void
bind_time(sqlite3_stmt *q, int col, const struct timeval *tv)
{
	char buf[ISO_TIME_MAX];

	sqlite3_bind_text(q, col, iso_time(buf, tv), -1, SQLITE_TRANSIENT);
}

static void
bind_text_or_null(sqlite3_stmt *q, int col, const char *s)
{
	if (s == NULL || s[0] == '\0')
		sqlite3_bind_null(q, col);
	else
		sqlite3_bind_text(q, col, s, -1, SQLITE_TRANSIENT);
}

int
store_run_begin(struct store *st, const char *source)
{
	sqlite3_stmt *q;
	struct timeval now;
	char buf[ISO_TIME_MAX];
	int rc;

	gettimeofday(&now, NULL);
	if (sqlite3_prepare_v2(st->db,
		"INSERT INTO runs (started, source, version) VALUES (?,?,?)",
		-1, &q, NULL) != SQLITE_OK)
		return store_fail(st, "recording the run");
	sqlite3_bind_text(q, 1, iso_time(buf, &now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, PLAINSIGHT_VERSION, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, "recording the run");
	st->run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Names of the anomaly bits, stored as a comma-separated list. */
static void
anomaly_list(uint32_t bits, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ SESSION_ANOM_TLS_TO_CLEARTEXT, "tls_answered_in_clear" },
		{ SESSION_ANOM_LONG_LINE, "long_line" },
		{ SESSION_ANOM_CREDS_DROPPED, "credentials_dropped" },
		{ SESSION_ANOM_GARBAGE, "garbage" },
		{ SESSION_ANOM_PIPELINE_OVERFLOW, "pipeline_overflow" },
		{ SESSION_ANOM_MIDSTREAM, "midstream" },
		{ SESSION_ANOM_ONE_SIDED, "one_sided" },
		{ SESSION_ANOM_GAP, "gap" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if ((bits & names[i].bit) == 0)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len > 0 ? "," : "", names[i].name);
		if (len >= size)
			break;
	}
}

/* Binders by column: the placeholder of column col is col + 1. */
static void
set_text(sqlite3_stmt *q, int col, const char *v)
{
	if (v == NULL || v[0] == '\0')
		sqlite3_bind_null(q, col + 1);
	else
		sqlite3_bind_text(q, col + 1, v, -1, SQLITE_TRANSIENT);
}

static void
set_int(sqlite3_stmt *q, int col, int64_t v)
{
	sqlite3_bind_int64(q, col + 1, v);
}

static void
set_time(sqlite3_stmt *q, int col, const struct timeval *tv)
{
	char buf[ISO_TIME_MAX];

	set_text(q, col, iso_time(buf, tv));
}

static void
set_epoch(sqlite3_stmt *q, int col, time_t t)
{
	struct timeval tv = { .tv_sec = t, .tv_usec = 0 };

	set_time(q, col, &tv);
}

/* The STARTTLS columns: NULL where the session never showed them. */
static void
set_starttls(sqlite3_stmt *q, const struct session *s)
{
	if (s->starttls_offered >= 0)
		set_int(q, SC_STARTTLS_OFFERED, s->starttls_offered);
	if (s->starttls_attempted)
		set_int(q, SC_STARTTLS_ATTEMPTED, 1);
	else if (s->starttls_offered >= 0)
		set_int(q, SC_STARTTLS_ATTEMPTED, 0);
	set_text(
	    q, SC_STARTTLS_RESULT, starttls_result_name(s->starttls_result));
	set_int(q, SC_STARTTLS_STRIPPED, s->starttls_stripped);
}

/* The TLS columns, for sessions that spoke TLS. */
static void
set_tls(sqlite3_stmt *q, const struct session *s)
{
	const struct tls_facts *t = &s->tlsf;
	const struct tls_cipher *c;
	char alert[64];

	if (!t->client_hello && !t->server_hello)
		return;
	set_text(q, SC_TLS_VERSION, tls_version_name(t->version));
	set_text(q, SC_TLS_CLIENT_VERSION, tls_version_name(t->client_version));
	if (t->have_cipher) {
		c = tls_cipher_lookup(t->cipher);
		set_int(q, SC_TLS_CIPHER_ID, t->cipher);
		if (c != NULL) {
			set_text(q, SC_TLS_CIPHER, c->name);
			set_text(q, SC_TLS_KEY_EXCHANGE, c->kex);
			set_int(q, SC_TLS_FORWARD_SECRECY, c->forward_secret);
		}
	}
	set_text(q, SC_TLS_SNI, t->sni);
	set_text(q, SC_TLS_ALPN, t->alpn);
	set_text(q, SC_JA3, t->ja3);
	set_int(q, SC_TLS_ESTABLISHED, t->established);
	if (t->group != 0)
		set_int(q, SC_TLS_GROUP, t->group);
	if (t->alert) {
		snprintf(alert, sizeof(alert), "%s %s %s (%u)",
		    t->alert_from_server ? "server" : "client",
		    t->alert_level == 2 ? "fatal" : "warning",
		    tls_alert_name(t->alert_description) != NULL
			? tls_alert_name(t->alert_description)
			: "unknown",
		    t->alert_description);
		set_text(q, SC_TLS_ALERT, alert);
	}
	if (s->cert != NULL)
		set_text(q, SC_CERTIFICATE, s->cert->sha256_hex);
}

static int
insert_session(struct store *st, const struct session *s, const char *end)
{
	sqlite3_stmt *q = st->stmt[STMT_SESSION];
	char cip[64], sip[64], anomalies[192];

	ip_string(cip, sizeof(cip), s->ip_version, s->client_ip);
	ip_string(sip, sizeof(sip), s->ip_version, s->server_ip);
	anomaly_list(s->anomalies, anomalies, sizeof(anomalies));

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	set_int(q, SC_RUN_ID, st->run_id);
	set_time(q, SC_FIRST_SEEN, &s->first_seen);
	set_time(q, SC_LAST_SEEN, &s->last_seen);
	set_text(q, SC_CLIENT_IP, cip);
	set_int(q, SC_CLIENT_PORT, s->client_port);
	set_text(q, SC_SERVER_IP, sip);
	set_int(q, SC_SERVER_PORT, s->server_port);
	set_text(q, SC_TRANSPORT, s->transport == IPPROTO_UDP ? "udp" : "tcp");
	if (s->client_internal >= 0)
		set_int(q, SC_CLIENT_INTERNAL, s->client_internal);
	if (s->server_internal >= 0)
		set_int(q, SC_SERVER_INTERNAL, s->server_internal);
	set_text(q, SC_PROTOCOL, app_proto_name(s->protocol));
	set_text(q, SC_WEBMAIL, s->webmail);
	set_text(q, SC_NDPI_PROTOCOL, s->ndpi_protocol);
	set_text(q, SC_TLS, tls_mode_name(s->tls));
	set_starttls(q, s);
	set_int(q, SC_CLIENT_BYTES, (int64_t)s->client_bytes);
	set_int(q, SC_SERVER_BYTES, (int64_t)s->server_bytes);
	set_int(q, SC_GAPS, s->gaps);
	set_int(q, SC_IP_VERSION, s->ip_version);
	if (s->vlan != 0)
		set_int(q, SC_VLAN, s->vlan);
	set_text(q, SC_CLIENT_NAME, s->client_name);
	set_text(q, SC_AUTH_MECHANISMS, s->auth_offered);
	set_text(q, SC_ANOMALIES, anomalies);
	set_text(q, SC_END_REASON, end);
	set_tls(q, s);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_fail(st, "storing a session");
	return 0;
}

/* Records the session's certificate, or counts one more use of it. */
static int
upsert_certificate(struct store *st, const struct session *s)
{
	sqlite3_stmt *q = st->stmt[STMT_CERTIFICATE];
	const struct cert_facts *c = s->cert;

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	set_text(q, CC_SHA256, c->sha256_hex);
	set_text(q, CC_SUBJECT, c->subject);
	set_text(q, CC_ISSUER, c->issuer);
	set_text(q, CC_COMMON_NAME, c->cn);
	set_text(q, CC_SANS, c->sans);
	set_epoch(q, CC_NOT_BEFORE, c->not_before);
	set_epoch(q, CC_NOT_AFTER, c->not_after);
	set_text(q, CC_KEY_TYPE, c->key_type);
	if (c->key_bits > 0)
		set_int(q, CC_KEY_BITS, c->key_bits);
	set_text(q, CC_SIGNATURE_ALGORITHM, c->sig_alg);
	set_int(q, CC_SELF_SIGNED, c->self_signed);
	set_time(q, CC_FIRST_SEEN, &s->first_seen);
	set_time(q, CC_LAST_SEEN, &s->first_seen);
	set_int(q, CC_SESSIONS, 1);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_fail(st, "storing a certificate");
	return 0;
}

static int
insert_credential(struct store *st, int64_t sid, const struct session *s,
    const struct credential *c)
{
	sqlite3_stmt *q = st->stmt[STMT_CREDENTIAL];

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	sqlite3_bind_int64(q, 1, sid);
	bind_time(q, 2, &c->seen);
	sqlite3_bind_text(q, 3, app_proto_name(s->protocol), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->mechanism, -1, SQLITE_TRANSIENT);
	bind_text_or_null(q, 5, c->username);
	sqlite3_bind_text(q, 6, exposure_name(c->exposure), -1, SQLITE_STATIC);
	bind_text_or_null(q, 7, outcome_name(c->outcome));
	sqlite3_bind_int64(q, 8, c->count);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_fail(st, "storing a credential");
	return 0;
}

static int
insert_finding(struct store *st, int64_t sid, const struct finding *f,
    const char *server_ip, int server_port, const char *protocol)
{
	sqlite3_stmt *q = st->stmt[STMT_FINDING];

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (sid > 0)
		sqlite3_bind_int64(q, 1, sid);
	bind_time(q, 2, &f->seen);
	sqlite3_bind_text(q, 3, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, severity_name(f->severity), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, f->recommendation);
	bind_text_or_null(q, 6, f->detail);
	bind_text_or_null(q, 7, server_ip);
	sqlite3_bind_int(q, 8, server_port);
	bind_text_or_null(q, 9, protocol);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_fail(st, "storing a finding");
	return 0;
}

int
store_session(struct store *st, const struct session *s, const char *end,
    const struct finding *f, size_t nf)
{
	char sip[64];
	int64_t sid;
	unsigned int i;

	ip_string(sip, sizeof(sip), s->ip_version, s->server_ip);
	if (begin(st) != 0)
		return fail_batch(st, 1);
	if (s->cert != NULL && upsert_certificate(st, s) != 0)
		return fail_batch(st, 1);
	if (insert_session(st, s, end) != 0)
		return fail_batch(st, 1);
	sid = sqlite3_last_insert_rowid(st->db);
	for (i = 0; i < s->ncreds; i++) {
		if (insert_credential(st, sid, s, &s->creds[i]) != 0)
			return fail_batch(st, 1);
	}
	for (i = 0; i < nf; i++) {
		if (insert_finding(st, sid, &f[i], sip, s->server_port,
			app_proto_name(s->protocol)) != 0)
			return fail_batch(st, 1);
	}
	if (++st->batch >= STORE_BATCH)
		return commit(st);
	return 0;
}

int
store_service(struct store *st, const struct service *sv)
{
	sqlite3_stmt *q = st->stmt[STMT_SERVICE];
	char ip[64];

	if (begin(st) != 0)
		return fail_batch(st, 0);
	ip_string(ip, sizeof(ip), sv->ip_version, sv->ip);
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, sv->port);
	sqlite3_bind_text(q, 3, sv->transport == IPPROTO_UDP ? "udp" : "tcp",
	    -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, sv->protocol, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 5, sv->server_internal);
	bind_time(q, 6, &sv->first_seen);
	bind_time(q, 7, &sv->last_seen);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)sv->sessions);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)sv->encrypted_sessions);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)sv->internal_sessions);
	sqlite3_bind_blob(
	    q, 11, sv->clients.reg, sizeof(sv->clients.reg), SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)sv->bytes);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_fail(st, "storing a service");
		return fail_batch(st, 0);
	}
	return 0;
}

int
store_service_finding(
    struct store *st, const struct service *sv, const struct finding *f)
{
	char ip[64];

	if (begin(st) != 0)
		return fail_batch(st, 0);
	ip_string(ip, sizeof(ip), sv->ip_version, sv->ip);
	if (insert_finding(st, 0, f, ip, sv->port, sv->protocol) != 0)
		return fail_batch(st, 0);
	return 0;
}

static void
bind_time_or_null(sqlite3_stmt *q, int col, const struct timeval *tv)
{
	if (tv->tv_sec == 0 && tv->tv_usec == 0)
		sqlite3_bind_null(q, col);
	else
		bind_time(q, col, tv);
}

static int
insert_counters(struct store *st, const struct run_summary *sum)
{
	sqlite3_stmt *q;
	size_t i;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db,
		"INSERT OR REPLACE INTO run_counters (run_id, name, value)"
		" VALUES (?,?,?)",
		-1, &q, NULL) != SQLITE_OK)
		return store_fail(st, "recording counters");
	for (i = 0; i < sum->ncounters && rc == 0; i++) {
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, st->run_id);
		sqlite3_bind_text(
		    q, 2, sum->counters[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)sum->counters[i].value);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = store_fail(st, "recording counters");
	}
	sqlite3_finalize(q);
	return rc;
}

int
store_run_end(struct store *st, const struct run_summary *sum)
{
	sqlite3_stmt *q;
	struct timeval now;
	int rc;

	if (begin(st) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
		"UPDATE runs SET finished = ?, packets = ?, bytes = ?,"
		" dropped = ?, truncated = ?, first_packet = ?,"
		" last_packet = ?, ip_fragments = ?, decode_errors = ?,"
		" checksum_errors = ?, flows = ?, sessions = ?, findings = ?,"
		" tcp_gaps = ?, complete = ?, error = ? WHERE id = ?",
		-1, &q, NULL) != SQLITE_OK)
		return store_fail(st, "completing the run");
	gettimeofday(&now, NULL);
	bind_time(q, 1, &now);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)sum->packets);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)sum->bytes);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)sum->dropped);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)sum->truncated);
	bind_time_or_null(q, 6, &sum->first_packet);
	bind_time_or_null(q, 7, &sum->last_packet);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)sum->ip_fragments);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)sum->decode_errors);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)sum->checksum_errors);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)sum->flows);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)sum->sessions);
	sqlite3_bind_int64(q, 13, (sqlite3_int64)sum->findings);
	sqlite3_bind_int64(q, 14, (sqlite3_int64)sum->tcp_gaps);
	sqlite3_bind_int(q, 15, sum->complete);
	bind_text_or_null(q, 16, sum->error);
	sqlite3_bind_int64(q, 17, st->run_id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, "completing the run");
	if (insert_counters(st, sum) != 0)
		return -1;
	return commit(st);
}
