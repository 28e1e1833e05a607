/*
 * table.h - what a report section computes: rows of typed cells.
 *
 * Sections compute tables with SQL; renderers only present them.  A cell
 * is an integer, a real, a text or NULL; a column declares the type its
 * cells have when they are not NULL, so that every format writes the same
 * value the same way.
 */
#ifndef PLAINSIGHT_TABLE_H
#define PLAINSIGHT_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum cell_type {
	CELL_NULL,
	CELL_INT,
	CELL_REAL,
	CELL_TEXT,
};

/* How people read a column; machine formats ignore these but COL_TIME. */
#define COL_TIME 0x01   /* ISO time text, shown to the minute */
#define COL_PCT 0x02    /* a percentage, 0 to 100 */
#define COL_PORT 0x04   /* a port, shown after the address before it */
#define COL_NOTEXT 0x08 /* left out of the narrow text format */
#define COL_WRAP 0x10   /* long text that may break anywhere (lists) */

struct column {
	const char *name;    /* JSON key and CSV header: lower_snake_case */
	const char *title;   /* for people */
	enum cell_type type; /* the type of its cells when not NULL */
	unsigned int flags;  /* COL_* */
};

struct cell {
	enum cell_type type;
	union {
		int64_t i;
		double r;
		char *s; /* owned, NUL-terminated, as the database holds it */
	} v;
};

struct section;

struct table {
	const struct section *section; /* what the rows mean */
	size_t ncols;
	size_t nrows;
	size_t cap;         /* rows allocated */
	struct cell *cells; /* nrows rows of ncols cells */
};

struct sqlite3_stmt;

/* Returns an empty table of ncols columns for section, or NULL. */
struct table *table_new(const struct section *section, size_t ncols);

/* Frees t and every cell; t may be NULL. */
void table_free(struct table *t);

/*
 * Steps q to its end and appends each row, converting column i to
 * cols[i].type (an integer column takes integers, a real column any
 * number, a text column anything as text).  Returns 0, or -1 when the
 * query fails (SQLite's message is on its connection) or memory runs out.
 */
int table_fill(
    struct table *t, struct sqlite3_stmt *q, const struct column *cols);

/* The cell at row r, column c; both must be in range. */
const struct cell *table_cell(const struct table *t, size_t r, size_t c);

/* Column index of name in t's section, or -1. */
int table_column(const struct table *t, const char *name);

#endif
