/*
 * readloop.c - the baseline for make bench: read every packet of a capture
 * with libpcap and do nothing else, as fast as libpcap allows.
 */
#include <pcap/pcap.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long long packets = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: readloop FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (p == NULL) {
		fprintf(stderr, "readloop: %s\n", err);
		return 1;
	}

	/* Touch one byte per packet so that the loop reads what it gets. */
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		sum += data[0];
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "readloop: %s\n", pcap_geterr(p));
	printf("%llu packets %llu bytes %llu\n", packets, bytes, sum & 1);
	pcap_close(p);
	return rc == PCAP_ERROR;
}
