/*
 * chart.h - small inline SVG charts for the HTML report.
 *
 * Each chart draws the rows of one section (and nothing else), so that a
 * picture never says more than the table beside it.  Colours come from
 * the page's style sheet through class names (c-high, c-medium, c-low,
 * c-good, c-warn, c-bad, c-track, c-bar), so that they follow the page's
 * light, dark and print styles.
 */
#ifndef PLAINSIGHT_CHART_H
#define PLAINSIGHT_CHART_H

#include <stdbool.h>
#include <stdio.h>

#include "report/table.h"

/*
 * Bars of the share of mail sessions in TLS per period, from the
 * mail_tls_share section; hourly tells how periods are labelled.
 */
void chart_tls_share(FILE *out, const struct table *t, bool hourly);

/* Sessions per TLS version, from the tls_versions section. */
void chart_tls_versions(FILE *out, const struct table *t);

/*
 * Findings per recommendation, stacked by severity: the sums of the
 * findings section's counts.
 */
void chart_findings(FILE *out, const struct table *t);

#endif
