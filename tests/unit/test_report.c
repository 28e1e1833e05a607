/*
 * test_report.c - the report's parts that need no database of captures:
 * the window (parsing, resolving), making database text safe to show, and
 * each renderer's escaping and quoting on a table of hostile values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "report/render.h"
#include "report/window.h"

#define SEC INT64_C(1000000)

/* 2026-01-31T00:00:00Z */
#define JAN31 (INT64_C(1769817600) * SEC)

static void
test_parse(void **state)
{
	static const struct {
		const char *in;
		int rc;
		bool relative;
		int64_t usec;
	} cases[] = {
		{ "2026-01-31", 0, false, JAN31 },
		{ "2026-01-31T06:00", 0, false, JAN31 + 6 * 3600 * SEC },
		{ "2026-01-31 06:00:30", 0, false,
		    JAN31 + (6 * 3600 + 30) * SEC },
		{ "2026-01-31T06:00Z", 0, false, JAN31 + 6 * 3600 * SEC },
		{ "2026-01-31T00:00:01.5Z", 0, false, JAN31 + SEC + SEC / 2 },
		{ "2026-01-31T00:00:00.123456789Z", 0, false, JAN31 + 123456 },
		{ "24h", 0, true, 24 * 3600 * SEC },
		{ "7d", 0, true, 7 * 86400 * SEC },
		{ "30m", 0, true, 30 * 60 * SEC },
		{ "45s", 0, true, 45 * SEC },
		{ "2w", 0, true, 14 * 86400 * SEC },
		{ "0h", -1, false, 0 },
		{ "24", -1, false, 0 },
		{ "h", -1, false, 0 },
		{ "24hours", -1, false, 0 },
		{ "-24h", -1, false, 0 },
		{ "99999999999d", -1, false, 0 },
		{ "2026-02-30", -1, false, 0 },
		{ "2026-13-01", -1, false, 0 },
		{ "2026-01-31T24:00", -1, false, 0 },
		{ "2026-01-31T06", -1, false, 0 },
		{ "2026-01-31T06:00+01:00", -1, false, 0 },
		{ "2026-1-31", -1, false, 0 },
		{ "2026-01-31T06:00:00.", -1, false, 0 },
		{ "", -1, false, 0 },
		{ "yesterday", -1, false, 0 },
	};
	struct window_bound b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (window_parse(cases[i].in, &b) != cases[i].rc)
			fail_msg("'%s': want %d", cases[i].in, cases[i].rc);
		if (cases[i].rc != 0)
			continue;
		assert_true(b.set);
		assert_int_equal(b.relative, cases[i].relative);
		assert_int_equal(b.usec, cases[i].usec);
	}
}

static void
test_resolve(void **state)
{
	struct window_bound since, until;
	struct window w;
	char err[128];
	int64_t end = JAN31 + 6 * 3600 * SEC;

	(void)state;

	/* By default the 24 hours before the end of the data. */
	memset(&since, 0, sizeof(since));
	memset(&until, 0, sizeof(until));
	assert_int_equal(
	    window_resolve(&since, &until, end, &w, err, sizeof(err)), 0);
	assert_int_equal(w.until, end);
	assert_int_equal(w.since, end - 86400 * SEC);
	assert_int_equal(w.prev_since, end - 2 * 86400 * SEC);
	assert_true(w.hourly);

	/* Relative bounds count back from the end of the data. */
	assert_int_equal(window_parse("7d", &since), 0);
	assert_int_equal(window_parse("24h", &until), 0);
	assert_int_equal(
	    window_resolve(&since, &until, end, &w, err, sizeof(err)), 0);
	assert_int_equal(w.since, end - 7 * 86400 * SEC);
	assert_int_equal(w.until, end - 86400 * SEC);
	assert_int_equal(w.prev_since, w.since - 6 * 86400 * SEC);
	assert_false(w.hourly);

	/* A date alone, for --until: the window is the day before it. */
	memset(&since, 0, sizeof(since));
	assert_int_equal(window_parse("2026-01-31", &until), 0);
	assert_int_equal(
	    window_resolve(&since, &until, end, &w, err, sizeof(err)), 0);
	assert_int_equal(w.since, JAN31 - 86400 * SEC);

	/* Empty and reversed windows are refused. */
	assert_int_equal(window_parse("2026-01-31", &since), 0);
	assert_int_equal(window_parse("2026-01-30", &until), 0);
	assert_int_equal(
	    window_resolve(&since, &until, end, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
}

static void
test_format(void **state)
{
	char buf[WINDOW_TIME_MAX], span[32];
	int64_t t;

	(void)state;
	assert_string_equal(window_format(JAN31 + 5 * SEC + 42, buf),
	    "2026-01-31T00:00:05.000042Z");
	assert_string_equal(
	    window_format(-1, buf), "1969-12-31T23:59:59.999999Z");
	assert_int_equal(
	    window_parse_time("2026-01-31T00:00:05.000042Z", &t), 0);
	assert_int_equal(t, JAN31 + 5 * SEC + 42);
	assert_string_equal(
	    window_span(86400 * SEC, span, sizeof(span)), "24 hours");
	assert_string_equal(
	    window_span(7 * 86400 * SEC, span, sizeof(span)), "7 days");
	assert_string_equal(
	    window_span(90 * 60 * SEC, span, sizeof(span)), "90 minutes");
	assert_string_equal(
	    window_span(3600 * SEC, span, sizeof(span)), "1 hour");
}

static void
test_safe(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "alice@example.org", "alice@example.org" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x82\xac 5", "\xe2\x82\xac 5" },
		{ "\xf0\x9f\x94\x92", "\xf0\x9f\x94\x92" },
		{ "a\x1b[31mb", "a\\x1B[31mb" },
		{ "tab\there", "tab\\x09here" },
		{ "del\x7f", "del\\x7F" },
		{ "c1 \xc2\x9b", "c1 \\u009B" },
		{ "bad \xff byte", "bad \\xFF byte" },
		{ "overlong \xc0\xaf", "overlong \\xC0\\xAF" },
		{ "surrogate \xed\xa0\x80", "surrogate \\xED\\xA0\\x80" },
		{ "cut \xe2\x82", "cut \\xE2\\x82" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(
		    render_safe(cases[i].in, buf, sizeof(buf)), cases[i].out);

	/* Truncation keeps whole characters and whole escapes. */
	assert_string_equal(render_safe("ab\xc3\xa9", buf, 4), "ab");
	assert_string_equal(render_safe("a\x01", buf, 5), "a");
	assert_int_equal(render_width("caf\xc3\xa9"), 4);
}

/* A section of hostile values to render. */
static const struct column hostile_columns[] = {
	{ "name", "name", CELL_TEXT, COL_WRAP },
	{ "server_ip", "server", CELL_TEXT, 0 },
	{ "server_port", "port", CELL_INT, COL_PORT },
	{ "share", "share", CELL_REAL, COL_PCT },
	{ "seen", "seen", CELL_TEXT, COL_TIME },
};

static const struct section hostile_section = {
	"hostile",
	"Hostile <values> & \"quotes\"",
	NULL,
	"None.",
	SECTION_TABLE,
	hostile_columns,
	5,
	-1,
	"SELECT 'a,b \"c\"' || char(10) || 'd', '2001:db8::1', 25, 12.5,"
	" '2026-01-31T06:07:08.000000Z'"
	" UNION ALL SELECT '=cmd|' || char(1) || '<b>&' || CAST(x'ff' AS TEXT),"
	" '192.0.2.1', 110, NULL, NULL"
	" UNION ALL SELECT NULL, NULL, NULL, 0.1, NULL",
};

struct rendered {
	struct table *table;
	struct report_doc doc;
	char *out;
	size_t len;
};

/* Computes the hostile table and renders it with fn. */
static void
render(struct rendered *r, int (*fn)(FILE *, const struct report_doc *))
{
	sqlite3 *db;
	sqlite3_stmt *q;
	FILE *f;

	memset(r, 0, sizeof(*r));
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, hostile_section.sql, -1, &q, NULL),
	    SQLITE_OK);
	r->table = table_new(&hostile_section, 5);
	assert_non_null(r->table);
	assert_int_equal(table_fill(r->table, q, hostile_columns), 0);
	sqlite3_finalize(q);
	sqlite3_close(db);

	r->doc.database = "/tmp/<db>";
	r->doc.tables = &r->table;
	r->doc.ntables = 1;
	snprintf(r->doc.generated, sizeof(r->doc.generated),
	    "2026-01-31T06:00:00.000000Z");
	r->doc.window.until = JAN31;
	r->doc.window.since = JAN31 - 86400 * SEC;
	r->doc.window.prev_since = JAN31 - 2 * 86400 * SEC;
	f = open_memstream(&r->out, &r->len);
	assert_non_null(f);
	assert_int_equal(fn(f, &r->doc), 0);
	fclose(f);
}

static void
done(struct rendered *r)
{
	table_free(r->table);
	free(r->out);
}

static void
test_csv(void **state)
{
	struct rendered r;

	(void)state;
	render(&r, render_csv);
	assert_string_equal(r.out,
	    "name,server_ip,server_port,share,seen\r\n"
	    "\"a,b \"\"c\"\"\nd\",2001:db8::1,25,12.5,"
	    "2026-01-31T06:07:08.000000Z\r\n"
	    "'=cmd|\x01<b>&\xff,192.0.2.1,110,,\r\n"
	    ",,,0.1,\r\n");
	done(&r);
}

static void
test_json(void **state)
{
	struct rendered r;

	(void)state;
	render(&r, render_json);
	assert_non_null(strstr(r.out,
	    "[\"a,b \\\"c\\\"\\nd\", \"2001:db8::1\", 25, 12.5, "
	    "\"2026-01-31T06:07:08.000000Z\"]"));
	assert_non_null(strstr(r.out,
	    "[\"=cmd|\\u0001<b>&\\ufffd\", \"192.0.2.1\", 110, null, null]"));
	assert_non_null(strstr(r.out, "[null, null, null, 0.1, null]"));
	assert_non_null(strstr(r.out,
	    "{\"name\": \"server_port\", \"title\": \"port\", \"type\": "
	    "\"integer\", \"format\": \"port\"}"));
	assert_non_null(strstr(r.out, "\"database\": \"/tmp/<db>\""));
	done(&r);
}

static void
test_html(void **state)
{
	struct rendered r;

	(void)state;
	render(&r, render_html);
	assert_null(strstr(r.out, "<b>"));
	assert_null(strstr(r.out, "<db>"));
	assert_non_null(strstr(
	    r.out, "<td class=\"wrap\">=cmd|\\x01&lt;b&gt;&amp;\\xFF</td>"));
	assert_non_null(
	    strstr(r.out, "<td class=\"nowrap\">[2001:db8::1]:25</td>"));
	assert_non_null(strstr(r.out, "<td class=\"num\">12.5</td>"));
	assert_non_null(
	    strstr(r.out, "<td class=\"nowrap\">2026-01-31 06:07</td>"));
	assert_non_null(
	    strstr(r.out, "Hostile &lt;values&gt; &amp; &quot;quotes&quot;"));
	assert_null(strstr(r.out, "<script"));
	done(&r);
}

static void
test_markdown(void **state)
{
	struct rendered r;

	(void)state;
	render(&r, render_markdown);
	/* The backslash of an escape is itself escaped, to show as one. */
	assert_non_null(strstr(r.out,
	    "| =cmd\\|\\\\x01\\<b\\>\\&\\\\xFF | 192.0.2.1:110 | - | - |"));
	assert_non_null(strstr(
	    r.out, "| a,b \"c\"\\\\x0Ad | \\[2001:db8::1\\]:25 | 12.5 |"));
	done(&r);
}

static void
test_text(void **state)
{
	struct rendered r;

	(void)state;
	render(&r, render_text);
	assert_null(strchr(r.out, '\x01'));
	assert_non_null(strstr(r.out, "=cmd|\\x01<b>&\\xFF"));
	assert_non_null(strstr(r.out, "[2001:db8::1]:25"));
	done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_safe),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
