/*
 * test_report.c - the report's parts that need no database of captures:
 * the window (parsing, resolving, its length for people), making database
 * text safe to show, display widths, each renderer's escaping, quoting
 * and alignment on tables of hostile and non-ASCII values, and the check
 * that keeps -o off the database's files.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "report/render.h"
#include "report/report.h"
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
	char buf[WINDOW_TIME_MAX];
	int64_t t;

	(void)state;
	assert_string_equal(window_format(JAN31 + 5 * SEC + 42, buf),
	    "2026-01-31T00:00:05.000042Z");
	assert_string_equal(
	    window_format(-1, buf), "1969-12-31T23:59:59.999999Z");
	assert_int_equal(
	    window_parse_time("2026-01-31T00:00:05.000042Z", &t), 0);
	assert_int_equal(t, JAN31 + 5 * SEC + 42);
}

static void
test_span(void **state)
{
	static const struct {
		int64_t usec;
		const char *out;
	} cases[] = {
		/* Hours up to two days, days beyond. */
		{ 86400 * SEC, "24 h" },
		{ 2 * 86400 * SEC, "48 h" },
		{ 7 * 86400 * SEC, "7 d" },
		{ 49 * 3600 * SEC, "2 d 1 h" },
		{ 84 * 3600 * SEC, "3 d 12 h" },
		{ INT64_C(36525) * 86400 * SEC, "36525 d" },
		/* Minutes below two hours, unless whole hours. */
		{ 90 * 60 * SEC, "90 min" },
		{ 3600 * SEC, "1 h" },
		{ 60 * SEC, "1 min" },
		/* 2024-03-04T02:27 to 2024-03-05T09:01: 30 h 34 min. */
		{ (30 * 3600 + 34 * 60) * SEC, "30 h 34 min" },
		/* 22:00:30.5 to 06:34:00 the next day. */
		{ (8 * 3600 + 33 * 60 + 29) * SEC + SEC / 2,
		    "8 h 33 min 29.5 s" },
		{ 45 * SEC, "45 s" },
		{ 90 * SEC, "90 s" },
		{ SEC / 2, "0.5 s" },
		{ 150 * SEC + 50, "2 min 30.00005 s" },
		{ 1, "0.000001 s" },
	};
	char span[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(
		    window_span(cases[i].usec, span, sizeof(span)),
		    cases[i].out);
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
		/* Bidirectional controls: U+202E, U+2066, U+2069, U+200F... */
		{ "evil\xe2\x80\xaegpj.exe", "evil\\u202Egpj.exe" },
		{ "a\xe2\x81\xa6"
		  "b\xe2\x81\xa9"
		  "c",
		    "a\\u2066b\\u2069c" },
		{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200E\\u200F\\u061C" },
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		    "\\u202A\\u202B\\u202C\\u202D" },
		{ "\xe2\x81\xa7\xe2\x81\xa8", "\\u2067\\u2068" },
		/* Zero-width: U+200B, U+200C, U+200D, U+2060, U+FEFF. */
		{ "ad\xe2\x80\x8bmin", "ad\\u200Bmin" },
		{ "\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf",
		    "\\u200C\\u200D\\u2060\\uFEFF" },
		/* Line separator, and a tag character beyond U+FFFF. */
		{ "a\xe2\x80\xa8"
		  "b",
		    "a\\u2028b" },
		{ "t\xf3\xa0\x81\x81", "t\\U000E0041" },
		/* Letters of any script stay, right-to-left ones too. */
		{ "m\xc3\xbcller", "m\xc3\xbcller" },
		{ "\xe5\xb1\xb1\xe7\x94\xb0", "\xe5\xb1\xb1\xe7\x94\xb0" },
		{ "jose\xcc\x81", "jose\xcc\x81" },
		{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
		    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" },
		{ "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",
		    "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7" },
		/* U+2065 is not one of them: unassigned, left alone. */
		{ "\xe2\x80\x90", "\xe2\x80\x90" },
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
	assert_string_equal(render_safe("a\xe2\x80\xae", buf, 7), "a");

	/* 4 * strlen + 1 bytes hold the worst case: bytes not UTF-8. */
	assert_string_equal(render_safe("\xff\xfe", buf, 9), "\\xFF\\xFE");
	assert_string_equal(render_safe("\xc2\x9b", buf, 9), "\\u009B");

	assert_true(render_invisible(0x202e));
	assert_true(render_invisible(0xfeff));
	assert_true(render_invisible(0xe007f));
	assert_false(render_invisible(0x2010));
	assert_false(render_invisible(0xfc));
	assert_false(render_invisible(0x05d0));
}

static void
test_width(void **state)
{
	static const struct {
		const char *in;
		size_t width;
	} cases[] = {
		{ "", 0 }, { "alice", 5 },
		{ "caf\xc3\xa9", 4 },   /* precomposed U+00E9 */
		{ "m\xc3\xbcller", 6 }, /* U+00FC */
		{ "jose\xcc\x81", 4 },  /* e and U+0301 combined */
		{ "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e",
		    8 },                           /* 山田太郎 */
		{ "\xed\x95\x9c\xea\xb5\xad", 4 }, /* 한국 */
		{ "\xef\xbd\x86\xef\xbd\x95", 4 }, /* fullwidth ｆｕ */
		{ "\xf0\x9f\x98\x80", 2 },         /* U+1F600 */
		{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 4 }, /* שלום */
		{ "\\u202E", 6 }, /* an escape is ASCII */
		{ "a\xff"
		  "b",
		    3 }, /* a byte not UTF-8: 1 */
	};
	const char *yamada = "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (render_width(cases[i].in) != cases[i].width)
			fail_msg("'%s': width %zu, want %zu", cases[i].in,
			    render_width(cases[i].in), cases[i].width);
	}

	/* Cuts fall between characters, never inside a wide one. */
	assert_int_equal(render_cut(yamada, 5), 6);
	assert_int_equal(render_cut(yamada, 4), 6);
	assert_int_equal(render_cut(yamada, 1), 0);
	assert_int_equal(render_cut(yamada, 8), 12);
	assert_int_equal(render_cut(yamada, 100), 12);
	/* The combining accent goes with its letter. */
	assert_int_equal(render_cut("jose\xcc\x81x", 4), 6);
	assert_int_equal(render_cut("abc", 0), 0);
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

/*
 * User names in several scripts and with invisible characters, to be
 * lined up: müller (6 columns), 山田太郎 (8), josé with a combining
 * accent (4), x U+202E y (shown x\u202Ey, 8), twenty 一 (40, cut in
 * text), t U+E0041 (shown t\U000E0041, 11).
 */
static const struct column names_columns[] = {
	{ "name", "name", CELL_TEXT, 0 },
	{ "logins", "logins", CELL_INT, 0 },
};

static const struct section names_section = {
	"names",
	"Names",
	NULL,
	"None.",
	SECTION_TABLE,
	names_columns,
	2,
	-1,
	"SELECT 'm' || char(252) || 'ller', 1"
	" UNION ALL SELECT char(23665, 30000, 22826, 37070), 22"
	" UNION ALL SELECT 'jose' || char(769), 3"
	" UNION ALL SELECT 'x' || char(8238) || 'y', 4"
	" UNION ALL SELECT replace(printf('%20s', ''), ' ', char(19968)), 5"
	" UNION ALL SELECT 't' || char(917569), 6",
};

struct rendered {
	struct table *table;
	struct report_doc doc;
	char *out;
	size_t len;
};

/* Computes section s's table and renders it with fn. */
static void
render_section(struct rendered *r, const struct section *s,
    int (*fn)(FILE *, const struct report_doc *))
{
	sqlite3 *db;
	sqlite3_stmt *q;
	FILE *f;

	memset(r, 0, sizeof(*r));
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, s->sql, -1, &q, NULL), SQLITE_OK);
	r->table = table_new(s, s->ncolumns);
	assert_non_null(r->table);
	assert_int_equal(table_fill(r->table, q, s->columns), 0);
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

/* Computes the hostile table and renders it with fn. */
static void
render(struct rendered *r, int (*fn)(FILE *, const struct report_doc *))
{
	render_section(r, &hostile_section, fn);
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
	/* Line breaks, controls and bytes not UTF-8 are escaped too. */
	assert_string_equal(r.out,
	    "name,server_ip,server_port,share,seen\r\n"
	    "\"a,b \"\"c\"\"\\x0Ad\",2001:db8::1,25,12.5,"
	    "2026-01-31T06:07:08.000000Z\r\n"
	    "'=cmd|\\x01<b>&\\xFF,192.0.2.1,110,,\r\n"
	    ",,,0.1,\r\n");
	done(&r);

	/* Letters stay; what hides or reorders text is escaped. */
	render_section(&r, &names_section, render_csv);
	assert_string_equal(r.out,
	    "name,logins\r\n"
	    "m\xc3\xbcller,1\r\n"
	    "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e,22\r\n"
	    "jose\xcc\x81,3\r\n"
	    "x\\u202Ey,4\r\n"
	    "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80"
	    "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80"
	    "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80"
	    "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80,5\r\n"
	    "t\\U000E0041,6\r\n");
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

	/*
	 * The exact text once parsed: U+202E as \u202e, U+E0041 as its
	 * surrogate pair (0xE0041 - 0x10000 = 0xD0041: 0xD800 + 0x340,
	 * 0xDC00 + 0x041), letters as they are.
	 */
	render_section(&r, &names_section, render_json);
	assert_non_null(strstr(r.out, "[\"x\\u202ey\", 4]"));
	assert_non_null(strstr(r.out, "[\"t\\udb40\\udc41\", 6]"));
	assert_non_null(strstr(r.out, "[\"m\xc3\xbcller\", 1]"));
	assert_null(strstr(r.out, "\xe2\x80\xae"));
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

	render_section(&r, &names_section, render_html);
	assert_non_null(strstr(r.out, "<td>x\\u202Ey</td>"));
	assert_non_null(strstr(r.out, "<td>m\xc3\xbcller</td>"));
	assert_null(strstr(r.out, "\xe2\x80\xae"));
	done(&r);
}

/*
 * Markdown pads each column to its widest escaped cell: name 23
 * (=cmd\|\\x01\<b\>\&\\xFF), server 18 (\[2001:db8::1\]:25), share 5
 * (its title), seen 16 (a time to the minute).
 */
static void
test_markdown(void **state)
{
	struct rendered r;

	(void)state;
	render(&r, render_markdown);
	/* The backslash of an escape is itself escaped, to show as one. */
	assert_non_null(strstr(r.out,
	    "| name                    | server             | share | seen "
	    "            |\n"
	    "| ----------------------- | ------------------ | ----: | "
	    "---------------- |\n"));
	assert_non_null(strstr(r.out,
	    "| a,b \"c\"\\\\x0Ad           | \\[2001:db8::1\\]:25 |  12.5 | "
	    "2026-01-31 06:07 |\n"));
	assert_non_null(strstr(r.out,
	    "| =cmd\\|\\\\x01\\<b\\>\\&\\\\xFF | 192.0.2.1:110      |     - | "
	    "-                |\n"));
	assert_non_null(strstr(r.out,
	    "| -                       | -                  |   0.1 | "
	    "-                |\n"));
	done(&r);
}

/* n spaces, in one of 8 buffers used in turn (for one printf). */
static const char *
spaces(size_t n)
{
	static char buf[8][64];
	static size_t next;
	char *b = buf[next++ % 8];

	assert_true(n < sizeof(buf[0]));
	memset(b, ' ', n);
	b[n] = '\0';
	return b;
}

/*
 * Markdown pads by display width: the name column is 40 wide (twenty 一,
 * PAD_MAX), so müller (6) gets 34 spaces, 山田太郎 (8) 32, josé (4) 36,
 * x\\u202Ey (the escape's backslash doubled: 9) 31, t\\U000E0041 (12)
 * 28; logins is 6 wide ("logins"), numbers right-aligned.
 */
static void
test_markdown_align(void **state)
{
	struct rendered r;
	char want[512];

	(void)state;
	render_section(&r, &names_section, render_markdown);
	snprintf(want, sizeof(want),
	    "| name%s | logins |\n"
	    "| ---------------------------------------- | -----: |\n"
	    "| m\xc3\xbcller%s |      1 |\n"
	    "| \xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e%s |     22 |\n",
	    spaces(36), spaces(34), spaces(32));
	assert_non_null(strstr(r.out, want));
	snprintf(want, sizeof(want),
	    "| jose\xcc\x81%s |      3 |\n"
	    "| x\\\\u202Ey%s |      4 |\n",
	    spaces(36), spaces(31));
	assert_non_null(strstr(r.out, want));
	assert_non_null(strstr(r.out,
	    "| t\\\\U000E0041                             |      6 |\n"));
	assert_null(strstr(r.out, "\xe2\x80\xae"));
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

/*
 * Text pads by display width too.  The name column is cut at 32 columns
 * (twenty 一 take 40): 14 of them (28 columns) and "..." (31), a column
 * of padding left since a fifteenth would not fit.  müller (6) then gets
 * 26 spaces, 山田太郎 (8) 24, josé (4) 28, x\u202Ey (8) 24, t\U000E0041
 * (11) 21; then two spaces and logins, right-aligned in 6.
 */
static void
test_text_align(void **state)
{
	struct rendered r;
	char want[1024];

	(void)state;
	render_section(&r, &names_section, render_text);
	snprintf(want, sizeof(want),
	    "\n  name%s  logins\n"
	    "  m\xc3\xbcller%s       1\n"
	    "  \xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e%s      22\n"
	    "  jose\xcc\x81%s       3\n"
	    "  x\\u202Ey%s       4\n"
	    "  \xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80"
	    "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80"
	    "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80... "
	    "       5\n"
	    "  t\\U000E0041%s       6\n",
	    spaces(28), spaces(26), spaces(24), spaces(28), spaces(24),
	    spaces(21));
	assert_string_equal(strstr(r.out, "\n  name"), want);
	done(&r);
}

/* A scratch folder with a database file in it. */
static void
scratch(char *dir, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(dir, size, "/tmp/plainsight-test-report-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.db", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not really a database", f);
	fclose(f);
}

/* report_output_check() of db and out, both in dir. */
static int
check_in(
    const char *dir, const char *db, const char *out, char *err, size_t errsize)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", dir, db);
	snprintf(b, sizeof(b), "%s/%s", dir, out);
	return report_output_check(a, b, err, errsize);
}

static void
test_output_check(void **state)
{
	static const char *const refused[] = {
		"s.db",        /* itself */
		"./s.db",      /* another name for it */
		"sub/../s.db", /* through a folder and back */
		"s.db-wal",    /* its companions, missing */
		"s.db-shm",    /* existing */
		"s.db-journal",
		"h.db", /* a hard link to it */
		"l.db", /* a symbolic link to it */
		"d",    /* a dangling link to s.db-wal */
		"sub/../l.db",
	};
	static const char *const allowed[] = {
		"report.txt", "s.db.txt", "s.db-walx", "s.db-",
		"sub/s.db", /* another folder */
		"l.db-wal", /* l.db is not the database named */
	};
	char dir[64], path[PATH_MAX], target[PATH_MAX], err[512], cwd[PATH_MAX];
	FILE *f;
	size_t i;

	(void)state;
	scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/s.db-shm", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(target, sizeof(target), "%s/s.db", dir);
	snprintf(path, sizeof(path), "%s/h.db", dir);
	assert_int_equal(link(target, path), 0);
	snprintf(path, sizeof(path), "%s/l.db", dir);
	assert_int_equal(symlink("s.db", path), 0);
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(symlink("s.db-wal", path), 0);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err[0] = '\0';
		if (check_in(dir, "s.db", refused[i], err, sizeof(err)) != -1)
			fail_msg("-o %s: not refused", refused[i]);
		assert_non_null(strstr(err, "would overwrite"));
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (check_in(dir, "s.db", allowed[i], err, sizeof(err)) != 0)
			fail_msg("-o %s: refused: %s", allowed[i], err);
	}

	/* The reason names the file. */
	assert_int_equal(
	    check_in(dir, "s.db", "s.db-wal", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "write-ahead log"));
	assert_int_equal(check_in(dir, "s.db", "h.db", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "would overwrite the database ("));

	/*
	 * A database named through a link: SQLite's files are beside the
	 * file the link leads to, and beside the name given.
	 */
	assert_int_equal(
	    check_in(dir, "l.db", "s.db-wal", err, sizeof(err)), -1);
	assert_int_equal(
	    check_in(dir, "l.db", "l.db-wal", err, sizeof(err)), -1);
	assert_int_equal(check_in(dir, "l.db", "s.db", err, sizeof(err)), -1);

	/* Relative names, from the current folder. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(
	    report_output_check("s.db", "s.db-journal", err, sizeof(err)), -1);
	assert_int_equal(
	    report_output_check("./sub/../s.db", "s.db", err, sizeof(err)), -1);
	assert_int_equal(
	    report_output_check("s.db", "out.html", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/s.db-wal", dir);
	assert_int_equal(
	    report_output_check("s.db", path, err, sizeof(err)), -1);
	assert_int_equal(chdir(cwd), 0);

	/* Nothing was written: the dangling link still dangles. */
	snprintf(path, sizeof(path), "%s/s.db-wal", dir);
	assert_int_equal(access(path, F_OK), -1);

	for (i = 0; i < 5; i++) {
		static const char *const names[] = { "h.db", "l.db", "d",
			"s.db-shm", "s.db" };

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_safe),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_markdown_align),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_align),
		cmocka_unit_test(test_output_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
