/*
 * chart.c - inline SVG 1.1 charts: bars, labels and a <title> per mark so
 * that each bar tells its own figures on hover and to screen readers.
 *
 * Drawings use a fixed coordinate system (viewBox) and scale to the width
 * of the page, so the same chart fits a phone, a desktop and paper.
 */
#include "report/chart.h"

#include <inttypes.h>
#include <string.h>

#include "report/render.h"
#include "util.h"

#define WIDTH 720.0
#define BAR_HEIGHT 22.0
#define ROW_HEIGHT 30.0

/* Periods drawn at most; a longer window shows its last ones. */
#define SHARE_BARS_MAX 120

/* An integer or real cell as a number, 0 when NULL. */
static double
number(const struct table *t, size_t r, const char *name)
{
	int c = table_column(t, name);
	const struct cell *v;

	if (c < 0)
		return 0;
	v = table_cell(t, r, (size_t)c);
	if (v->type == CELL_INT)
		return (double)v->v.i;
	if (v->type == CELL_REAL)
		return v->v.r;
	return 0;
}

static const char *
text(const struct table *t, size_t r, const char *name)
{
	int c = table_column(t, name);
	const struct cell *v;

	if (c < 0)
		return "";
	v = table_cell(t, r, (size_t)c);
	return v->type == CELL_TEXT ? v->v.s : "";
}

static void
open_svg(FILE *out, const char *id, double height, const char *title)
{
	fprintf(out,
	    "<figure class=\"chart\">\n"
	    "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-labelledby=\"%s-t\" xmlns=\"http://www.w3.org/2000/svg\">\n"
	    "<title id=\"%s-t\">",
	    WIDTH, height, id, id);
	render_put_html(out, title);
	fputs("</title>\n", out);
}

static void
close_svg(FILE *out, const char *caption)
{
	fputs("</svg>\n<figcaption>", out);
	render_put_html(out, caption);
	fputs("</figcaption>\n</figure>\n", out);
}

/* The label under a period's bar: the hour, or the month and day. */
static void
period_label(const char *period, bool hourly, char *buf, size_t size)
{
	char safe[64];

	render_safe(period, safe, sizeof(safe));
	if (hourly && strlen(safe) >= 16)
		snprintf(buf, size, "%.5s", safe + 11);
	else if (strlen(safe) >= 10)
		snprintf(buf, size, "%.5s", safe + 5);
	else
		snprintf(buf, size, "%s", safe);
}

/* The y axis of a percentage: lines at 0, 25, 50, 75 and 100%. */
static void
percent_axis(FILE *out, double left, double top, double h)
{
	int p;
	double y;

	for (p = 0; p <= 100; p += 25) {
		y = top + h - h * p / 100.0;
		fprintf(out,
		    "<line class=\"c-grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>"
		    "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">%d%%</text>\n",
		    left, y, WIDTH - 8, y, left - 6, y + 4, p);
	}
}

/* One period's bar, with its figures in its <title>. */
static void
share_bar(FILE *out, const struct table *t, size_t r, double x, double w,
    double top, double h)
{
	double pct = number(t, r, "tls_pct");
	double bar = h * pct / 100.0;

	fputs("<g><title>", out);
	render_put_html(out, text(t, r, "period"));
	if (number(t, r, "sessions") > 0)
		fprintf(out,
		    ": %.0f of %.0f mail sessions in TLS (%.1f%%)</title>",
		    number(t, r, "tls_sessions"), number(t, r, "sessions"),
		    pct);
	else
		fputs(": no mail session</title>", out);
	fprintf(out,
	    "<rect class=\"c-track\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\"/>",
	    x, top, w, h);
	fprintf(out,
	    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\"/></g>\n",
	    pct >= 99.95    ? "c-good"
		: pct >= 50 ? "c-bar"
			    : "c-warn",
	    x, top + h - bar, w, bar);
}

void
chart_tls_share(FILE *out, const struct table *t, bool hourly)
{
	const double left = 44, top = 16, h = 170, height = 240;
	size_t first = 0, n = t->nrows, r, step;
	double slot, w, x;
	char label[32];

	if (n == 0)
		return;
	if (n > SHARE_BARS_MAX) {
		first = n - SHARE_BARS_MAX;
		n = SHARE_BARS_MAX;
	}
	slot = (WIDTH - left - 8) / (double)n;
	w = MIN(slot * 0.7, 48.0);
	step = (n + 11) / 12;
	open_svg(
	    out, "share", height, "Share of mail sessions in TLS per period");
	percent_axis(out, left, top, h);
	for (r = 0; r < n; r++) {
		x = left + slot * (double)r + (slot - w) / 2;
		share_bar(out, t, first + r, x, w, top, h);
		if (n <= 31 && number(t, first + r, "sessions") > 0)
			fprintf(out,
			    "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\">%.0f%%</text>\n",
			    x + w / 2,
			    top + h -
				h * number(t, first + r, "tls_pct") / 100.0 - 4,
			    number(t, first + r, "tls_pct"));
		if (r % step != 0)
			continue;
		period_label(
		    text(t, first + r, "period"), hourly, label, sizeof(label));
		fprintf(out,
		    "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">%s</text>\n",
		    x + w / 2, top + h + 18, label);
	}
	close_svg(out,
	    hourly ? "Share of mail sessions in TLS, per hour (UTC)."
		   : "Share of mail sessions in TLS, per day (UTC).");
}

/* Colour class of a TLS version: SSL is broken, 1.0 and 1.1 are old. */
static const char *
version_class(const char *v)
{
	if (strncmp(v, "SSL", 3) == 0)
		return "c-bad";
	if (strcmp(v, "TLSv1.0") == 0 || strcmp(v, "TLSv1.1") == 0)
		return "c-warn";
	return "c-good";
}

void
chart_tls_versions(FILE *out, const struct table *t)
{
	const double left = 84, right = 190;
	double max = 0, len, y;
	size_t r;

	if (t->nrows == 0)
		return;
	for (r = 0; r < t->nrows; r++)
		max = MAX(max, number(t, r, "sessions"));
	open_svg(out, "versions", 12 + ROW_HEIGHT * (double)t->nrows,
	    "TLS sessions per negotiated version");
	for (r = 0; r < t->nrows; r++) {
		y = 6 + ROW_HEIGHT * (double)r;
		len = max > 0
		    ? (WIDTH - left - right) * number(t, r, "sessions") / max
		    : 0;
		fputs("<g><title>", out);
		render_put_html(out, text(t, r, "tls_version"));
		fprintf(out,
		    ": %.0f sessions</title>"
		    "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">",
		    number(t, r, "sessions"), left - 8, y + 16);
		render_put_html(out, text(t, r, "tls_version"));
		fprintf(out,
		    "</text><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"/>",
		    version_class(text(t, r, "tls_version")), left, y,
		    MAX(len, 1.0), BAR_HEIGHT);
		fprintf(out,
		    "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">%.0f "
		    "(%.1f%%)</text></g>\n",
		    left + MAX(len, 1.0) + 8, y + 16, number(t, r, "sessions"),
		    number(t, r, "share_pct"));
	}
	close_svg(
	    out, "Negotiated TLS versions: red SSL, amber TLS 1.0 and 1.1.");
}

/* Findings of recommendation rec and severity sev, summed over rows. */
static double
findings_of(const struct table *t, int64_t rec, const char *sev)
{
	double sum = 0;
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		if ((int64_t)number(t, r, "recommendation") == rec &&
		    strcmp(text(t, r, "severity"), sev) == 0)
			sum += number(t, r, "findings");
	}
	return sum;
}

void
chart_findings(FILE *out, const struct table *t)
{
	static const char *const names[] = { "", "1 TLS between servers",
		"2 inside the network", "3 passwords in clear" };
	static const char *const sevs[] = { "high", "medium", "low" };
	const double left = 170, right = 190;
	double v[4][3], max = 0, x, y, w;
	int rec, s;

	for (rec = 1; rec <= 3; rec++) {
		for (s = 0; s < 3; s++)
			v[rec][s] = findings_of(t, rec, sevs[s]);
		max = MAX(max, v[rec][0] + v[rec][1] + v[rec][2]);
	}
	open_svg(out, "recs", 12 + ROW_HEIGHT * 3,
	    "Findings per recommendation and severity");
	for (rec = 1; rec <= 3; rec++) {
		y = 6 + ROW_HEIGHT * (rec - 1);
		fprintf(out,
		    "<g><title>Recommendation %d: %.0f high, %.0f medium, "
		    "%.0f low</title>"
		    "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">%s</text>",
		    rec, v[rec][0], v[rec][1], v[rec][2], left - 8, y + 16,
		    names[rec]);
		x = left;
		for (s = 0; s < 3; s++) {
			w = max > 0 ? (WIDTH - left - right) * v[rec][s] / max
				    : 0;
			if (w > 0)
				fprintf(out,
				    "<rect class=\"c-%s\" x=\"%.1f\" "
				    "y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>",
				    sevs[s], x, y, w, BAR_HEIGHT);
			x += w;
		}
		fprintf(out,
		    "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">%.0f high, "
		    "%.0f medium, %.0f low</text></g>\n",
		    x + 8, y + 16, v[rec][0], v[rec][1], v[rec][2]);
	}
	close_svg(out,
	    "Findings per recommendation: red high, amber medium, grey low.");
}
