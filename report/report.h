/*
 * report.h - reading the database back for people and programs.
 *
 * A report covers a window of capture time and compares it with the window
 * of the same length before it.  It is computed as tables first (one per
 * section, see section.h), then rendered in one format.
 */
#ifndef PLAINSIGHT_REPORT_H
#define PLAINSIGHT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "report/window.h"

enum report_format {
	REPORT_TEXT,
	REPORT_MARKDOWN,
	REPORT_HTML,
	REPORT_JSON,
	REPORT_CSV,
};

struct report_options {
	const char *db; /* database path */
	struct window_bound since, until;
	enum report_format format;
	const char *section; /* the one section to show, or NULL for all */
	bool check_new_high; /* compute new_high even if changes is not shown */

	/*
	 * Never write to the database: an older schema is then brought up
	 * to date in a copy in memory.  The command line sets it only for a
	 * file it may not write.
	 */
	bool read_only;
};

/* Parses a format name ("text", "markdown", ...).  Returns 0 or -1. */
int report_format_parse(const char *name, enum report_format *f);

/* The names of the sections, comma-separated, into buf; returns buf. */
char *report_section_names(char *buf, size_t size);

/* True when name is a section of the report. */
bool report_section_known(const char *name);

/*
 * Whether writing the report to path would overwrite the database db or
 * one of the files SQLite keeps beside it (db-wal, db-shm, db-journal,
 * beside db as named and beside the file it resolves to): the same file
 * (device and inode) when both exist, else the same path once symbolic
 * links, "." and ".." are resolved.  Returns 0 when path is another file,
 * or -1 with the reason in err.
 */
int report_output_check(
    const char *db, const char *path, char *err, size_t errsize);

/*
 * Computes the report of o->db and renders it into *text, *len bytes that
 * the caller frees; nothing is returned of a report that fails half-way.
 * A database written by an older plainsight is migrated first (in place,
 * or in memory when o->read_only).  *new_high tells whether the window
 * holds a high finding whose kind, server and port the previous window
 * did not (computed when o->check_new_high or the changes section is
 * shown).  Returns 0, or -1 with a message in err.
 */
int report_build(const struct report_options *o, char **text, size_t *len,
    bool *new_high, char *err, size_t errsize);

#endif
