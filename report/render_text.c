/*
 * render_text.c - the report for a terminal: plain text, about 80 to 100
 * columns, details left to the other formats.
 *
 * Widths are display widths (render_width): a CJK host name takes two
 * columns a character, an accent combined with its letter none, so that
 * columns line up on a terminal whatever the script.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "report/render.h"
#include "util.h"

/*
 * Widest a cell may be, but in the last column, which takes what is left
 * of TABLE_WIDTH (at least LAST_WIDTH_MIN).  Prose wraps at LINE_WIDTH.
 */
#define CELL_WIDTH_MAX 32
#define TABLE_WIDTH 100
#define LAST_WIDTH_MIN 12
#define LINE_WIDTH 78
#define COLS_MAX 32
#define CELL_MAX 1024

/* The visible columns of a table and their widths. */
struct layout {
	size_t col[COLS_MAX]; /* column indexes */
	size_t width[COLS_MAX];
	size_t n;
	size_t rows; /* rows shown */
};

/* Writes n spaces. */
static void
pad(FILE *out, size_t n)
{
	for (; n > 0; n--)
		fputc(' ', out);
}

/*
 * Writes s in w columns: cut (with "...") when wider, padded on the right
 * (left-aligned) or on the left (right-aligned) when narrower; the last
 * column of a line is not padded on the right.
 */
static void
put_fitted(FILE *out, const char *s, size_t w, bool right, bool last)
{
	size_t width = render_width(s), keep;

	if (width > w) {
		keep = render_cut(s, w > 3 ? w - 3 : 0);
		fprintf(out, "%.*s...", (int)keep, s);

		/* A wide character that did not fit leaves a column. */
		width = render_width(s) - render_width(s + keep);
		if (!last)
			pad(out, w - MIN(w, width + 3));
		return;
	}
	if (right)
		pad(out, w - width);
	fputs(s, out);
	if (!right && !last)
		pad(out, w - width);
}

/*
 * Prints text wrapped at LINE_WIDTH, the first line after lead and the
 * others after as many spaces.
 */
static void
put_wrapped(FILE *out, const char *lead, const char *text)
{
	const char *p = text, *end;
	size_t indent = render_width(lead), col = 0, len, width;
	char word[RENDER_HEADLINE_LEN];

	fputs(lead, out);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, " ");
		len = (size_t)(end - p);
		if (len == 0)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		width = render_width(word);
		if (col > 0 && indent + col + 1 + width > LINE_WIDTH) {
			fputc('\n', out);
			pad(out, indent);
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)len, p);
		col += width;
		p = end;
	}
	fputc('\n', out);
}

static void
heading(FILE *out, const char *title)
{
	size_t i, n = render_width(title);

	fprintf(out, "\n%s\n", title);
	for (i = 0; i < n; i++)
		fputc('=', out);
	fputc('\n', out);
}

/* Chooses the columns to show and measures them over the rows shown. */
static void
measure(const struct table *t, struct layout *l)
{
	const struct section *s = t->section;
	char buf[CELL_MAX];
	size_t i, r, w, used = 0;

	memset(l, 0, sizeof(*l));
	l->rows = MIN(t->nrows, RENDER_ROWS_MAX);
	for (i = 0; i < t->ncols; i++) {
		if (!render_visible(s, i, true))
			continue;
		assert(l->n < COLS_MAX);
		l->col[l->n] = i;
		l->width[l->n] = render_width(s->columns[i].title);
		for (r = 0; r < l->rows; r++) {
			w = render_width(
			    render_human(t, r, i, buf, sizeof(buf)));
			l->width[l->n] = MAX(l->width[l->n], w);
		}
		l->n++;
	}
	for (i = 0; i + 1 < l->n; i++) {
		l->width[i] = MIN(l->width[i], CELL_WIDTH_MAX);
		used += 2 + l->width[i];
	}

	/* The last column takes what is left of the line, at least a bit. */
	if (l->n > 0)
		l->width[l->n - 1] = MIN(l->width[l->n - 1],
		    MAX(LAST_WIDTH_MIN,
			TABLE_WIDTH - 2 - MIN(used, TABLE_WIDTH)));
}

static void
put_header(FILE *out, const struct table *t, const struct layout *l)
{
	const struct column *c;
	size_t i;

	for (i = 0; i < l->n; i++) {
		c = &t->section->columns[l->col[i]];
		fputs("  ", out);
		put_fitted(out, c->title, l->width[i], render_numeric(c),
		    i + 1 == l->n);
	}
	fputc('\n', out);
}

static void
put_row(FILE *out, const struct table *t, const struct layout *l, size_t r)
{
	const struct column *c;
	char buf[CELL_MAX];
	size_t i;

	for (i = 0; i < l->n; i++) {
		c = &t->section->columns[l->col[i]];
		fputs("  ", out);
		put_fitted(out, render_human(t, r, l->col[i], buf, sizeof(buf)),
		    l->width[i], render_numeric(c), i + 1 == l->n);
	}
	fputc('\n', out);
}

static void
put_table(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	struct layout l;
	size_t r;

	measure(t, &l);
	if (s->group < 0)
		put_header(out, t, &l);
	for (r = 0; r < l.rows; r++) {
		if (s->group >= 0 && render_new_group(t, r)) {
			fprintf(out, "%s%s\n", r > 0 ? "\n" : "",
			    section_group_title(
				s, table_cell(t, r, (size_t)s->group)));
			put_header(out, t, &l);
		}
		put_row(out, t, &l, r);
	}
	if (t->nrows > l.rows)
		fprintf(out,
		    "  ... and %zu more (plainsight report --format csv "
		    "--section %s)\n",
		    t->nrows - l.rows, s->name);
}

/* A record section: one line per figure, one column per window. */
static void
put_record(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	char buf[CELL_MAX];
	size_t label = 0, width[COLS_MAX], c, r, n = MIN(t->nrows, COLS_MAX);

	for (c = 1; c < t->ncols; c++)
		label = MAX(label, render_width(s->columns[c].title));
	for (r = 0; r < n; r++) {
		width[r] = render_width(
		    render_period(render_human(t, r, 0, buf, sizeof(buf))));
		for (c = 1; c < t->ncols; c++)
			width[r] = MAX(width[r],
			    render_width(
				render_human(t, r, c, buf, sizeof(buf))));
	}
	pad(out, label);
	for (r = 0; r < n; r++) {
		fputs("  ", out);
		put_fitted(out,
		    render_period(render_human(t, r, 0, buf, sizeof(buf))),
		    width[r], true, r + 1 == n);
	}
	fputc('\n', out);
	for (c = 1; c < t->ncols; c++) {
		put_fitted(out, s->columns[c].title, label, false, false);
		for (r = 0; r < n; r++) {
			fputs("  ", out);
			put_fitted(out, render_human(t, r, c, buf, sizeof(buf)),
			    width[r], true, r + 1 == n);
		}
		fputc('\n', out);
	}
}

static void
put_section(FILE *out, const struct table *t)
{
	const struct section *s = t->section;

	heading(out, s->title);
	if (s->notes != NULL) {
		put_wrapped(out, "", s->notes);
		fputc('\n', out);
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
	char a[32], b[32], c[32], span[64], safe[1024];
	size_t i;

	fprintf(out, "plainsight report: %s\n",
	    render_safe(d->database, safe, sizeof(safe)));
	fprintf(out, "Window:    %s to %s UTC (%s)\n",
	    render_minute(w->since, a, sizeof(a)),
	    render_minute(w->until, b, sizeof(b)),
	    window_span(w->until - w->since, span, sizeof(span)));
	fprintf(out, "Compared:  %s to %s UTC\n",
	    render_minute(w->prev_since, c, sizeof(c)), a);
	fprintf(out, "Generated: %.10s %.5s UTC by plainsight %s, schema %d\n",
	    d->generated, d->generated + 11, PLAINSIGHT_VERSION,
	    d->schema_version);
	if (!d->have_data)
		fprintf(out, "The database holds no capture yet.\n");
	if (d->nheadlines > 0)
		fputc('\n', out);
	for (i = 0; i < d->nheadlines; i++)
		put_wrapped(out,
		    d->headlines[i].level == HEADLINE_ALERT ? "!! " : " ! ",
		    d->headlines[i].text);
	if (d->more_headlines > 0)
		fprintf(out, "   ... and %zu more.\n", d->more_headlines);
}

int
render_text(FILE *out, const struct report_doc *d)
{
	size_t i;

	put_front(out, d);
	for (i = 0; i < d->ntables; i++)
		put_section(out, d->tables[i]);
	return ferror(out) ? -1 : 0;
}
