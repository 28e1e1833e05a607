/*
 * store.h - writing runs, sessions, credentials and findings to SQLite.
 *
 * The schema is a public interface, documented in docs/schema.md.  Writes
 * are batched in transactions; the database is in WAL mode so that readers
 * (the report, the sqlite3 CLI) can look while a sensor writes.  A new
 * database file is created readable by its owner only.
 */
#ifndef PLAINSIGHT_STORE_H
#define PLAINSIGHT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzers/findings.h"
#include "analyzers/session.h"
#include "inventory.h"

/* A counter of a run, stored by name. */
struct store_counter {
	const char *name;
	uint64_t value;
};

/* What a run saw, for the runs row. */
struct run_summary {
	struct timeval first_packet; /* capture time; zero if no packet */
	struct timeval last_packet;
	uint64_t packets;
	uint64_t bytes;     /* on the wire */
	uint64_t dropped;   /* by the kernel or interface */
	uint64_t truncated; /* cut by the snap length */
	uint64_t ip_fragments;
	uint64_t decode_errors;
	uint64_t checksum_errors;
	uint64_t flows;
	uint64_t sessions;
	uint64_t findings;
	uint64_t tcp_gaps;
	bool complete;     /* every input was read to its end */
	const char *error; /* why not, or NULL */
	const struct store_counter *counters; /* everything else */
	size_t ncounters;
};

struct store;

/*
 * Opens (creating if needed) the database at path and brings its schema up
 * to date.  On failure returns NULL with a message in err.
 */
struct store *store_open(const char *path, char *err, size_t errsize);

/* Commits what is pending and closes; st may be NULL. */
void store_close(struct store *st);

/* Starts a run reading from source (files or an interface). */
int store_run_begin(struct store *st, const char *source);

/*
 * Stores a finished session with its credentials and findings, within the
 * current batch.  end is why the session ended ("closed", "timeout", ...).
 */
int store_session(struct store *st, const struct session *s, const char *end,
    const struct finding *f, size_t nf);

/*
 * Adds what a service counted since the last flush to its row (creating
 * it), within the current batch.
 */
int store_service(struct store *st, const struct service *sv);

/* Stores a finding about a service rather than one session. */
int store_service_finding(
    struct store *st, const struct service *sv, const struct finding *f);

/* Completes the run's row and commits. */
int store_run_end(struct store *st, const struct run_summary *sum);

/* Commits the current batch so that readers see it. */
int store_flush(struct store *st);

/* The last error message. */
const char *store_error(const struct store *st);

struct sqlite3;

/* The schema version this plainsight writes: how many migrations it has. */
int store_schema_version(void);

/*
 * Brings the open database db up to schema version target (at most
 * store_schema_version()), one numbered migration per transaction; a
 * database already there is left alone.  Refuses a database that holds
 * tables of its own, or a schema newer than this plainsight.  Returns 0,
 * or -1 with a message in err.  Tests pass a lower target to build the
 * databases that older versions of plainsight wrote.
 */
int store_migrate(struct sqlite3 *db, int target, char *err, size_t errsize);

/*
 * Opens the existing database at path (never creating one), brings its
 * schema up to date and closes it: what the report does before reading a
 * database that an older plainsight wrote.  Returns 0, or -1 with a
 * message in err.
 */
int store_upgrade(const char *path, char *err, size_t errsize);

/*
 * Sessions that could not be stored: a failed write rolls back its whole
 * batch (the database stays consistent) and counts it here.
 */
uint64_t store_lost(const struct store *st);

#endif
