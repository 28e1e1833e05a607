/*
 * report.h - reading the database back for people.
 */
#ifndef PLAINSIGHT_REPORT_H
#define PLAINSIGHT_REPORT_H

#include <stdio.h>

/*
 * Prints a text report of the database at path to out.  Returns 0, or -1
 * with a message in err (the database cannot be opened or read).
 */
int report_text(const char *path, FILE *out, char *err, size_t errsize);

#endif
