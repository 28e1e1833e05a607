/*
 * log.c - diagnostics on stderr, one line per event.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *log_progname = "plainsight";
static enum log_level log_max = LOG_LEVEL_INFO;

static const char *const log_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void
log_init(const char *progname, enum log_level level)
{
	if (progname != NULL)
		log_progname = progname;
	log_max = level;
}

bool
log_enabled(enum log_level level)
{
	return level <= log_max;
}

static void log_vwrite(enum log_level level, const char *module,
    const char *why, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
log_vwrite(enum log_level level, const char *module, const char *why,
    const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (!log_enabled(level))
		return;

	/* The whole line first, so that it reaches stderr in one write. */
	n = snprintf(line, sizeof(line), "%s: %s %s: ", log_progname,
	    log_names[level], module);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (why != NULL) {
		n = (int)strlen(line);
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", why);
	}
	fprintf(stderr, "%s\n", line);
}

void
log_error(const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, module, NULL, fmt, ap);
	va_end(ap);
}

void
log_error_errno(const char *module, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, module, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warn(const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, module, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, module, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug_(const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, module, NULL, fmt, ap);
	va_end(ap);
}
