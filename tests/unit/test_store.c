/*
 * test_store.c - databases written by every earlier schema version open
 * and come forward with their data intact: through the sensor's
 * store_open(), through the report (migrated in place), and through the
 * report on a file it must not write (migrated in a copy in memory).
 *
 * A database at version k is made as that plainsight made it: by applying
 * only the first k migrations, then writing rows in that version's shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "report/report.h"
#include "storage/store.h"

/* Rows every version can hold: a run, a cleartext login and its finding. */
static const char rows_v1[] =
    "INSERT INTO runs (id, started, source, version, first_packet,"
    " last_packet, packets) VALUES (1, '2026-01-31T09:00:00.000000Z',"
    " 'old.pcap', '0.0.1', '2026-01-31T10:00:00.000000Z',"
    " '2026-01-31T10:00:05.000000Z', 12);"
    "INSERT INTO sessions (id, run_id, first_seen, last_seen, client_ip,"
    " client_port, server_ip, server_port, transport, protocol, tls,"
    " starttls_offered, ip_version) VALUES (1, 1,"
    " '2026-01-31T10:00:00.000000Z', '2026-01-31T10:00:05.000000Z',"
    " '10.0.0.1', 40000, '192.0.2.25', 587, 'tcp', 'smtp', 'none', 0, 4);"
    "INSERT INTO credentials (session_id, seen, protocol, mechanism,"
    " username, exposure, outcome) VALUES (1,"
    " '2026-01-31T10:00:01.000000Z', 'smtp', 'PLAIN', 'alice',"
    " 'cleartext', 'accepted');"
    "INSERT INTO findings (session_id, seen, kind, severity,"
    " recommendation, detail) VALUES (1, '2026-01-31T10:00:01.000000Z',"
    " 'cleartext_credentials', 'high', 3, 'PLAIN login');";

/* From version 2: a TLS session below the floor. */
static const char rows_v2[] =
    "INSERT INTO sessions (id, run_id, first_seen, last_seen, client_ip,"
    " client_port, server_ip, server_port, transport, protocol, tls,"
    " ip_version, tls_version, tls_cipher) VALUES (2, 1,"
    " '2026-01-31T10:00:02.000000Z', '2026-01-31T10:00:04.000000Z',"
    " '10.0.0.2', 40001, '192.0.2.43', 443, 'tcp', 'http', 'implicit', 4,"
    " 'TLSv1.0', 'TLS_RSA_WITH_AES_128_CBC_SHA');"
    "INSERT INTO findings (session_id, seen, kind, severity,"
    " recommendation, detail) VALUES (2, '2026-01-31T10:00:02.000000Z',"
    " 'obsolete_tls_version', 'medium', 3, 'TLSv1.0');";

/*
 * From version 3: the server of each finding, as that version wrote it,
 * and a service with a finding of its own.
 */
static const char rows_v3[] =
    "UPDATE findings SET (server_ip, server_port, protocol) ="
    " (SELECT s.server_ip, s.server_port, s.protocol FROM sessions s"
    " WHERE s.id = findings.session_id);"
    "INSERT INTO services VALUES ('192.0.2.23', 23, 'tcp', 'Telnet', 1,"
    " '2026-01-31T10:00:00.000000Z', '2026-01-31T10:00:03.000000Z', 2, 0,"
    " 0, 2, 1, NULL, 300);"
    "INSERT INTO findings (session_id, seen, kind, severity,"
    " recommendation, detail, server_ip, server_port, protocol) VALUES"
    " (NULL, '2026-01-31T10:00:00.000000Z', 'cleartext_internal_service',"
    " 'high', 2, 'Telnet', '192.0.2.23', 23, 'Telnet');";

struct fixture {
	char dir[64];
	char path[96];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/plainsight-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/old.db", f->dir);
	*state = f;
	return 0;
}

static void
remove_db(const struct fixture *f)
{
	char p[128];

	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", f->path);
	unlink(p);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	remove_db(f);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Writes a database at schema version k, holding version k's rows. */
static void
make_version(const struct fixture *f, int k)
{
	sqlite3 *db;
	char err[256];

	remove_db(f);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(store_migrate(db, k, err, sizeof(err)), 0);
	if (k >= 1)
		assert_int_equal(
		    sqlite3_exec(db, rows_v1, NULL, NULL, NULL), SQLITE_OK);
	if (k >= 2)
		assert_int_equal(
		    sqlite3_exec(db, rows_v2, NULL, NULL, NULL), SQLITE_OK);
	if (k >= 3)
		assert_int_equal(
		    sqlite3_exec(db, rows_v3, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* The text of a one-row, one-column query, or "" when NULL. */
static void
scalar(const char *path, const char *sql, char *buf, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	const unsigned char *t;

	assert_int_equal(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	t = sqlite3_column_text(q, 0);
	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void
assert_query(const char *path, const char *sql, const char *want)
{
	char got[256];

	scalar(path, sql, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
}

/* What a database written at version k must hold once brought forward. */
static void
assert_intact(const char *path, int k)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", store_schema_version());
	assert_query(path, "PRAGMA user_version", v);
	assert_query(
	    path, "SELECT count(*) || ' ' || sum(packets) FROM runs", "1 12");
	assert_query(path,
	    "SELECT username || ' ' || exposure || ' ' || outcome"
	    " FROM credentials",
	    "alice cleartext accepted");

	/* Migration 3 filled the server of findings written before it. */
	assert_query(path,
	    "SELECT server_ip || ':' || server_port || ' ' || protocol"
	    " FROM findings WHERE session_id = 1",
	    "192.0.2.25:587 smtp");
	assert_query(path,
	    "SELECT sessions || ' ' || capabilities_seen || ' ' ||"
	    " starttls_offered || ' ' || accounts_exposed"
	    " FROM server_posture WHERE server_port = 587",
	    "1 1 0 1");
	assert_query(path, "SELECT logins FROM exposed_accounts", "1");
	assert_query(path, "SELECT sessions FROM mail_tls_share", "1");
	assert_query(path, "SELECT count(*) FROM tls_below_floor_clients",
	    k >= 2 ? "1" : "0");
	assert_query(path, "SELECT count(*) FROM services", k >= 3 ? "1" : "0");
}

/* The sensor's way in: store_open() migrates, nothing is lost. */
static void
test_capture_opens_every_version(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	char err[256];
	int k;

	for (k = 1; k < store_schema_version(); k++) {
		make_version(f, k);
		st = store_open(f->path, err, sizeof(err));
		if (st == NULL)
			fail_msg("version %d: %s", k, err);
		store_close(st);
		assert_intact(f->path, k);
	}
}

/* An empty file (made for the database) gets the whole schema. */
static void
test_capture_fills_an_empty_file(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	char err[256], v[16];

	make_version(f, 0);
	st = store_open(f->path, err, sizeof(err));
	assert_non_null(st);
	store_close(st);
	snprintf(v, sizeof(v), "%d", store_schema_version());
	assert_query(f->path, "PRAGMA user_version", v);
	assert_query(f->path, "SELECT count(*) FROM server_posture", "0");
}

static int
report_of(
    const char *path, bool read_only, char **text, char *err, size_t errsize)
{
	struct report_options o;
	size_t len;
	bool new_high;

	memset(&o, 0, sizeof(o));
	o.db = path;
	o.format = REPORT_JSON;
	o.read_only = read_only;
	return report_build(&o, text, &len, &new_high, err, errsize);
}

/* The report migrates a file it may write, then reads it. */
static void
test_report_migrates_in_place(void **state)
{
	struct fixture *f = *state;
	char err[256], *text;
	int k;

	for (k = 1; k < store_schema_version(); k++) {
		make_version(f, k);
		if (report_of(f->path, false, &text, err, sizeof(err)) != 0)
			fail_msg("version %d: %s", k, err);
		assert_non_null(strstr(text, "\"alice\""));
		assert_non_null(strstr(text, "\"cleartext_credentials\""));
		free(text);
		assert_intact(f->path, k);
	}
}

/* Told not to write, it reads an upgraded copy and leaves the file. */
static void
test_report_reads_a_copy(void **state)
{
	struct fixture *f = *state;
	char err[256], v[16], *text;
	int k;

	for (k = 1; k < store_schema_version(); k++) {
		make_version(f, k);
		if (report_of(f->path, true, &text, err, sizeof(err)) != 0)
			fail_msg("version %d: %s", k, err);
		assert_non_null(strstr(text, "\"alice\""));
		free(text);
		snprintf(v, sizeof(v), "%d", k);
		assert_query(f->path, "PRAGMA user_version", v);
	}
}

/* A newer schema, a foreign database, an empty file: refused, untouched. */
static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	sqlite3 *db;
	char err[256], sql[64], *text = NULL;

	make_version(f, store_schema_version());
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    store_schema_version() + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(f->path, err, sizeof(err));
	assert_null(st);
	assert_non_null(strstr(err, "newer than this plainsight"));
	assert_int_equal(
	    report_of(f->path, false, &text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer than this plainsight"));

	remove_db(f);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "CREATE TABLE mine (x)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(f->path, err, sizeof(err));
	assert_null(st);
	assert_non_null(strstr(err, "not a plainsight database"));
	assert_int_equal(
	    report_of(f->path, false, &text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a plainsight database"));
	assert_query(f->path, "PRAGMA user_version", "0");

	make_version(f, 0);
	assert_int_equal(
	    report_of(f->path, false, &text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a plainsight database"));
	assert_null(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_capture_opens_every_version, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_capture_fills_an_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_report_migrates_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_report_reads_a_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
