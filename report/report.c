/*
 * report.c - the report: open the database, settle the window, compute
 * the sections, render them.
 *
 * The database is opened read-only.  One written by an older plainsight
 * is first brought up to date in place, with the same numbered migrations
 * a sensor applies (storage/store.c), so that the report's views and
 * columns exist; where the file may not be written, the report reads an
 * upgraded copy in memory instead and says so once.
 */
#include "report/report.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "report/render.h"
#include "report/section.h"
#include "storage/store.h"
#include "util.h"

/*
 * The end of the data: the minute after the latest capture time in the
 * database (docs/schema.md, "The window").
 */
static const char data_end_sql[] =
    "SELECT strftime('%Y-%m-%dT%H:%M:00.000000Z', max(t), '+1 minute')\n"
    "FROM (SELECT max(first_seen) AS t FROM sessions\n"
    "  UNION ALL SELECT max(seen) FROM credentials\n"
    "  UNION ALL SELECT max(seen) FROM findings\n"
    "  UNION ALL SELECT max(last_packet) FROM runs\n"
    "  UNION ALL SELECT max(last_seen) FROM services)";

static const char *const format_names[] = {
	[REPORT_TEXT] = "text",
	[REPORT_MARKDOWN] = "markdown",
	[REPORT_HTML] = "html",
	[REPORT_JSON] = "json",
	[REPORT_CSV] = "csv",
};

int
report_format_parse(const char *name, enum report_format *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*f = (enum report_format)i;
			return 0;
		}
	}
	return -1;
}

char *
report_section_names(char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < section_count && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? ", " : "", section_list[i].name);
	return buf;
}

bool
report_section_known(const char *name)
{
	return section_find(name) != NULL;
}

/* Symbolic links followed in a row before a path is given up on. */
#define LINKS_MAX 40

/*
 * The absolute path that path names, with every symbolic link, "." and
 * ".." resolved, into out (PATH_MAX bytes), also when the file itself
 * does not exist yet (a dangling link is followed to where it points):
 * its folder must exist.  Returns 0, or -1.
 */
static int
resolve_path(const char *path, char *out)
{
	char cur[PATH_MAX], dir[PATH_MAX], real[PATH_MAX], link[PATH_MAX];
	const char *base, *slash;
	ssize_t n;
	int hops;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return -1;
	for (hops = 0; hops < LINKS_MAX; hops++) {
		if (realpath(cur, out) != NULL)
			return 0;
		slash = strrchr(cur, '/');
		base = slash != NULL ? slash + 1 : cur;
		if (slash == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == cur)
			snprintf(dir, sizeof(dir), "/");
		else
			snprintf(
			    dir, sizeof(dir), "%.*s", (int)(slash - cur), cur);
		if (*base == '\0' || strcmp(base, ".") == 0 ||
		    strcmp(base, "..") == 0)
			return -1;
		n = readlink(cur, link, sizeof(link) - 1);
		if (n >= 0) {
			/* A dangling link: where it points, from its folder. */
			link[n] = '\0';
			if (link[0] == '/')
				snprintf(cur, sizeof(cur), "%s", link);
			else if (snprintf(real, sizeof(real), "%s/%s", dir,
				     link) >= (int)sizeof(real))
				return -1;
			else
				memcpy(cur, real, sizeof(cur));
			continue;
		}
		if (realpath(dir, real) == NULL)
			return -1;
		return snprintf(out, PATH_MAX, "%s/%s",
			   strcmp(real, "/") == 0 ? "" : real, base) >= PATH_MAX
		    ? -1
		    : 0;
	}
	return -1;
}

/* Whether a and b name the same file, existing or not. */
static bool
same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return resolve_path(a, ra) == 0 && resolve_path(b, rb) == 0 &&
	    strcmp(ra, rb) == 0;
}

int
report_output_check(const char *db, const char *path, char *err, size_t errsize)
{
	static const struct {
		const char *suffix, *what;
	} files[] = {
		{ "", "the database" },
		{ "-wal", "the database's write-ahead log" },
		{ "-shm", "the database's shared-memory index" },
		{ "-journal", "the database's rollback journal" },
	};
	char real[PATH_MAX], name[PATH_MAX + 16];
	const char *bases[2] = { db, NULL };
	size_t i, b;

	/* SQLite names its files after the database file links lead to. */
	if (resolve_path(db, real) == 0)
		bases[1] = real;
	for (b = 0; b < ARRAY_SIZE(bases) && bases[b] != NULL; b++) {
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			snprintf(name, sizeof(name), "%s%s", bases[b],
			    files[i].suffix);
			if (!same_file(path, name))
				continue;
			snprintf(err, errsize,
			    "-o %s would overwrite %s (%s): choose another "
			    "file",
			    path, files[i].what, name);
			return -1;
		}
	}
	return 0;
}

/* PRAGMA user_version of db, or -1 when the file cannot be read. */
static int
schema_of(sqlite3 *db)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

/*
 * Opens path read-only.  The sections read the window's pages several
 * times, one query each: a larger page cache, and the file mapped rather
 * than read page by page, keep them at hand.
 */
static int
open_readonly(const char *path, sqlite3 **db, char *err, size_t errsize)
{
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsize, "%s: %s", path,
		    *db != NULL ? sqlite3_errmsg(*db) : "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(*db, 10000);
	sqlite3_exec(*db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	sqlite3_exec(*db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
	return 0;
}

/*
 * Opens path read-only as an immutable file: no locks, no DB-shm.  The
 * path goes into a URI, its bytes other than unreserved ones
 * percent-encoded.
 */
static int
open_immutable(const char *path, sqlite3 **db, char *err, size_t errsize)
{
	sqlite3_str *s;
	const unsigned char *p;
	char *uri;
	int rc;

	s = sqlite3_str_new(NULL);
	sqlite3_str_appendall(s, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("/-._~", *p) != NULL)
			sqlite3_str_appendchar(s, 1, (char)*p);
		else
			sqlite3_str_appendf(s, "%%%02X", *p);
	}
	sqlite3_str_appendall(s, "?immutable=1");
	uri = sqlite3_str_finish(s);
	if (uri == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	rc = sqlite3_open_v2(
	    uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sqlite3_free(uri);
	if (rc != SQLITE_OK) {
		snprintf(err, errsize, "%s: %s", path,
		    *db != NULL ? sqlite3_errmsg(*db) : "cannot open");
		return -1;
	}
	sqlite3_exec(*db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	return 0;
}

/*
 * Whether a database that could not be read may be read as immutable.
 * In WAL mode a reader needs the database's shared-memory file (DB-shm)
 * and creates it when it is missing, which a reader that may not write
 * the folder cannot do.  When no DB-wal exists either, no writer has the
 * database open and everything is in the file itself.
 */
static bool
immutable_fallback(const char *path)
{
	char wal[PATH_MAX];
	int n;

	n = snprintf(wal, sizeof(wal), "%s-wal", path);
	if (n < 0 || (size_t)n >= sizeof(wal))
		return false;
	return access(wal, F_OK) != 0 && errno == ENOENT;
}

/*
 * Replaces *db by a copy of it in memory brought up to the current
 * schema, for a database the report may not write.
 */
static int
upgrade_in_memory(const char *path, sqlite3 **db, char *err, size_t errsize)
{
	sqlite3 *mem = NULL;
	sqlite3_backup *b;
	char msg[256];

	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsize, "%s: out of memory", path);
		goto fail;
	}
	b = sqlite3_backup_init(mem, "main", *db, "main");
	if (b == NULL || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		snprintf(
		    err, errsize, "%s: copying: %s", path, sqlite3_errmsg(mem));
		sqlite3_backup_finish(b);
		goto fail;
	}
	sqlite3_backup_finish(b);
	if (store_migrate(mem, store_schema_version(), msg, sizeof(msg)) != 0) {
		snprintf(err, errsize, "%s: %s", path, msg);
		goto fail;
	}
	sqlite3_close(*db);
	*db = mem;
	return 0;

fail:
	sqlite3_close(mem);
	return -1;
}

/* Brings an older database up to date, in place when allowed. */
static int
upgrade(const struct report_options *o, bool immutable, sqlite3 **db, char *err,
    size_t errsize)
{
	char why[256];

	if (!o->read_only && !immutable && access(o->db, W_OK) == 0) {
		sqlite3_close(*db);
		*db = NULL;
		if (store_upgrade(o->db, why, sizeof(why)) == 0)
			return open_readonly(o->db, db, err, errsize);
		log_warn("report",
		    "%s; reading an upgraded copy in memory instead", why);
		if (open_readonly(o->db, db, err, errsize) != 0)
			return -1;
	}
	return upgrade_in_memory(o->db, db, err, errsize);
}

/* Opens the database for reading, at the current schema. */
static int
open_database(
    const struct report_options *o, sqlite3 **db, char *err, size_t errsize)
{
	struct stat sb;
	bool immutable = false;
	char why[256];
	int v;

	if (stat(o->db, &sb) != 0) {
		snprintf(err, errsize, "%s: %s", o->db, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", o->db);
		return -1;
	}
	if (open_readonly(o->db, db, err, errsize) != 0)
		return -1;
	v = schema_of(*db);
	if (v < 0 && immutable_fallback(o->db)) {
		snprintf(why, sizeof(why), "%s", sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		if (open_immutable(o->db, db, err, errsize) != 0)
			return -1;
		immutable = true;
		v = schema_of(*db);
		if (v >= 0)
			log_info("report",
			    "%s: read as an immutable file: no writer has it "
			    "open, and the usual way failed (%s)",
			    o->db, why);
	}
	if (v < 0) {
		snprintf(err, errsize, "%s: cannot read: %s", o->db,
		    sqlite3_errmsg(*db));
		return -1;
	}
	if (v == 0) {
		snprintf(err, errsize, "%s: not a plainsight database", o->db);
		return -1;
	}
	if (v > store_schema_version()) {
		snprintf(err, errsize,
		    "%s: the database has schema version %d, newer than this "
		    "plainsight knows (%d)",
		    o->db, v, store_schema_version());
		return -1;
	}
	if (v < store_schema_version())
		return upgrade(o, immutable, db, err, errsize);
	return 0;
}

/*
 * The end of the data, or the current minute's end when the database
 * holds no capture time yet.
 */
static int
find_data_end(sqlite3 *db, struct report_doc *d, char *err, size_t errsize)
{
	sqlite3_stmt *q;
	const unsigned char *t;
	struct timeval now;

	if (sqlite3_prepare_v2(db, data_end_sql, -1, &q, NULL) != SQLITE_OK) {
		snprintf(
		    err, errsize, "%s: %s", d->database, sqlite3_errmsg(db));
		return -1;
	}
	d->have_data = false;
	if (sqlite3_step(q) == SQLITE_ROW) {
		t = sqlite3_column_text(q, 0);
		d->have_data = t != NULL &&
		    window_parse_time((const char *)t, &d->window.data_end) ==
			0;
	}
	sqlite3_finalize(q);
	if (!d->have_data) {
		gettimeofday(&now, NULL);
		d->window.data_end =
		    ((int64_t)now.tv_sec / 60 + 1) * 60 * WINDOW_USEC_PER_SEC;
	}
	return 0;
}

static void
free_tables(struct report_doc *d)
{
	size_t i;

	for (i = 0; i < d->ntables; i++)
		table_free(d->tables[i]);
	free(d->tables);
	d->tables = NULL;
	d->ntables = 0;
}

/* Whether the changes table holds a new high finding. */
static bool
has_new_high(const struct table *t)
{
	int change = table_column(t, "change");
	int severity = table_column(t, "severity");
	const struct cell *a, *b;
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		a = table_cell(t, r, (size_t)change);
		b = table_cell(t, r, (size_t)severity);
		if (a->type == CELL_TEXT && b->type == CELL_TEXT &&
		    strcmp(a->v.s, "new") == 0 && strcmp(b->v.s, "high") == 0)
			return true;
	}
	return false;
}

/*
 * Computes the sections to show into d, and tells whether the window has
 * new high findings when asked or when changes is among them.
 */
static int
compute(sqlite3 *db, const struct report_options *o, struct report_doc *d,
    bool *new_high, char *err, size_t errsize)
{
	const struct section *changes = section_find("changes");
	struct table *t = NULL;
	size_t i;

	*new_high = false;
	d->tables = calloc(section_count, sizeof(*d->tables));
	if (d->tables == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (i = 0; i < section_count; i++) {
		if (o->section != NULL &&
		    strcmp(o->section, section_list[i].name) != 0)
			continue;
		if (section_run(db, &section_list[i], &d->window,
			&d->tables[d->ntables], err, errsize) != 0)
			return -1;
		if (&section_list[i] == changes)
			*new_high = has_new_high(d->tables[d->ntables]);
		d->ntables++;
	}
	if (o->check_new_high && o->section != NULL &&
	    strcmp(o->section, changes->name) != 0) {
		if (section_run(db, changes, &d->window, &t, err, errsize) != 0)
			return -1;
		*new_high = has_new_high(t);
		table_free(t);
	}
	return 0;
}

static int
render(FILE *out, enum report_format f, const struct report_doc *d)
{
	switch (f) {
	case REPORT_TEXT:
		return render_text(out, d);
	case REPORT_MARKDOWN:
		return render_markdown(out, d);
	case REPORT_HTML:
		return render_html(out, d);
	case REPORT_JSON:
		return render_json(out, d);
	case REPORT_CSV:
		return render_csv(out, d);
	}
	return -1;
}

/* Renders d into a new buffer. */
static int
render_to_memory(const struct report_options *o, const struct report_doc *d,
    char **text, size_t *len, char *err, size_t errsize)
{
	FILE *mem;
	int rc;

	mem = open_memstream(text, len);
	if (mem == NULL) {
		snprintf(err, errsize, "%s", strerror(errno));
		return -1;
	}
	rc = render(mem, o->format, d);
	if (fclose(mem) != 0 || rc != 0) {
		snprintf(err, errsize, "rendering the report failed");
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

int
report_build(const struct report_options *o, char **text, size_t *len,
    bool *new_high, char *err, size_t errsize)
{
	struct report_doc d;
	struct timeval now;
	sqlite3 *db = NULL;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	*text = NULL;
	*len = 0;
	*new_high = false;
	d.database = o->db;
	gettimeofday(&now, NULL);
	window_format((int64_t)now.tv_sec * WINDOW_USEC_PER_SEC, d.generated);

	if (open_database(o, &db, err, errsize) != 0)
		goto out;
	d.schema_version = schema_of(db);
	if (find_data_end(db, &d, err, errsize) != 0)
		goto out;
	if (window_resolve(&o->since, &o->until, d.window.data_end, &d.window,
		err, errsize) != 0)
		goto out;
	if (compute(db, o, &d, new_high, err, errsize) != 0)
		goto out;
	render_headlines(&d);
	rc = render_to_memory(o, &d, text, len, err, errsize);
out:
	free_tables(&d);
	sqlite3_close(db);
	return rc;
}
