/*
 * source.h - where packets come from: capture files read in order as one
 * stream, or a live interface.
 */
#ifndef PLAINSIGHT_SOURCE_H
#define PLAINSIGHT_SOURCE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cap_source;

/* One packet handed out by cap_source_next(); valid until the next call. */
struct cap_packet {
	struct timeval ts;
	const uint8_t *data;
	size_t caplen;
	size_t wirelen;
	int dlt;            /* link type of the packet's file or interface */
	unsigned int input; /* which file it is from: 1, 2, ... (0: live) */
};

/*
 * Prepares to read the files in order, each with the optional BPF filter.
 * Files are opened one at a time as reading reaches them.  Returns NULL
 * with a message in err when out of memory.
 */
struct cap_source *cap_source_files(char *const *files, size_t nfiles,
    const char *filter, char *err, size_t errsize);

/*
 * Opens a live interface in promiscuous mode with the optional filter.
 * Returns NULL with a message in err on failure (no such interface, no
 * permission, a filter that does not compile).
 */
struct cap_source *cap_source_live(
    const char *iface, const char *filter, char *err, size_t errsize);

/* Closes what is open and frees src; src may be NULL. */
void cap_source_free(struct cap_source *src);

/*
 * Reads the next packet.  Returns 1 with a packet, 0 at the end of the
 * input (or when interrupted), -1 on an error with a message in err that
 * names the file and the packet number, CAP_IDLE when an interface had
 * nothing for a while (so that the caller can keep time).  Reading may go
 * on after an error in one file: the next call moves on to the next file.
 */
#define CAP_IDLE 2
int cap_source_next(
    struct cap_source *src, struct cap_packet *pkt, char *err, size_t errsize);

/* Makes a blocking cap_source_next() return 0; safe in a signal handler. */
void cap_source_interrupt(struct cap_source *src);

/* Packets dropped by the kernel or the interface (live capture). */
uint64_t cap_source_dropped(struct cap_source *src);

/* Fraction of the files' bytes read so far, 0 to 1 (files only). */
double cap_source_progress(const struct cap_source *src);

/* Total size of the files in bytes (0 for an interface). */
uint64_t cap_source_total_bytes(const struct cap_source *src);

/* True for a live interface. */
bool cap_source_is_live(const struct cap_source *src);

#endif
