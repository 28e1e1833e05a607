/*
 * table.c - typed rows read from SQLite statements.
 */
#include "report/table.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/section.h"

struct table *
table_new(const struct section *section, size_t ncols)
{
	struct table *t;

	assert(ncols > 0);
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->section = section;
	t->ncols = ncols;
	return t;
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++) {
		if (t->cells[i].type == CELL_TEXT)
			free(t->cells[i].v.s);
	}
	free(t->cells);
	free(t);
}

/* Makes room for one more row. */
static int
grow(struct table *t)
{
	struct cell *cells;
	size_t cap;

	if (t->nrows < t->cap)
		return 0;
	cap = t->cap == 0 ? 16 : t->cap * 2;
	cells = reallocarray(t->cells, cap * t->ncols, sizeof(*cells));
	if (cells == NULL)
		return -1;
	t->cells = cells;
	t->cap = cap;
	return 0;
}

/* Reads column col of q's current row as type into c. */
static int
read_cell(struct cell *c, sqlite3_stmt *q, int col, enum cell_type type)
{
	const unsigned char *s;

	memset(c, 0, sizeof(*c));
	if (sqlite3_column_type(q, col) == SQLITE_NULL)
		return 0;
	c->type = type;
	switch (type) {
	case CELL_INT:
		c->v.i = sqlite3_column_int64(q, col);
		break;
	case CELL_REAL:
		c->v.r = sqlite3_column_double(q, col);
		break;
	case CELL_TEXT:
		s = sqlite3_column_text(q, col);
		c->v.s = strdup(s != NULL ? (const char *)s : "");
		if (c->v.s == NULL) {
			c->type = CELL_NULL;
			return -1;
		}
		break;
	case CELL_NULL:
		c->type = CELL_NULL;
		break;
	}
	return 0;
}

int
table_fill(struct table *t, sqlite3_stmt *q, const struct column *cols)
{
	struct cell *row;
	size_t i;
	int rc;

	assert((size_t)sqlite3_column_count(q) == t->ncols);
	for (;;) {
		rc = sqlite3_step(q);
		if (rc != SQLITE_ROW)
			break;
		if (grow(t) != 0)
			return -1;

		/* The row counts once its cells are set, even half-read. */
		row = &t->cells[t->nrows * t->ncols];
		memset(row, 0, t->ncols * sizeof(*row));
		t->nrows++;
		for (i = 0; i < t->ncols; i++) {
			if (read_cell(&row[i], q, (int)i, cols[i].type) != 0)
				return -1;
		}
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

const struct cell *
table_cell(const struct table *t, size_t r, size_t c)
{
	assert(r < t->nrows && c < t->ncols);
	return &t->cells[r * t->ncols + c];
}

int
table_column(const struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		if (strcmp(t->section->columns[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}
