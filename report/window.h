/*
 * window.h - the time window a report covers, and the one it is compared
 * with.
 *
 * Times are microseconds since the epoch, UTC.  A window is half-open,
 * [since, until): a record captured at until belongs to the next window.
 * Relative bounds count back from the end of the data, not from the wall
 * clock, so that a report on an old capture still shows it.
 */
#ifndef PLAINSIGHT_WINDOW_H
#define PLAINSIGHT_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WINDOW_USEC_PER_SEC INT64_C(1000000)
#define WINDOW_DEFAULT_SECONDS (24 * INT64_C(3600))

/* Room for "2026-01-31T23:59:59.123456Z" and its NUL. */
#define WINDOW_TIME_MAX 32

/* A --since or --until argument. */
struct window_bound {
	bool set;      /* given on the command line */
	bool relative; /* usec is a duration before the end of the data */
	int64_t usec;  /* a time, or a duration when relative */
};

struct window {
	int64_t since;      /* first microsecond in the window */
	int64_t until;      /* first microsecond after it */
	int64_t prev_since; /* the previous window is [prev_since, since) */
	int64_t data_end;   /* end of the data (see window_resolve) */
	bool hourly;        /* a day or less: charts count per hour */
};

/*
 * Parses a bound: "2026-01-31", "2026-01-31T06:00", "2026-01-31 06:00:30",
 * "2026-01-31T06:00:30.5Z" (UTC; a trailing Z is allowed, other offsets
 * are not), or a duration counted back from the end of the data: a
 * positive number followed by s, m, h, d or w ("90m", "24h", "7d").
 * Returns 0, or -1 when s is neither.
 */
int window_parse(const char *s, struct window_bound *b);

/*
 * Parses an ISO time as the database writes it (or as window_parse takes
 * it) into *usec.  Returns 0, or -1 when s is not one.
 */
int window_parse_time(const char *s, int64_t *usec);

/*
 * Resolves the bounds against data_end, the end of the data (exclusive).
 * Without --until the window ends at data_end; without --since it spans
 * the 24 hours before its end.  The previous window has the same length
 * and ends where this one starts.  Returns 0, or -1 with a message in err
 * when the window is empty or reversed.
 */
int window_resolve(const struct window_bound *since,
    const struct window_bound *until, int64_t data_end, struct window *w,
    char *err, size_t errsize);

/* Writes usec as "2026-01-31T23:59:59.123456Z" into buf (WINDOW_TIME_MAX). */
char *window_format(int64_t usec, char *buf);

/*
 * Writes a length of time for people into buf, in the largest unit that
 * reads well (days beyond two days, else hours or minutes from two of
 * them or a whole one) and then each smaller unit that counts: "24 h",
 * "7 d", "90 min", "1 h", "45 s", "30 h 34 min", "3 d 12 h",
 * "8 h 33 min 29.5 s".
 */
char *window_span(int64_t usec, char *buf, size_t size);

#endif
