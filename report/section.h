/*
 * section.h - the report's sections: what each shows and the SQL that
 * computes it.
 *
 * Each section is one query over the public schema with the parameters
 * :since, :until (this window), :prev_since (the previous window is
 * [:prev_since, :since)), :bucket and :step (a strftime() format and a
 * date modifier: per hour for a window of a day or less, else per day).
 * docs/schema.md lists every query, so that any figure of the report can
 * be reproduced with the sqlite3 shell.
 */
#ifndef PLAINSIGHT_SECTION_H
#define PLAINSIGHT_SECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "report/table.h"
#include "report/window.h"

enum section_shape {
	SECTION_TABLE,  /* rows of things */
	SECTION_RECORD, /* figures, one row per window: shown transposed */
};

struct section {
	const char *name;  /* for --section, JSON and CSV */
	const char *title; /* for people */
	const char *notes; /* how to read it, or NULL */
	const char *empty; /* what to say when there is no row */
	enum section_shape shape;
	const struct column *columns;
	size_t ncolumns;
	int group; /* rows are grouped by this column, or -1 */
	const char *sql;
};

/* The sections in the order people read them. */
extern const struct section section_list[];
extern const size_t section_count;

/* The section called name, or NULL. */
const struct section *section_find(const char *name);

/* The heading of a group of rows whose group column holds c. */
const char *section_group_title(const struct section *s, const struct cell *c);

struct sqlite3;

/*
 * Runs section s over window w and returns its table in *out (owned by the
 * caller).  Returns 0, or -1 with a message in err.
 */
int section_run(struct sqlite3 *db, const struct section *s,
    const struct window *w, struct table **out, char *err, size_t errsize);

#endif
