/*
 * render.c - what the renderers share.
 *
 * Text in the database comes from the network (user names, EHLO names,
 * SNI): a renderer must never let it act on a terminal or a browser.
 * render_safe() keeps valid UTF-8 (RFC 3629) and writes anything else as
 * visible escapes.
 */
#include "report/render.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

const struct table *
render_find(const struct report_doc *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ntables; i++) {
		if (strcmp(d->tables[i]->section->name, name) == 0)
			return d->tables[i];
	}
	return NULL;
}

bool
render_visible(const struct section *s, size_t c, bool narrow)
{
	unsigned int flags = s->columns[c].flags;

	if ((flags & COL_PORT) || (int)c == s->group)
		return false;
	return !(narrow && (flags & COL_NOTEXT));
}

size_t
render_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	v = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

char *
render_safe(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), at = 0, len;
	char esc[8];
	uint32_t cp;

	while (n > 0) {
		len = render_utf8(p, n, &cp);
		if (len == 0) {
			snprintf(esc, sizeof(esc), "\\x%02X", p[0]);
			len = 1;
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02X", (unsigned int)cp);
		} else if (cp >= 0x80 && cp <= 0x9f) {
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned int)cp);
		} else {
			memcpy(esc, p, len);
			esc[len] = '\0';
		}

		/* Whole characters or escapes only: never half of one. */
		if (at + strlen(esc) + 1 > size)
			break;
		memcpy(buf + at, esc, strlen(esc));
		at += strlen(esc);
		p += len;
		n -= len;
	}
	buf[at] = '\0';
	return buf;
}

void
render_put_html(FILE *out, const char *s)
{
	char safe[4096];
	const char *p;

	render_safe(s, safe, sizeof(safe));
	for (p = safe; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

size_t
render_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	}
	return w;
}

char *
render_number(const struct cell *c, char *buf, size_t size)
{
	if (c->type == CELL_INT)
		snprintf(buf, size, "%" PRId64, c->v.i);
	else if (c->type == CELL_REAL)
		snprintf(buf, size, "%.15g", c->v.r);
	else
		snprintf(buf, size, "null");
	return buf;
}

bool
render_numeric(const struct column *c)
{
	return c->type == CELL_INT || c->type == CELL_REAL;
}

bool
render_new_group(const struct table *t, size_t r)
{
	const struct cell *a, *b;
	size_t g = (size_t)t->section->group;

	if (r == 0)
		return true;
	a = table_cell(t, r - 1, g);
	b = table_cell(t, r, g);
	return a->type != b->type || (a->type == CELL_INT && a->v.i != b->v.i);
}

const char *
render_period(const char *period)
{
	if (strcmp(period, "current") == 0)
		return "this window";
	if (strcmp(period, "previous") == 0)
		return "previous window";
	return period;
}

char *
render_minute(int64_t usec, char *buf, size_t size)
{
	char iso[WINDOW_TIME_MAX];

	window_format(usec, iso);
	snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
	return buf;
}

/* An address and the port of the next column, as people write them. */
static char *
endpoint(const char *ip, const struct cell *port, char *buf, size_t size)
{
	char safe[128];

	render_safe(ip, safe, sizeof(safe));
	if (port->type != CELL_INT)
		snprintf(buf, size, "%s", safe);
	else if (strchr(safe, ':') != NULL)
		snprintf(buf, size, "[%s]:%" PRId64, safe, port->v.i);
	else
		snprintf(buf, size, "%s:%" PRId64, safe, port->v.i);
	return buf;
}

char *
render_human(const struct table *t, size_t r, size_t c, char *buf, size_t size)
{
	const struct column *col = &t->section->columns[c];
	const struct cell *v = table_cell(t, r, c);

	switch (v->type) {
	case CELL_NULL:
		snprintf(buf, size, "-");
		break;
	case CELL_INT:
		snprintf(buf, size, "%" PRId64, v->v.i);
		break;
	case CELL_REAL:
		snprintf(buf, size, "%.1f", v->v.r);
		break;
	case CELL_TEXT:
		if (c + 1 < t->ncols &&
		    (t->section->columns[c + 1].flags & COL_PORT))
			return endpoint(
			    v->v.s, table_cell(t, r, c + 1), buf, size);
		if ((col->flags & COL_TIME) && strlen(v->v.s) >= 16 &&
		    v->v.s[10] == 'T') {
			snprintf(buf, size, "%.10s %.5s", v->v.s, v->v.s + 11);
			break;
		}
		render_safe(v->v.s, buf, size);
		break;
	}
	return buf;
}

static void add_headline(struct report_doc *d, enum headline_level level,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add_headline(
    struct report_doc *d, enum headline_level level, const char *fmt, ...)
{
	va_list ap;

	if (d->nheadlines == RENDER_HEADLINES_MAX) {
		d->more_headlines++;
		return;
	}
	d->headlines[d->nheadlines].level = level;
	va_start(ap, fmt);
	vsnprintf(
	    d->headlines[d->nheadlines].text, RENDER_HEADLINE_LEN, fmt, ap);
	va_end(ap);
	d->nheadlines++;
}

/* A text cell of the row, or "" when NULL. */
static const char *
text_of(const struct table *t, size_t r, const char *name)
{
	int c = table_column(t, name);
	const struct cell *v;

	if (c < 0)
		return "";
	v = table_cell(t, r, (size_t)c);
	return v->type == CELL_TEXT ? v->v.s : "";
}

/* An integer cell of the row, or 0 when NULL. */
static int64_t
int_of(const struct table *t, size_t r, const char *name)
{
	int c = table_column(t, name);
	const struct cell *v;

	if (c < 0)
		return 0;
	v = table_cell(t, r, (size_t)c);
	return v->type == CELL_INT ? v->v.i : 0;
}

/* Regressions and new high findings lead the report. */
static void
change_headlines(struct report_doc *d, const struct table *t)
{
	char server[160], proto[64], detail[192];
	int64_t new_high = 0;
	size_t r;
	int ip = table_column(t, "server_ip");

	for (r = 0; r < t->nrows; r++) {
		if (strcmp(text_of(t, r, "change"), "new") == 0 &&
		    strcmp(text_of(t, r, "severity"), "high") == 0)
			new_high++;
		if (strcmp(text_of(t, r, "change"), "regression") != 0)
			continue;
		render_human(t, r, (size_t)ip, server, sizeof(server));
		render_safe(text_of(t, r, "protocol"), proto, sizeof(proto));
		render_safe(text_of(t, r, "detail"), detail, sizeof(detail));
		if (strcmp(text_of(t, r, "kind"), "starttls_withdrawn") == 0)
			add_headline(d, HEADLINE_ALERT,
			    "STARTTLS withdrawn: %s (%s) offered STARTTLS in "
			    "the previous window and no longer does (%s).",
			    server, proto, detail);
		else
			add_headline(d, HEADLINE_ALERT,
			    "TLS weakened: %s (%s): %s.", server, proto,
			    detail);
	}
	if (new_high > 0)
		add_headline(d, HEADLINE_ALERT,
		    "%" PRId64 " new high finding%s: a kind of finding on a "
		    "server that the previous window did not have.",
		    new_high, new_high == 1 ? "" : "s");
}

/* Reasons to distrust silence, from this window's capture health. */
static void
health_headlines(struct report_doc *d, const struct table *t)
{
	int64_t v;

	if (t->nrows == 0)
		return;
	if (int_of(t, 0, "runs") == 0)
		add_headline(d, HEADLINE_WARN,
		    "No capture run covers this window: nothing was watched, "
		    "so no finding means nothing.");
	v = int_of(t, 0, "runs_running");
	if (v > 0)
		add_headline(d, HEADLINE_WARN,
		    "%" PRId64 " capture run%s still running: packet and "
		    "drop counts are stored when a run ends.",
		    v, v == 1 ? " is" : "s are");
	v = int_of(t, 0, "dropped");
	if (v > 0)
		add_headline(d, HEADLINE_WARN,
		    "The capture dropped %" PRId64 " packet%s: findings may "
		    "be missing.",
		    v, v == 1 ? "" : "s");
	v = int_of(t, 0, "runs_incomplete");
	if (v > 0)
		add_headline(d, HEADLINE_WARN,
		    "%" PRId64 " capture run%s did not complete (see Capture "
		    "runs).",
		    v, v == 1 ? "" : "s");
}

void
render_headlines(struct report_doc *d)
{
	const struct table *t;

	d->nheadlines = 0;
	d->more_headlines = 0;
	t = render_find(d, "changes");
	if (t != NULL)
		change_headlines(d, t);
	t = render_find(d, "health");
	if (t != NULL)
		health_headlines(d, t);
}
