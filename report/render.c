/*
 * render.c - what the renderers share.
 *
 * Text in the database comes from the network (user names, EHLO names,
 * SNI): a renderer must never let it act on a terminal or a browser, nor
 * hide or reorder the report's own text (Unicode's bidirectional controls
 * and zero-width characters, as in CVE-2021-42574, "Trojan Source").
 * render_safe() keeps valid UTF-8 (RFC 3629) and writes anything else, and
 * those characters, as visible escapes.  Tables are laid out by display
 * width (render_width), as a terminal shows the characters.
 */
#include "report/render.h"

#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

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

bool
render_invisible(uint32_t cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
	    cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	    (cp >= 0xe0000 && cp <= 0xe007f);
}

char *
render_safe(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), at = 0, len;
	char esc[16];
	uint32_t cp;

	while (n > 0) {
		len = render_utf8(p, n, &cp);
		if (len == 0) {
			snprintf(esc, sizeof(esc), "\\x%02X", p[0]);
			len = 1;
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02X", (unsigned int)cp);
		} else if ((cp >= 0x80 && cp <= 0x9f) ||
		    (render_invisible(cp) && cp <= 0xffff)) {
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned int)cp);
		} else if (render_invisible(cp)) {
			snprintf(esc, sizeof(esc), "\\U%08X", (unsigned int)cp);
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

/*
 * A UTF-8 locale for wcwidth(), whatever the process's own locale is (it
 * is never changed), or 0 when none is installed.
 */
static locale_t
utf8_locale(void)
{
	static const char *const names[] = { "C.UTF-8", "C.utf8",
		"en_US.UTF-8" };
	static locale_t loc;
	static bool tried;
	size_t i;

	if (!tried) {
		tried = true;
		for (i = 0; i < ARRAY_SIZE(names) && loc == (locale_t)0; i++)
			loc = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
	}
	return loc;
}

/*
 * Without a UTF-8 locale: combining marks and zero-width characters of
 * the common scripts take no column, CJK, Hangul, fullwidth forms and
 * emoji two.
 */
static size_t
fallback_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f },
		{ 0x0483, 0x0489 },
		{ 0x0591, 0x05bd },
		{ 0x0610, 0x061a },
		{ 0x064b, 0x065f },
		{ 0x0e31, 0x0e31 },
		{ 0x0e34, 0x0e3a },
		{ 0x0e47, 0x0e4e },
		{ 0x1160, 0x11ff },
		{ 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff },
		{ 0x200b, 0x200f },
		{ 0x202a, 0x202e },
		{ 0x2060, 0x206f },
		{ 0x20d0, 0x20ff },
		{ 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f },
		{ 0xfeff, 0xfeff },
		{ 0xe0000, 0xe0fff },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f },
		{ 0x2e80, 0x303e },
		{ 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff },
		{ 0xa000, 0xa4cf },
		{ 0xa960, 0xa97f },
		{ 0xac00, 0xd7a3 },
		{ 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 },
		{ 0xffe0, 0xffe6 },
		{ 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff },
		{ 0x20000, 0x2fffd },
		{ 0x30000, 0x3fffd },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zero); i++) {
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	}
	for (i = 0; i < ARRAY_SIZE(wide); i++) {
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	}
	return 1;
}

/*
 * Columns of the character at p (n > 0 bytes left) into *w; returns its
 * length.  With utf8, wcwidth() answers, in that locale (made current by
 * the caller); what it does not know counts 1.
 */
static size_t
char_width(const unsigned char *p, size_t n, bool utf8, size_t *w)
{
	uint32_t cp;
	size_t len = render_utf8(p, n, &cp);
	int cw;

	if (len == 0) {
		*w = 1;
		return 1;
	}
	if (utf8) {
		cw = wcwidth((wchar_t)cp);
		*w = cw < 0 ? 1 : (size_t)cw;
	} else {
		*w = fallback_width(cp);
	}
	return len;
}

/*
 * The longest start of s within width columns (SIZE_MAX: all of it):
 * its length in bytes, and its width in *cols.
 */
static size_t
measure_cut(const char *s, size_t width, size_t *cols)
{
	const unsigned char *p = (const unsigned char *)s;
	locale_t loc = utf8_locale(), old = (locale_t)0;
	size_t n = strlen(s), at = 0, len, w, total = 0;

	if (loc != (locale_t)0)
		old = uselocale(loc);
	while (at < n) {
		len = char_width(p + at, n - at, loc != (locale_t)0, &w);
		if (total + w > width)
			break;
		total += w;
		at += len;
	}
	if (loc != (locale_t)0)
		uselocale(old);
	*cols = total;
	return at;
}

size_t
render_width(const char *s)
{
	size_t cols;

	measure_cut(s, SIZE_MAX, &cols);
	return cols;
}

size_t
render_cut(const char *s, size_t width)
{
	size_t cols;

	return measure_cut(s, width, &cols);
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
	v = int_of(t, 0, "runs_interrupted");
	if (v > 0)
		add_headline(d, HEADLINE_WARN,
		    "%" PRId64 " capture run%s interrupted (crashed or "
		    "killed): no end was recorded and a later run of the "
		    "same source started. %s packet and drop counts are "
		    "lost, and what crossed the network until the next run "
		    "was not watched.",
		    v, v == 1 ? " was" : "s were", v == 1 ? "Its" : "Their");
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
