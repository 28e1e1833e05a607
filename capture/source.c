/*
 * source.c - libpcap, for files (pcap and pcapng) and interfaces.
 */
#include "capture/source.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/decode.h"

/* Large enough for any frame on jumbo-frame links. */
#define LIVE_SNAPLEN 262144
/* stdio buffer for reading capture files. */
#define FILE_BUFFER (1 << 20)
/* Kernel buffer for bursts on a busy span port. */
#define LIVE_BUFFER (64 << 20)
/* How long a read may wait before checking for an interrupt. */
#define LIVE_TIMEOUT_MS 200

struct cap_source {
	pcap_t *pcap;
	char *const *files;
	size_t nfiles;
	size_t next_file;    /* index of the file to open next */
	const char *current; /* name of the open file or interface */
	char *filter;
	bool live;
	int dlt;
	uint64_t packet_no;   /* within the current file */
	uint64_t total_bytes; /* of all files */
	uint64_t done_bytes;  /* of the files already finished */
	uint64_t file_bytes;  /* size of the current file */
	volatile sig_atomic_t interrupted;
};

static int
apply_filter(struct cap_source *src, char *err, size_t errsize)
{
	struct bpf_program prog;

	if (src->filter == NULL)
		return 0;
	if (pcap_compile(
		src->pcap, &prog, src->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errsize, "%s: bad filter '%s': %s", src->current,
		    src->filter, pcap_geterr(src->pcap));
		return -1;
	}
	if (pcap_setfilter(src->pcap, &prog) != 0) {
		snprintf(err, errsize, "%s: cannot apply the filter: %s",
		    src->current, pcap_geterr(src->pcap));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Refuses link types the decoder does not know, naming them. */
static int
check_linktype(struct cap_source *src, char *err, size_t errsize)
{
	const char *name, *desc;

	src->dlt = pcap_datalink(src->pcap);
	if (cap_linktype_supported(src->dlt))
		return 0;
	name = pcap_datalink_val_to_name(src->dlt);
	desc = pcap_datalink_val_to_description(src->dlt);
	snprintf(err, errsize,
	    "%s: unsupported link type %s (%s, DLT %d); plainsight reads "
	    "Ethernet, Linux cooked, raw IP and BSD loopback captures",
	    src->current, name != NULL ? name : "unknown",
	    desc != NULL ? desc : "no description", src->dlt);
	return -1;
}

static void
close_current(struct cap_source *src)
{
	if (src->pcap != NULL) {
		pcap_close(src->pcap);
		src->pcap = NULL;
	}
	if (!src->live) {
		src->done_bytes += src->file_bytes;
		src->file_bytes = 0;
	}
}

/* Opens the next file; -1 with err on failure, 0 when none is left. */
static int
open_next_file(struct cap_source *src, char *err, size_t errsize)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct stat sb;
	FILE *fp;

	if (src->next_file >= src->nfiles)
		return 0;
	src->current = src->files[src->next_file++];
	src->packet_no = 0;
	src->file_bytes =
	    stat(src->current, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	/* Opened here so that reads can be large: fewer system calls. */
	fp = fopen(src->current, "rb");
	if (fp == NULL) {
		snprintf(err, errsize, "%s: %s", src->current, strerror(errno));
		return -1;
	}
	setvbuf(fp, NULL, _IOFBF, FILE_BUFFER);
	ebuf[0] = '\0';
	src->pcap = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (src->pcap == NULL) {
		fclose(fp);
		snprintf(err, errsize, "%s: %s", src->current, ebuf);
		return -1;
	}
	if (check_linktype(src, err, errsize) != 0 ||
	    apply_filter(src, err, errsize) != 0) {
		close_current(src);
		return -1;
	}
	return 1;
}

struct cap_source *
cap_source_files(char *const *files, size_t nfiles, const char *filter,
    char *err, size_t errsize)
{
	struct cap_source *src;
	struct stat sb;
	size_t i;

	src = calloc(1, sizeof(*src));
	if (src == NULL ||
	    (filter != NULL && (src->filter = strdup(filter)) == NULL)) {
		free(src);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	src->files = files;
	src->nfiles = nfiles;
	for (i = 0; i < nfiles; i++) {
		if (stat(files[i], &sb) == 0)
			src->total_bytes += (uint64_t)sb.st_size;
	}
	return src;
}

struct cap_source *
cap_source_live(
    const char *iface, const char *filter, char *err, size_t errsize)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct cap_source *src;
	int rc;

	src = calloc(1, sizeof(*src));
	if (src == NULL ||
	    (filter != NULL && (src->filter = strdup(filter)) == NULL)) {
		free(src);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	src->live = true;
	src->current = iface;
	ebuf[0] = '\0';
	src->pcap = pcap_create(iface, ebuf);
	if (src->pcap == NULL) {
		snprintf(err, errsize, "%s: %s", iface, ebuf);
		goto fail;
	}
	pcap_set_snaplen(src->pcap, LIVE_SNAPLEN);
	pcap_set_promisc(src->pcap, 1);
	pcap_set_timeout(src->pcap, LIVE_TIMEOUT_MS);
	pcap_set_buffer_size(src->pcap, LIVE_BUFFER);
	rc = pcap_activate(src->pcap);
	if (rc < 0) {
		snprintf(err, errsize, "%s: %s", iface,
		    rc == PCAP_ERROR ? pcap_geterr(src->pcap)
				     : pcap_statustostr(rc));
		goto fail;
	}
	if (check_linktype(src, err, errsize) != 0 ||
	    apply_filter(src, err, errsize) != 0)
		goto fail;
	return src;

fail:
	cap_source_free(src);
	return NULL;
}

void
cap_source_free(struct cap_source *src)
{
	if (src == NULL)
		return;
	if (src->pcap != NULL)
		pcap_close(src->pcap);
	free(src->filter);
	free(src);
}

int
cap_source_next(
    struct cap_source *src, struct cap_packet *pkt, char *err, size_t errsize)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	for (;;) {
		if (src->interrupted)
			return 0;
		if (src->pcap == NULL) {
			if (src->live)
				return 0;
			rc = open_next_file(src, err, errsize);
			if (rc <= 0)
				return rc;
		}
		rc = pcap_next_ex(src->pcap, &hdr, &data);
		if (rc == 1) {
			src->packet_no++;
			pkt->ts = hdr->ts;
			pkt->data = data;
			pkt->caplen = hdr->caplen;
			pkt->wirelen = hdr->len;
			pkt->dlt = src->dlt;
			pkt->input =
			    src->live ? 0 : (unsigned int)src->next_file;
			return 1;
		}
		if (rc == 0)
			return src->interrupted ? 0 : CAP_IDLE;
		if (rc == PCAP_ERROR_BREAK) {
			if (src->live)
				return 0;
			close_current(src);
			continue;
		}

		/* A damaged file: say where, and move on to the next one. */
		snprintf(err, errsize, "%s: packet %llu: %s", src->current,
		    (unsigned long long)src->packet_no + 1,
		    pcap_geterr(src->pcap));
		close_current(src);
		return -1;
	}
}

void
cap_source_interrupt(struct cap_source *src)
{
	src->interrupted = 1;
	if (src->pcap != NULL)
		pcap_breakloop(src->pcap);
}

uint64_t
cap_source_dropped(struct cap_source *src)
{
	struct pcap_stat ps;

	if (!src->live || src->pcap == NULL || pcap_stats(src->pcap, &ps) != 0)
		return 0;
	return (uint64_t)ps.ps_drop + ps.ps_ifdrop;
}

double
cap_source_progress(const struct cap_source *src)
{
	uint64_t pos = src->done_bytes;
	FILE *fp;
	long off;

	if (src->total_bytes == 0)
		return 0;
	if (src->pcap != NULL && !src->live &&
	    (fp = pcap_file(src->pcap)) != NULL && (off = ftell(fp)) > 0)
		pos += (uint64_t)off;
	return pos >= src->total_bytes ? 1.0
				       : (double)pos / (double)src->total_bytes;
}

uint64_t
cap_source_total_bytes(const struct cap_source *src)
{
	return src->total_bytes;
}

bool
cap_source_is_live(const struct cap_source *src)
{
	return src->live;
}
