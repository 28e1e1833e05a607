/*
 * fuzz_capfile.c - libFuzzer target for a capture file read whole: the
 * pcap and pcapng reader, the decoder, flows, reassembly, nDPI's verdict,
 * every analyzer and the database, as `plainsight -r` runs them.
 *
 * The input is the file.  It is handed to the reader through a memory file
 * (memfd), and the sessions go to a database in memory-backed storage that
 * is opened once.  Setting nDPI up costs far more than most inputs take
 * to run, so the build wraps classify_new() and classify_free() to share
 * one classifier for the life of the process (the engine keeps no state of
 * its own in it between flows).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/classify.h"
#include "capture/source.h"
#include "engine.h"
#include "log.h"
#include "storage/store.h"

#define FUZZ_MAX_ERRORS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
struct classifier *__real_classify_new(void);
struct classifier *__wrap_classify_new(void);
void __wrap_classify_free(struct classifier *c);

static struct classifier *shared;

struct classifier *
__wrap_classify_new(void)
{
	if (shared == NULL)
		shared = __real_classify_new();
	return shared;
}

void
__wrap_classify_free(struct classifier *c)
{
	(void)c; /* kept for the next input */
}

static struct store *store;
static int memfd = -1;
static char path[64];
static char db[64];

/* The database goes with the process (libFuzzer's -fork runs many). */
static void
cleanup(void)
{
	char p[80];

	store_close(store);
	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
}

static int
setup(void)
{
	char err[256];

	log_init("fuzz_capfile", LOG_LEVEL_ERROR);
	memfd = memfd_create("fuzz-capture", 0);
	if (memfd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	snprintf(
	    db, sizeof(db), "/dev/shm/plainsight-fuzz-%d.db", (int)getpid());
	unlink(db);
	store = store_open(db, err, sizeof(err));
	if (store == NULL) {
		fprintf(stderr, "fuzz_capfile: %s\n", err);
		return -1;
	}
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_config cfg;
	struct cap_source *src;
	struct cap_packet pkt;
	struct engine *e;
	char *files[1];
	char err[256];
	int rc, errors = 0;

	if (memfd < 0 && setup() != 0)
		abort();
	if (ftruncate(memfd, 0) != 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	files[0] = path;
	src = cap_source_files(files, 1, NULL, err, sizeof(err));
	if (src == NULL)
		return 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.memory_cap = 8u << 20;
	cfg.max_flows = engine_default_flows(cfg.memory_cap);
	cfg.reasm_dir_cap = 64u << 10;
	cfg.checksum = CHECKSUM_AUTO;
	findings_policy_init(&cfg.policy);
	cfg.store = store;
	e = engine_new(&cfg);
	if (e == NULL)
		abort();
	if (store_run_begin(store, "fuzz") != 0)
		abort();
	while ((rc = cap_source_next(src, &pkt, err, sizeof(err))) != 0) {
		if (rc < 0 && ++errors > FUZZ_MAX_ERRORS)
			break;
		if (rc == 1)
			engine_packet(e, pkt.dlt, &pkt.ts, pkt.data, pkt.caplen,
			    pkt.wirelen);
	}
	engine_finish(e);
	engine_free(e);
	cap_source_free(src);
	(void)store_flush(store);
	return 0;
}
