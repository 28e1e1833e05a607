/*
 * log.h - diagnostics on stderr.
 *
 * Lines read "level module: message key=value ...".  Per-packet conditions
 * are never logged: they are counted and shown at exit.  Nothing logged may
 * contain payload bytes, passwords or tokens.
 */
#ifndef PLAINSIGHT_LOG_H
#define PLAINSIGHT_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_init(const char *progname, enum log_level level);
bool log_enabled(enum log_level level);

void log_error(const char *module, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_error_errno(const char *module, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_warn(const char *module, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_info(const char *module, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_debug_(const char *module, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Debug lines cost one branch when debugging is off. */
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_enabled(LOG_LEVEL_DEBUG))                              \
			log_debug_(__VA_ARGS__);                               \
	} while (0)

#endif
