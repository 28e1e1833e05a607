/*
 * render_json.c - the report as JSON (RFC 8259), for programs.
 *
 * The shape is documented in docs/schema.md and only ever grows: an
 * object with the report's metadata and one object per section (its name,
 * title, query, typed columns and rows, each row an array in column
 * order).  Text is the database's, escaped; bytes that are not UTF-8
 * become U+FFFD, since JSON text must be UTF-8.  The characters that hide
 * or reorder text (render_invisible) are written as \u escapes: the
 * parsed text is exact, and the JSON itself shows them when read.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "report/render.h"
#include "util.h"

static const char *const type_names[] = {
	[CELL_NULL] = "null",
	[CELL_INT] = "integer",
	[CELL_REAL] = "real",
	[CELL_TEXT] = "text",
};

static void
put_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, n = strlen(s);
	uint32_t cp;

	fputc('"', out);
	while (*p != '\0') {
		len = render_utf8(p, n, &cp);
		if (len == 0) {
			fputs("\\ufffd", out);
			len = 1;
		} else if (cp == '"' || cp == '\\') {
			fprintf(out, "\\%c", (char)cp);
		} else if (cp == '\n') {
			fputs("\\n", out);
		} else if (cp == '\t') {
			fputs("\\t", out);
		} else if (cp < 0x20 || cp == 0x7f ||
		    (render_invisible(cp) && cp <= 0xffff)) {
			fprintf(out, "\\u%04x", (unsigned int)cp);
		} else if (render_invisible(cp)) {
			/* A UTF-16 surrogate pair (RFC 8259 section 7). */
			fprintf(out, "\\u%04x\\u%04x",
			    0xd800 + ((cp - 0x10000) >> 10),
			    0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else {
			fwrite(p, 1, len, out);
		}
		p += len;
		n -= len;
	}
	fputc('"', out);
}

static void
put_string_or_null(FILE *out, const char *s)
{
	if (s == NULL)
		fputs("null", out);
	else
		put_string(out, s);
}

static void
put_cell(FILE *out, const struct cell *c)
{
	char buf[64];

	if (c->type == CELL_TEXT)
		put_string(out, c->v.s);
	else
		fputs(render_number(c, buf, sizeof(buf)), out);
}

static const char *
column_format(const struct column *c)
{
	if (c->flags & COL_TIME)
		return "time";
	if (c->flags & COL_PCT)
		return "percent";
	if (c->flags & COL_PORT)
		return "port";
	return NULL;
}

static void
put_columns(FILE *out, const struct section *s)
{
	size_t c;

	fputs("      \"columns\": [\n", out);
	for (c = 0; c < s->ncolumns; c++) {
		fputs("        {\"name\": ", out);
		put_string(out, s->columns[c].name);
		fputs(", \"title\": ", out);
		put_string(out, s->columns[c].title);
		fprintf(out, ", \"type\": \"%s\", \"format\": ",
		    type_names[s->columns[c].type]);
		put_string_or_null(out, column_format(&s->columns[c]));
		fprintf(out, "}%s\n", c + 1 < s->ncolumns ? "," : "");
	}
	fputs("      ],\n", out);
}

static void
put_rows(FILE *out, const struct table *t)
{
	size_t r, c;

	fputs("      \"rows\": [", out);
	for (r = 0; r < t->nrows; r++) {
		fputs(r > 0 ? ",\n        [" : "\n        [", out);
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputs(", ", out);
			put_cell(out, table_cell(t, r, c));
		}
		fputc(']', out);
	}
	fputs(t->nrows > 0 ? "\n      ]\n" : "]\n", out);
}

static void
put_section(FILE *out, const struct table *t, bool last)
{
	const struct section *s = t->section;

	fputs("    {\n      \"name\": ", out);
	put_string(out, s->name);
	fputs(",\n      \"title\": ", out);
	put_string(out, s->title);
	fprintf(out, ",\n      \"shape\": \"%s\",\n      \"notes\": ",
	    s->shape == SECTION_RECORD ? "record" : "table");
	put_string_or_null(out, s->notes);
	fputs(",\n      \"group_by\": ", out);
	put_string_or_null(
	    out, s->group >= 0 ? s->columns[s->group].name : NULL);
	fputs(",\n      \"query\": ", out);
	put_string(out, s->sql);
	fputs(",\n", out);
	put_columns(out, s);
	put_rows(out, t);
	fprintf(out, "    }%s\n", last ? "" : ",");
}

static void
put_window(FILE *out, const struct report_doc *d)
{
	const struct window *w = &d->window;
	char a[WINDOW_TIME_MAX];

	fprintf(out, "  \"window\": {\n    \"since\": \"%s\",\n",
	    window_format(w->since, a));
	fprintf(out, "    \"until\": \"%s\",\n", window_format(w->until, a));
	fprintf(out, "    \"previous_since\": \"%s\",\n",
	    window_format(w->prev_since, a));
	fprintf(out, "    \"previous_until\": \"%s\",\n",
	    window_format(w->since, a));
	fputs("    \"data_end\": ", out);
	if (d->have_data)
		fprintf(out, "\"%s\"", window_format(w->data_end, a));
	else
		fputs("null", out);
	fprintf(out, ",\n    \"bucket\": \"%s\"\n  },\n",
	    w->hourly ? "hour" : "day");
}

static void
put_headlines(FILE *out, const struct report_doc *d)
{
	size_t i;

	fputs("  \"headlines\": [", out);
	for (i = 0; i < d->nheadlines; i++) {
		fprintf(out,
		    "%s\n    {\"level\": \"%s\", \"text\": ", i > 0 ? "," : "",
		    d->headlines[i].level == HEADLINE_ALERT ? "alert"
							    : "warning");
		put_string(out, d->headlines[i].text);
		fputc('}', out);
	}
	fputs(d->nheadlines > 0 ? "\n  ],\n" : "],\n", out);
}

int
render_json(FILE *out, const struct report_doc *d)
{
	size_t i;

	fprintf(out, "{\n  \"report\": \"plainsight\",\n");
	fprintf(out, "  \"format_version\": %d,\n", RENDER_JSON_VERSION);
	fprintf(out, "  \"plainsight_version\": \"%s\",\n", PLAINSIGHT_VERSION);
	fprintf(out, "  \"schema_version\": %d,\n", d->schema_version);
	fputs("  \"database\": ", out);
	put_string(out, d->database);
	fprintf(out, ",\n  \"generated\": \"%s\",\n", d->generated);
	put_window(out, d);
	put_headlines(out, d);
	fputs("  \"sections\": [\n", out);
	for (i = 0; i < d->ntables; i++)
		put_section(out, d->tables[i], i + 1 == d->ntables);
	fputs("  ]\n}\n", out);
	return ferror(out) ? -1 : 0;
}
