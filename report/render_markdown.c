/*
 * render_markdown.c - the report as Markdown (CommonMark with GitHub's
 * pipe tables), for tickets, wikis and mail.
 *
 * Database text is escaped so that it stays text: the characters that
 * open emphasis, code, links, HTML or entities inside a line, and the pipe
 * that would end a table cell, are backslash-escaped (CommonMark section
 * 2.4).  Characters that only act at the start of a line (#, -, +, digits)
 * need nothing: database text never starts a line.
 */
#include <string.h>

#include "report/render.h"
#include "util.h"

#define CELL_MAX 1024

/* Writes s with Markdown's active characters escaped. */
static void
put_escaped(FILE *out, const char *s)
{
	char safe[CELL_MAX * 2];

	render_safe(s, safe, sizeof(safe));
	for (s = safe; *s != '\0'; s++) {
		if (strchr("\\`*_[]<>|&~", *s) != NULL)
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void
put_header(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	size_t c;

	fputc('|', out);
	for (c = 0; c < t->ncols; c++) {
		if (!render_visible(s, c, false))
			continue;
		fputc(' ', out);
		put_escaped(out, s->columns[c].title);
		fputs(" |", out);
	}
	fputs("\n|", out);
	for (c = 0; c < t->ncols; c++) {
		if (render_visible(s, c, false))
			fputs(render_numeric(&s->columns[c]) ? " ---: |"
							     : " --- |",
			    out);
	}
	fputc('\n', out);
}

static void
put_row(FILE *out, const struct table *t, size_t r)
{
	char buf[CELL_MAX];
	size_t c;

	fputc('|', out);
	for (c = 0; c < t->ncols; c++) {
		if (!render_visible(t->section, c, false))
			continue;
		fputc(' ', out);
		put_escaped(out, render_human(t, r, c, buf, sizeof(buf)));
		fputs(" |", out);
	}
	fputc('\n', out);
}

static void
put_table(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	size_t r, n = MIN(t->nrows, RENDER_ROWS_MAX);

	if (s->group < 0)
		put_header(out, t);
	for (r = 0; r < n; r++) {
		if (s->group >= 0 && render_new_group(t, r)) {
			fprintf(out, "%s### ", r > 0 ? "\n" : "");
			put_escaped(out,
			    section_group_title(
				s, table_cell(t, r, (size_t)s->group)));
			fputs("\n\n", out);
			put_header(out, t);
		}
		put_row(out, t, r);
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
	size_t c, r;

	fputs("| figure |", out);
	for (r = 0; r < t->nrows; r++) {
		fputc(' ', out);
		put_escaped(out,
		    render_period(render_human(t, r, 0, buf, sizeof(buf))));
		fputs(" |", out);
	}
	fputs("\n| --- |", out);
	for (r = 0; r < t->nrows; r++)
		fputs(" ---: |", out);
	fputc('\n', out);
	for (c = 1; c < t->ncols; c++) {
		fputs("| ", out);
		put_escaped(out, s->columns[c].title);
		fputs(" |", out);
		for (r = 0; r < t->nrows; r++) {
			fputc(' ', out);
			put_escaped(
			    out, render_human(t, r, c, buf, sizeof(buf)));
			fputs(" |", out);
		}
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
	char a[32], b[32], c[32], span[32];
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
