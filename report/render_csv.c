/*
 * render_csv.c - one section of the report as CSV (RFC 4180), for
 * spreadsheets and scripts.
 *
 * A header line with the column names, then one line per row, each line
 * ending in CRLF.  A field holding a comma, a double quote, CR or LF is
 * quoted, its quotes doubled.  NULL is an empty field.  Text that a
 * spreadsheet would run as a formula (starting with =, +, -, @, a tab or
 * CR) gets a leading apostrophe: user names come from the network.  For
 * the same reason text is made safe as in the other formats for people
 * (render_safe): control characters, line breaks included, bytes that
 * are not UTF-8 and the characters that hide or reorder text are written
 * as escapes; JSON has the exact text.
 */
#include <stdlib.h>
#include <string.h>

#include "report/render.h"

static int
put_field(FILE *out, const char *text)
{
	size_t size = 4 * strlen(text) + 1;
	char *safe = malloc(size), *s;
	bool quote, formula;

	if (safe == NULL)
		return -1;
	s = render_safe(text, safe, size);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;

	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	if (quote)
		fputc('"', out);
	free(safe);
	return 0;
}

static int
put_cell(FILE *out, const struct cell *c)
{
	char buf[64];

	if (c->type == CELL_TEXT)
		return put_field(out, c->v.s);
	if (c->type != CELL_NULL)
		fputs(render_number(c, buf, sizeof(buf)), out);
	return 0;
}

int
render_csv(FILE *out, const struct report_doc *d)
{
	const struct table *t;
	size_t r, c;

	if (d->ntables != 1)
		return -1;
	t = d->tables[0];
	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			fputc(',', out);
		if (put_field(out, t->section->columns[c].name) != 0)
			return -1;
	}
	fputs("\r\n", out);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputc(',', out);
			if (put_cell(out, table_cell(t, r, c)) != 0)
				return -1;
		}
		fputs("\r\n", out);
	}
	return ferror(out) ? -1 : 0;
}
