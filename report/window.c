/*
 * window.c - parsing and resolving the report's time window.
 *
 * ISO 8601 (the calendar date and time forms of RFC 3339 section 5.6,
 * always UTC) is what the database stores and what people type; durations
 * are the short forms people use for "the last day" ("24h", "7d").
 */
#include "report/window.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define USEC_PER_MINUTE (60 * WINDOW_USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)

/* Durations are capped at a century: beyond it they mean a typing slip. */
#define DURATION_MAX (36525 * USEC_PER_DAY)

/* Reads exactly n decimal digits at *p into *out, advancing *p. */
static bool
digits(const char **p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Reads ".ffffff" (1 to 9 digits, the first 6 kept) into *usec. */
static bool
fraction(const char **p, int64_t *usec)
{
	int n = 0;
	int64_t v = 0;

	if (**p != '.')
		return true;
	(*p)++;
	while (**p >= '0' && **p <= '9') {
		if (n < 6)
			v = v * 10 + (**p - '0');
		n++;
		(*p)++;
	}
	if (n == 0 || n > 9)
		return false;
	for (; n < 6; n++)
		v *= 10;
	*usec = v;
	return true;
}

/* Reads the time of day after the date: "THH:MM[:SS[.f]]". */
static bool
time_of_day(const char **p, struct tm *tm, int64_t *usec)
{
	if (**p != 'T' && **p != ' ')
		return true;
	(*p)++;
	if (!digits(p, 2, &tm->tm_hour) || *(*p)++ != ':' ||
	    !digits(p, 2, &tm->tm_min))
		return false;
	if (**p != ':')
		return true;
	(*p)++;
	return digits(p, 2, &tm->tm_sec) && fraction(p, usec);
}

int
window_parse_time(const char *s, int64_t *usec)
{
	struct tm tm, back;
	int64_t frac = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!digits(&s, 4, &tm.tm_year) || *s++ != '-' ||
	    !digits(&s, 2, &tm.tm_mon) || *s++ != '-' ||
	    !digits(&s, 2, &tm.tm_mday) || !time_of_day(&s, &tm, &frac))
		return -1;
	if (*s == 'Z')
		s++;
	if (*s != '\0' || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;

	/* timegm() normalises 2026-02-30 to March: such a date is refused. */
	t = timegm(&tm);
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon ||
	    tm.tm_year != back.tm_year)
		return -1;
	*usec = (int64_t)t * WINDOW_USEC_PER_SEC + frac;
	return 0;
}

/* Parses "24h", "7d"...: a positive count and a unit. */
static int
parse_duration(const char *s, int64_t *usec)
{
	static const struct {
		char unit;
		int64_t usec;
	} units[] = {
		{ 's', WINDOW_USEC_PER_SEC },
		{ 'm', USEC_PER_MINUTE },
		{ 'h', USEC_PER_HOUR },
		{ 'd', USEC_PER_DAY },
		{ 'w', 7 * USEC_PER_DAY },
	};
	int64_t n = 0;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > DURATION_MAX / WINDOW_USEC_PER_SEC)
			return -1;
	}
	if (n == 0 || s[0] == '\0' || s[1] != '\0')
		return -1;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (units[i].unit == s[0] &&
		    n <= DURATION_MAX / units[i].usec) {
			*usec = n * units[i].usec;
			return 0;
		}
	}
	return -1;
}

int
window_parse(const char *s, struct window_bound *b)
{
	memset(b, 0, sizeof(*b));
	if (parse_duration(s, &b->usec) == 0) {
		b->relative = true;
	} else if (window_parse_time(s, &b->usec) != 0) {
		return -1;
	}
	b->set = true;
	return 0;
}

/* A bound as a time: relative ones count back from the end of the data. */
static int64_t
bound_time(const struct window_bound *b, int64_t data_end)
{
	return b->relative ? data_end - b->usec : b->usec;
}

int
window_resolve(const struct window_bound *since,
    const struct window_bound *until, int64_t data_end, struct window *w,
    char *err, size_t errsize)
{
	char a[WINDOW_TIME_MAX], b[WINDOW_TIME_MAX];

	memset(w, 0, sizeof(*w));
	w->data_end = data_end;
	w->until = until->set ? bound_time(until, data_end) : data_end;
	if (since->set)
		w->since = bound_time(since, data_end);
	else
		w->since =
		    w->until - WINDOW_DEFAULT_SECONDS * WINDOW_USEC_PER_SEC;
	if (w->since >= w->until) {
		snprintf(err, errsize,
		    "the window is empty: it starts at %s and ends at %s",
		    window_format(w->since, a), window_format(w->until, b));
		return -1;
	}
	w->prev_since = w->since - (w->until - w->since);
	w->hourly = w->until - w->since <= USEC_PER_DAY;
	return 0;
}

char *
window_format(int64_t usec, char *buf)
{
	int64_t sec = usec / WINDOW_USEC_PER_SEC;
	int64_t frac = usec % WINDOW_USEC_PER_SEC;
	time_t t;
	struct tm tm;

	/* Floor division, so that times before 1970 stay well formed. */
	if (frac < 0) {
		frac += WINDOW_USEC_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999) {
		snprintf(buf, WINDOW_TIME_MAX, "invalid");
		return buf;
	}

	/* The moduli bound each field, as the compiler can see. */
	snprintf(buf, WINDOW_TIME_MAX, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ",
	    (unsigned int)(tm.tm_year + 1900) % 10000,
	    (unsigned int)(tm.tm_mon + 1) % 100, (unsigned int)tm.tm_mday % 100,
	    (unsigned int)tm.tm_hour % 100, (unsigned int)tm.tm_min % 100,
	    (unsigned int)tm.tm_sec % 100, (unsigned int)frac % 1000000);
	return buf;
}

char *
window_span(int64_t usec, char *buf, size_t size)
{
	static const struct {
		int64_t usec;
		const char *unit;
	} units[] = {
		{ USEC_PER_DAY, "d" },
		{ USEC_PER_HOUR, "h" },
		{ USEC_PER_MINUTE, "min" },
		{ WINDOW_USEC_PER_SEC, "s" },
	};
	size_t i, len = 0;
	int64_t n, frac;

	/*
	 * The largest unit that reads well: days beyond two ("24 h" reads
	 * better than "1 d", "48 h" than "2 d"), else hours or minutes from
	 * two of them or a whole one ("90 min", "1 h").
	 */
	if (usec > 2 * USEC_PER_DAY)
		i = 0;
	else if (usec >= 2 * USEC_PER_HOUR ||
	    (usec > 0 && usec % USEC_PER_HOUR == 0))
		i = 1;
	else if (usec >= 2 * USEC_PER_MINUTE ||
	    (usec > 0 && usec % USEC_PER_MINUTE == 0))
		i = 2;
	else
		i = 3;

	/* Then each smaller unit that counts: "30 h 34 min 29.5 s". */
	buf[0] = '\0';
	for (; i + 1 < ARRAY_SIZE(units) && len < size; i++) {
		n = usec / units[i].usec;
		usec %= units[i].usec;
		if (n > 0)
			len += (size_t)snprintf(buf + len, size - len,
			    "%s%lld %s", len > 0 ? " " : "", (long long)n,
			    units[i].unit);
	}
	if ((usec > 0 || len == 0) && len < size) {
		n = usec / WINDOW_USEC_PER_SEC;
		frac = usec % WINDOW_USEC_PER_SEC;
		if (frac <= 0) {
			snprintf(buf + len, size - len, "%s%lld s",
			    len > 0 ? " " : "", (long long)n);
		} else {
			/* Microseconds, without their trailing zeros. */
			for (i = 6; frac % 10 == 0; i--)
				frac /= 10;
			snprintf(buf + len, size - len, "%s%lld.%0*lld s",
			    len > 0 ? " " : "", (long long)n, (int)i,
			    (long long)frac);
		}
	}
	return buf;
}
