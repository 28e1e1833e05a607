/*
 * render_markdown.c - the report as Markdown (CommonMark with GitHub's
 * pipe tables), for tickets, wikis and mail.
 *
 * Database text is escaped so that it stays text: the characters that
 * open emphasis, code, links, HTML or entities inside a line, and the pipe
 * that would end a table cell, are backslash-escaped (CommonMark section
 * 2.4).  Characters that only act at the start of a line (#, -, +, digits)
 * need nothing: database text never starts a line.  Tables are padded to
 * their columns' display widths, so that they line up when read as plain
 * text too (in a mail, a terminal), whatever the script.
 */
#include <string.h>

#include "report/render.h"
#include "util.h"

#define CELL_MAX 1024
/* Escaped text: render_safe() at most quadruples, the escaping doubles. */
#define ESCAPED_MAX (CELL_MAX * 8)
#define COLS_MAX 32

/*
 * Columns are padded to their widest cell, up to PAD_MAX display columns:
 * a longer cell (a list of ciphers) runs past its column's edge rather
 * than widen every row.
 */
#define PAD_MAX 40

/* s with Markdown's active characters escaped, into buf. */
static char *
escape(const char *s, char *buf, size_t size)
{
	char safe[CELL_MAX * 4];
	size_t at = 0;

	render_safe(s, safe, sizeof(safe));
	for (s = safe; *s != '\0' && at + 3 <= size; s++) {
		if (strchr("\\`*_[]<>|&~", *s) != NULL)
			buf[at++] = '\\';
		buf[at++] = *s;
	}
	buf[at] = '\0';
	return buf;
}

/* Writes s with Markdown's active characters escaped. */
static void
put_escaped(FILE *out, const char *s)
{
	char buf[ESCAPED_MAX];

	fputs(escape(s, buf, sizeof(buf)), out);
}

/* Writes n copies of c. */
static void
repeat(FILE *out, int c, size_t n)
{
	for (; n > 0; n--)
		fputc(c, out);
}

/*
 * Writes one cell of a pipe table, its escaped text padded to w display
 * columns (on the left when right-aligned).
 */
static void
put_cell(FILE *out, const char *text, size_t w, bool right)
{
	char buf[ESCAPED_MAX];
	size_t width;

	escape(text, buf, sizeof(buf));
	width = render_width(buf);
	fputc(' ', out);
	if (right && width < w)
		repeat(out, ' ', w - width);
	fputs(buf, out);
	if (!right && width < w)
		repeat(out, ' ', w - width);
	fputs(" |", out);
}

/* The delimiter row's cell for a column of width w. */
static void
put_delimiter(FILE *out, size_t w, bool right)
{
	fputc(' ', out);
	repeat(out, '-', right ? w - 1 : w);
	fputs(right ? ": |" : " |", out);
}

/* Widens *w to the escaped text's display width, up to PAD_MAX. */
static void
widen(size_t *w, const char *text)
{
	char buf[ESCAPED_MAX];

	*w =
	    MAX(*w, MIN(render_width(escape(text, buf, sizeof(buf))), PAD_MAX));
}

/* The visible columns of a table and their widths. */
struct layout {
	size_t col[COLS_MAX];
	size_t width[COLS_MAX];
	size_t n;
};

static void
measure(const struct table *t, size_t rows, struct layout *l)
{
	const struct section *s = t->section;
	char buf[CELL_MAX];
	size_t c, r;

	memset(l, 0, sizeof(*l));
	for (c = 0; c < t->ncols && l->n < COLS_MAX; c++) {
		if (!render_visible(s, c, false))
			continue;
		l->col[l->n] = c;
		l->width[l->n] = 3; /* "---" */
		widen(&l->width[l->n], s->columns[c].title);
		for (r = 0; r < rows; r++)
			widen(&l->width[l->n],
			    render_human(t, r, c, buf, sizeof(buf)));
		l->n++;
	}
}

static void
put_header(FILE *out, const struct table *t, const struct layout *l)
{
	const struct column *col;
	size_t i;

	fputc('|', out);
	for (i = 0; i < l->n; i++) {
		col = &t->section->columns[l->col[i]];
		put_cell(out, col->title, l->width[i], render_numeric(col));
	}
	fputs("\n|", out);
	for (i = 0; i < l->n; i++)
		put_delimiter(out, l->width[i],
		    render_numeric(&t->section->columns[l->col[i]]));
	fputc('\n', out);
}

static void
put_row(FILE *out, const struct table *t, const struct layout *l, size_t r)
{
	char buf[CELL_MAX];
	size_t i;

	fputc('|', out);
	for (i = 0; i < l->n; i++)
		put_cell(out, render_human(t, r, l->col[i], buf, sizeof(buf)),
		    l->width[i],
		    render_numeric(&t->section->columns[l->col[i]]));
	fputc('\n', out);
}

static void
put_table(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	size_t r, n = MIN(t->nrows, RENDER_ROWS_MAX);
	struct layout l;

	measure(t, n, &l);
	if (s->group < 0)
		put_header(out, t, &l);
	for (r = 0; r < n; r++) {
		if (s->group >= 0 && render_new_group(t, r)) {
			fprintf(out, "%s### ", r > 0 ? "\n" : "");
			put_escaped(out,
			    section_group_title(
				s, table_cell(t, r, (size_t)s->group)));
			fputs("\n\n", out);
			put_header(out, t, &l);
		}
		put_row(out, t, &l, r);
	}
	if (t->nrows > n)
		fprintf(out,
		    "\n%zu more rows: `plainsight report --format csv "
		    "--section %s`\n",
		    t->nrows - n, s->name);
}

/* A record section as a table of figures, one column per window. */
static void
put_record(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	char buf[CELL_MAX];
	size_t c, r, label = 6 /* "figure" */, width[COLS_MAX];
	size_t n = MIN(t->nrows, COLS_MAX);

	for (c = 1; c < t->ncols; c++)
		widen(&label, s->columns[c].title);
	for (r = 0; r < n; r++) {
		width[r] = 3;
		widen(&width[r],
		    render_period(render_human(t, r, 0, buf, sizeof(buf))));
		for (c = 1; c < t->ncols; c++)
			widen(
			    &width[r], render_human(t, r, c, buf, sizeof(buf)));
	}
	fputc('|', out);
	put_cell(out, "figure", label, false);
	for (r = 0; r < n; r++)
		put_cell(out,
		    render_period(render_human(t, r, 0, buf, sizeof(buf))),
		    width[r], true);
	fputs("\n|", out);
	put_delimiter(out, label, false);
	for (r = 0; r < n; r++)
		put_delimiter(out, width[r], true);
	fputc('\n', out);
	for (c = 1; c < t->ncols; c++) {
		fputc('|', out);
		put_cell(out, s->columns[c].title, label, false);
		for (r = 0; r < n; r++)
			put_cell(out, render_human(t, r, c, buf, sizeof(buf)),
			    width[r], true);
		fputc('\n', out);
	}
}

static void
put_section(FILE *out, const struct table *t)
{
	const struct section *s = t->section;

	fprintf(out, "\n## %s\n\n", s->title);
	if (s->notes != NULL) {
		put_escaped(out, s->notes);
		fputs("\n\n", out);
	}
	if (t->nrows == 0)
		fprintf(out, "%s\n", s->empty != NULL ? s->empty : "None.");
	else if (s->shape == SECTION_RECORD)
		put_record(out, t);
	else
		put_table(out, t);
}

static void
put_front(FILE *out, const struct report_doc *d)
{
	const struct window *w = &d->window;
	char a[32], b[32], c[32], span[64];
	size_t i;

	fputs("# plainsight report\n\n- Database: ", out);
	put_escaped(out, d->database);
	fprintf(out, " (schema %d)\n", d->schema_version);
	fprintf(out, "- Window: %s to %s UTC (%s)\n",
	    render_minute(w->since, a, sizeof(a)),
	    render_minute(w->until, b, sizeof(b)),
	    window_span(w->until - w->since, span, sizeof(span)));
	fprintf(out, "- Compared with: %s to %s UTC\n",
	    render_minute(w->prev_since, c, sizeof(c)), a);
	fprintf(out, "- Generated: %.10s %.5s UTC by plainsight %s\n",
	    d->generated, d->generated + 11, PLAINSIGHT_VERSION);
	if (!d->have_data)
		fputs("\nThe database holds no capture yet.\n", out);
	for (i = 0; i < d->nheadlines; i++) {
		fprintf(out, "%s> **%s** ", i == 0 ? "\n" : ">\n",
		    d->headlines[i].level == HEADLINE_ALERT ? "Alert:"
							    : "Warning:");
		put_escaped(out, d->headlines[i].text);
		fputc('\n', out);
	}
	if (d->more_headlines > 0)
		fprintf(out, ">\n> and %zu more.\n", d->more_headlines);
}

int
render_markdown(FILE *out, const struct report_doc *d)
{
	size_t i;

	put_front(out, d);
	for (i = 0; i < d->ntables; i++)
		put_section(out, d->tables[i]);
	return ferror(out) ? -1 : 0;
}
