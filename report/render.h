/*
 * render.h - writing a computed report in each format.
 *
 * A report is a list of tables (one per section) and a few facts about
 * the window; each renderer writes all of them, in order, and computes
 * nothing: every figure it shows is a cell of a table, or a sum of cells
 * the text says it is.  render.c holds what the renderers share: cell
 * formatting for people, making database text safe to show, and the
 * headlines drawn from the changes and capture health sections.
 */
#ifndef PLAINSIGHT_RENDER_H
#define PLAINSIGHT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/section.h"
#include "report/table.h"
#include "report/window.h"

/* Version of the JSON shape, raised only when a key changes meaning. */
#define RENDER_JSON_VERSION 1

/* Rows shown per table in text, Markdown and HTML; CSV and JSON show all. */
#define RENDER_ROWS_MAX 100

#define RENDER_HEADLINES_MAX 12
#define RENDER_HEADLINE_LEN 256

enum headline_level {
	HEADLINE_ALERT, /* something got worse: read this first */
	HEADLINE_WARN,  /* the report may be blind to something */
};

struct headline {
	enum headline_level level;
	char text[RENDER_HEADLINE_LEN];
};

struct report_doc {
	const char *database;            /* the path as given */
	int schema_version;              /* of the database read */
	char generated[WINDOW_TIME_MAX]; /* wall clock, UTC */
	struct window window;
	bool have_data;        /* the database holds capture times */
	struct table **tables; /* in section order */
	size_t ntables;
	struct headline headlines[RENDER_HEADLINES_MAX];
	size_t nheadlines;
	size_t more_headlines; /* left out for lack of room */
};

int render_text(FILE *out, const struct report_doc *d);
int render_markdown(FILE *out, const struct report_doc *d);
int render_html(FILE *out, const struct report_doc *d);
int render_json(FILE *out, const struct report_doc *d);

/* CSV holds one table: d must hold exactly one. */
int render_csv(FILE *out, const struct report_doc *d);

/* Fills d's headlines from its changes and health tables, when present. */
void render_headlines(struct report_doc *d);

/* The table of section name in d, or NULL when it was not computed. */
const struct table *render_find(const struct report_doc *d, const char *name);

/*
 * Whether column c of s is shown as a column of its own to people: not a
 * port (it joins the address before it), not the group column, and, in
 * the narrow text format, not a detail.
 */
bool render_visible(const struct section *s, size_t c, bool narrow);

/*
 * Writes cell (r, c) of t for people into buf: "-" for NULL, times to the
 * minute, reals with one decimal, an address with the port of the next
 * column ("192.0.2.1:25", "[2001:db8::1]:25"), and text made safe by
 * render_safe().  Returns buf.
 */
char *render_human(
    const struct table *t, size_t r, size_t c, char *buf, size_t size);

/*
 * Copies s into buf as valid UTF-8 with nothing a terminal or a browser
 * would act on, and nothing that hides or reorders the text around it:
 * control characters and bytes that are not UTF-8 are written \xNN, C1
 * controls and the invisible characters of render_invisible() \uNNNN
 * (\UNNNNNNNN beyond U+FFFF).  Other characters, letters of any script
 * included, are kept.  Truncated to fit (whole characters and escapes
 * only); returns buf.  A buffer of 4 * strlen(s) + 1 bytes always fits.
 */
char *render_safe(const char *s, char *buf, size_t size);

/*
 * True for the characters that are invisible yet change how the text
 * around them is shown, which a string from the network could use to
 * hide or reorder a report: the bidirectional controls (U+061C, U+200E,
 * U+200F, U+202A to U+202E, U+2066 to U+2069), the zero-width characters
 * (U+200B to U+200D, U+2060, U+FEFF), the line and paragraph separators
 * (U+2028, U+2029), the invisible operators and deprecated format
 * controls (U+2061 to U+2064, U+206A to U+206F), the interlinear
 * annotation characters (U+FFF9 to U+FFFB) and the tag characters
 * (U+E0000 to U+E007F).
 */
bool render_invisible(uint32_t cp);

/*
 * Length of the UTF-8 sequence at s (n > 0 bytes left) with its code point
 * in *cp, or 0 when it is not valid UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF included).
 */
size_t render_utf8(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * Writes s for HTML text or a quoted attribute value: made safe by
 * render_safe(), then &, <, >, " and ' as character references.
 */
void render_put_html(FILE *out, const char *s);

/*
 * Columns a UTF-8 string takes on a terminal: 2 for wide characters (CJK,
 * Hangul, fullwidth forms, most emoji), 0 for combining marks and other
 * zero-width characters, 1 for the rest (as wcwidth() says in a UTF-8
 * locale).  Meant for text made safe by render_safe(): a byte that is
 * not UTF-8 counts 1.
 */
size_t render_width(const char *s);

/*
 * Bytes of the longest start of s, in whole characters, that takes at
 * most width columns; the zero-width characters after it are kept with
 * it.
 */
size_t render_cut(const char *s, size_t width);

/* Writes cell value for machines: integers in full, reals to 15 digits. */
char *render_number(const struct cell *c, char *buf, size_t size);

/* True when column c holds numbers (shown right-aligned). */
bool render_numeric(const struct column *c);

/* True when row r of t starts a group (t's section groups its rows). */
bool render_new_group(const struct table *t, size_t r);

/* "this window" or "previous window" for a record section's period. */
const char *render_period(const char *period);

/* Writes "2026-01-31 23:59" for an ISO time into buf. */
char *render_minute(int64_t usec, char *buf, size_t size);

#endif
