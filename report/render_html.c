/*
 * render_html.c - the report as one self-contained HTML5 page.
 *
 * Nothing is fetched: the style sheet is inline, charts are inline SVG,
 * there is no script, and a Content-Security-Policy forbids loading
 * anything at all, so that a hostile string in the database could not
 * make the page act even if it escaped the escaping.  Tables scroll
 * sideways on a phone; the print style drops navigation and lets tables
 * run to the page's width.
 */
#include <inttypes.h>
#include <string.h>

#include "report/chart.h"
#include "report/render.h"
#include "util.h"

#define CELL_MAX 1024

static const char style[] =
    ":root{--bg:#fff;--fg:#1d2125;--muted:#5f6b76;--line:#d9dee3;"
    "--head:#f4f6f8;--high:#c62828;--medium:#d97f00;--low:#8a96a3;"
    "--good:#2e7d32;--bar:#3f6fb5;--track:#eceff2;--alert:#fdecea;"
    "--warn:#fff4e0}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#15191d;--fg:#e6e9ec;"
    "--muted:#9aa5b1;--line:#333b43;--head:#1e242a;--track:#262d34;"
    "--alert:#3a1d1d;--warn:#3a2e14;--bar:#6c9be0;--high:#ef5350;"
    "--good:#66bb6a}}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0 auto;max-width:72rem;padding:1rem 1.2rem;"
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
    "'Helvetica Neue',Arial,sans-serif;color:var(--fg);"
    "background:var(--bg)}\n"
    "h1{font-size:1.5rem;margin:.2rem 0}\n"
    "h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-bottom:.25rem;"
    "border-bottom:2px solid var(--line)}\n"
    "h3{font-size:1rem;margin:1.2rem 0 .4rem}\n"
    "code{font-size:.9em}\n"
    ".meta{color:var(--muted);margin:.15rem 0}\n"
    "nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.9rem;"
    "margin:.8rem 0}\n"
    "nav a{color:var(--bar)}\n"
    ".headline{padding:.55rem .8rem;border-left:4px solid;"
    "border-radius:4px;margin:.5rem 0}\n"
    ".alert{background:var(--alert);border-color:var(--high)}\n"
    ".warn{background:var(--warn);border-color:var(--medium)}\n"
    ".cards{display:grid;grid-template-columns:"
    "repeat(auto-fill,minmax(11rem,1fr));gap:.6rem}\n"
    ".card{border:1px solid var(--line);border-radius:6px;"
    "padding:.6rem .8rem}\n"
    ".card .value{font-size:1.8rem;font-weight:600;line-height:1.15;"
    "font-variant-numeric:tabular-nums}\n"
    ".card .label{font-size:.85rem}\n"
    ".card .prev{font-size:.8rem;color:var(--muted)}\n"
    ".card.high .value{color:var(--high)}\n"
    ".card.medium .value{color:var(--medium)}\n"
    ".note{color:var(--muted);font-size:.9rem;max-width:52rem}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;"
    "border:1px solid var(--line);border-radius:6px}\n"
    "table{border-collapse:collapse;width:100%;font-size:.875rem}\n"
    "th,td{padding:.35rem .6rem;text-align:left;vertical-align:top;"
    "border-bottom:1px solid var(--line)}\n"
    "th{background:var(--head);font-weight:600;white-space:nowrap}\n"
    "tbody th{background:none;font-weight:normal;white-space:normal}\n"
    "tbody tr:last-child td{border-bottom:none}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    ".nowrap{white-space:nowrap}\n"
    ".wrap{overflow-wrap:anywhere;min-width:10rem}\n"
    ".sev-high,.chg-regression{color:var(--high);font-weight:600}\n"
    ".sev-medium,.chg-new{color:var(--medium);font-weight:600}\n"
    ".sev-low,.sev-info,.chg-silent{color:var(--muted)}\n"
    ".chg-fixed{color:var(--good);font-weight:600}\n"
    "figure.chart{margin:.8rem 0 1rem}\n"
    "figure.chart svg{display:block;width:100%;height:auto;"
    "max-width:48rem}\n"
    "figcaption{font-size:.8rem;color:var(--muted)}\n"
    "svg text{font:12px system-ui,sans-serif;fill:var(--fg)}\n"
    "svg .axis{fill:var(--muted);font-size:11px}\n"
    ".c-high,.c-bad{fill:var(--high)}\n"
    ".c-medium,.c-warn{fill:var(--medium)}\n"
    ".c-low{fill:var(--low)}\n"
    ".c-good{fill:var(--good)}\n"
    ".c-bar{fill:var(--bar)}\n"
    ".c-track{fill:var(--track)}\n"
    ".c-grid{stroke:var(--line);stroke-width:1}\n"
    ".empty,.more{color:var(--muted);font-style:italic}\n"
    "footer{margin-top:2.5rem;padding-top:.5rem;color:var(--muted);"
    "font-size:.8rem;border-top:1px solid var(--line)}\n"
    "@media (max-width:40rem){body{padding:.6rem;font-size:14px}"
    ".card .value{font-size:1.4rem}th,td{padding:.3rem .45rem}}\n"
    "@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;"
    "--head:#eee;--track:#eee;--alert:#fff;--warn:#fff}"
    "body{max-width:none;padding:0;font-size:10pt}nav{display:none}"
    ".scroll{overflow:visible;border:none}table{font-size:8pt}"
    "th,td{padding:2pt 4pt}h2{break-after:avoid}"
    "tr,.card,figure,.headline{break-inside:avoid}"
    "a{color:inherit;text-decoration:none}@page{margin:12mm}}\n";

/* Class of a cell whose value says how bad it is, or NULL. */
static const char *
value_class(const char *column, const char *v)
{
	static const struct {
		const char *column, *value, *class;
	} classes[] = {
		{ "severity", "high", "sev-high" },
		{ "severity", "medium", "sev-medium" },
		{ "severity", "low", "sev-low" },
		{ "severity", "info", "sev-info" },
		{ "change", "regression", "chg-regression" },
		{ "change", "new", "chg-new" },
		{ "change", "fixed", "chg-fixed" },
		{ "change", "silent", "chg-silent" },
		{ "exposure", "cleartext", "sev-high" },
		{ "exposure", "token", "sev-high" },
		{ "exposure", "crackable", "sev-medium" },
		{ "state", "interrupted", "sev-high" },
		{ "state", "incomplete", "sev-medium" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		if (strcmp(classes[i].column, column) == 0 &&
		    strcmp(classes[i].value, v) == 0)
			return classes[i].class;
	}
	return NULL;
}

static const char *
cell_class(const struct table *t, size_t r, size_t c)
{
	const struct column *col = &t->section->columns[c];
	const struct cell *v = table_cell(t, r, c);
	const char *cls;

	if (render_numeric(col))
		return "num";
	if (v->type == CELL_TEXT) {
		cls = value_class(col->name, v->v.s);
		if (cls != NULL)
			return cls;
	}
	if (col->flags & COL_WRAP)
		return "wrap";
	if ((col->flags & COL_TIME) ||
	    (c + 1 < t->ncols && (t->section->columns[c + 1].flags & COL_PORT)))
		return "nowrap";
	return NULL;
}

static void
put_header(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	const struct column *col;
	size_t c;

	fputs("<div class=\"scroll\"><table>\n<thead><tr>", out);
	for (c = 0; c < t->ncols; c++) {
		if (!render_visible(s, c, false))
			continue;
		col = &s->columns[c];
		fprintf(out, "<th scope=\"col\"%s>",
		    render_numeric(col) ? " class=\"num\"" : "");
		render_put_html(out, col->title);
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
}

static void
put_footer(FILE *out)
{
	fputs("</tbody></table></div>\n", out);
}

static void
put_row(FILE *out, const struct table *t, size_t r)
{
	char buf[CELL_MAX];
	const char *cls;
	size_t c;

	fputs("<tr>", out);
	for (c = 0; c < t->ncols; c++) {
		if (!render_visible(t->section, c, false))
			continue;
		cls = cell_class(t, r, c);
		if (cls != NULL)
			fprintf(out, "<td class=\"%s\">", cls);
		else
			fputs("<td>", out);
		render_put_html(out, render_human(t, r, c, buf, sizeof(buf)));
		fputs("</td>", out);
	}
	fputs("</tr>\n", out);
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
			if (r > 0)
				put_footer(out);
			fputs("<h3>", out);
			render_put_html(out,
			    section_group_title(
				s, table_cell(t, r, (size_t)s->group)));
			fputs("</h3>\n", out);
			put_header(out, t);
		}
		put_row(out, t, r);
	}
	put_footer(out);
	if (t->nrows > n)
		fprintf(out,
		    "<p class=\"more\">and %zu more rows: "
		    "<code>plainsight report --format csv --section %s</code>"
		    "</p>\n",
		    t->nrows - n, s->name);
}

/* Card classes of the summary figures that are bad when above zero. */
static const char *
card_class(const char *column, const struct cell *v)
{
	static const char *const high[] = { "high", "accounts_in_clear" };
	static const char *const medium[] = { "medium",
		"servers_without_starttls", "sessions_below_floor" };
	size_t i;

	if (v->type != CELL_INT || v->v.i <= 0)
		return "";
	for (i = 0; i < ARRAY_SIZE(high); i++) {
		if (strcmp(column, high[i]) == 0)
			return " high";
	}
	for (i = 0; i < ARRAY_SIZE(medium); i++) {
		if (strcmp(column, medium[i]) == 0)
			return " medium";
	}
	return "";
}

/* The summary as cards: this window's figure, the previous one below. */
static void
put_cards(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	char now[64], before[64];
	size_t c;

	fputs("<div class=\"cards\">\n", out);
	for (c = 1; c < t->ncols; c++) {
		render_human(t, 0, c, now, sizeof(now));
		if (t->nrows > 1)
			render_human(t, 1, c, before, sizeof(before));
		fprintf(out, "<div class=\"card%s\"><div class=\"value\">",
		    card_class(s->columns[c].name, table_cell(t, 0, c)));
		render_put_html(out, now);
		if ((s->columns[c].flags & COL_PCT) && strcmp(now, "-") != 0)
			fputc('%', out);
		fputs("</div><div class=\"label\">", out);
		render_put_html(out, s->columns[c].title);
		fputs("</div>", out);
		if (t->nrows > 1) {
			fputs("<div class=\"prev\">previous window: ", out);
			render_put_html(out, before);
			fputs("</div>", out);
		}
		fputs("</div>\n", out);
	}
	fputs("</div>\n", out);
}

/* A record section as a table of figures, one column per window. */
static void
put_record(FILE *out, const struct table *t)
{
	const struct section *s = t->section;
	char buf[CELL_MAX];
	size_t c, r;

	fputs("<div class=\"scroll\"><table>\n<thead><tr>"
	      "<th scope=\"col\">figure</th>",
	    out);
	for (r = 0; r < t->nrows; r++) {
		fputs("<th scope=\"col\" class=\"num\">", out);
		render_put_html(out,
		    render_period(render_human(t, r, 0, buf, sizeof(buf))));
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (c = 1; c < t->ncols; c++) {
		fputs("<tr><th scope=\"row\">", out);
		render_put_html(out, s->columns[c].title);
		fputs("</th>", out);
		for (r = 0; r < t->nrows; r++) {
			fputs("<td class=\"num\">", out);
			render_put_html(
			    out, render_human(t, r, c, buf, sizeof(buf)));
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	put_footer(out);
}

/* The chart that goes with a section, if any. */
static void
put_chart(FILE *out, const struct report_doc *d, const struct table *t)
{
	const char *name = t->section->name;

	if (t->nrows == 0)
		return;
	if (strcmp(name, "findings") == 0)
		chart_findings(out, t);
	else if (strcmp(name, "mail_tls_share") == 0)
		chart_tls_share(out, t, d->window.hourly);
	else if (strcmp(name, "tls_versions") == 0)
		chart_tls_versions(out, t);
}

static void
put_section(FILE *out, const struct report_doc *d, const struct table *t)
{
	const struct section *s = t->section;

	fprintf(out, "<section id=\"%s\">\n<h2>", s->name);
	render_put_html(out, s->title);
	fputs("</h2>\n", out);
	if (s->notes != NULL) {
		fputs("<p class=\"note\">", out);
		render_put_html(out, s->notes);
		fputs("</p>\n", out);
	}
	put_chart(out, d, t);
	if (t->nrows == 0) {
		fputs("<p class=\"empty\">", out);
		render_put_html(out, s->empty != NULL ? s->empty : "None.");
		fputs("</p>\n", out);
	} else if (strcmp(s->name, "summary") == 0) {
		put_cards(out, t);
	} else if (s->shape == SECTION_RECORD) {
		put_record(out, t);
	} else {
		put_table(out, t);
	}
	fputs("</section>\n", out);
}

static void
put_head(FILE *out, const struct report_doc *d)
{
	char a[32], b[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n",
	    out);
	fprintf(out, "<title>plainsight report, %s to %s UTC</title>\n",
	    render_minute(d->window.since, a, sizeof(a)),
	    render_minute(d->window.until, b, sizeof(b)));
	fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n", style);
}

static void
put_front(FILE *out, const struct report_doc *d)
{
	const struct window *w = &d->window;
	char a[32], b[32], c[32], span[64];
	size_t i;

	fputs("<header>\n<h1>plainsight report</h1>\n", out);
	fprintf(out,
	    "<p class=\"meta\">Window <strong>%s to %s UTC</strong> (%s), "
	    "compared with %s to %s UTC.</p>\n",
	    render_minute(w->since, a, sizeof(a)),
	    render_minute(w->until, b, sizeof(b)),
	    window_span(w->until - w->since, span, sizeof(span)),
	    render_minute(w->prev_since, c, sizeof(c)), a);
	fputs("<p class=\"meta\">Database <code>", out);
	render_put_html(out, d->database);
	fprintf(out,
	    "</code> (schema %d), generated %.10s %.5s UTC by plainsight "
	    "%s.</p>\n",
	    d->schema_version, d->generated, d->generated + 11,
	    PLAINSIGHT_VERSION);
	if (!d->have_data)
		fputs("<p class=\"headline warn\">The database holds no "
		      "capture yet.</p>\n",
		    out);
	for (i = 0; i < d->nheadlines; i++) {
		fprintf(out, "<p class=\"headline %s\">",
		    d->headlines[i].level == HEADLINE_ALERT ? "alert" : "warn");
		render_put_html(out, d->headlines[i].text);
		fputs("</p>\n", out);
	}
	if (d->more_headlines > 0)
		fprintf(out, "<p class=\"more\">and %zu more.</p>\n",
		    d->more_headlines);
	fputs("<nav>", out);
	for (i = 0; i < d->ntables; i++) {
		fprintf(out, "<a href=\"#%s\">", d->tables[i]->section->name);
		render_put_html(out, d->tables[i]->section->title);
		fputs("</a>", out);
	}
	fputs("</nav>\n</header>\n<main>\n", out);
}

int
render_html(FILE *out, const struct report_doc *d)
{
	size_t i;

	put_head(out, d);
	put_front(out, d);
	for (i = 0; i < d->ntables; i++)
		put_section(out, d, d->tables[i]);
	fputs("</main>\n<footer>Every figure is the result of one SQL query "
	      "over the database: docs/schema.md lists them, and "
	      "<code>plainsight report --format json</code> carries each "
	      "section's query beside its rows.</footer>\n</body>\n</html>\n",
	    out);
	return ferror(out) ? -1 : 0;
}
