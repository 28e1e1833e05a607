/*
 * plainsight.c - the command line: capture and report.
 *
 *   plainsight capture -r FILE [-r FILE ...] [-d DB] [-f FILTER]
 *   plainsight capture -i IFACE [-d DB] [-f FILTER] [-u USER]
 *   plainsight report [-d DB] [--since T] [--until T] [--format F]
 *                     [--section NAME] [-o FILE] [--exit-on-new-high]
 *
 * Exit status: 0 on success, 1 on a runtime error, 2 on a usage error, 3
 * when report --exit-on-new-high finds new high findings.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "capture/source.h"
#include "engine.h"
#include "log.h"
#include "netset.h"
#include "report/report.h"
#include "storage/store.h"
#include "util.h"

#define DEFAULT_DB "plainsight.db"
#define DEFAULT_MAX_MEMORY (256u << 20)
#define REASM_DIR_CAP (256u << 10)
#define MAX_FILES 1024
/* Live capture commits at least this often, in seconds. */
#define LIVE_COMMIT_INTERVAL 2

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
/* report --exit-on-new-high: the window has new high findings. */
#define EXIT_NEW_HIGH 3

static const char usage_text[] =
    "usage: plainsight capture -r FILE [-r FILE ...] [options]\n"
    "       plainsight capture -i IFACE [options]\n"
    "       plainsight report [-d DB] [options]\n"
    "       plainsight --help | --version\n"
    "\n"
    "capture options:\n"
    "  -r, --read FILE        read a pcap or pcapng file (repeatable; in "
    "order)\n"
    "  -i, --interface IFACE  listen on an interface until SIGINT/SIGTERM\n"
    "  -f, --filter EXPR      BPF filter, for files and interfaces\n"
    "  -d, --db DB            database file (default plainsight.db)\n"
    "  -u, --user USER        user to run as after opening the interface\n"
    "                         (default nobody when started as root)\n"
    "      --checksum MODE    auto (default), on or off\n"
    "      --tls-min VERSION  lowest acceptable TLS version (default "
    "TLSv1.2)\n"
    "      --internal NETS    internal networks: CIDRs separated by commas,\n"
    "                         @FILE listing them, or none (repeatable;\n"
    "                         default RFC 1918, RFC 6598, loopback,\n"
    "                         link-local, ULA)\n"
    "      --max-flows N      flows tracked at once (default: what a third\n"
    "                         of --max-memory holds)\n"
    "      --max-memory MB    memory for flows and their analysis (default "
    "256)\n"
    "  -q, --quiet            no progress and no summary line\n"
    "  -v, --verbose          more diagnostics (twice: debug)\n"
    "\n"
    "report options:\n"
    "  -d, --db DB            database file (default plainsight.db)\n"
    "      --since T          start of the window: a date and time in UTC\n"
    "                         (2026-01-31, 2026-01-31T06:00Z) or a duration\n"
    "                         before the end of the data (30m, 24h, 7d)\n"
    "      --until T          end of the window, in the same forms\n"
    "                         (default: the end of the data; the window\n"
    "                         spans 24 hours unless --since says)\n"
    "      --format F         text (default), markdown, html, json or csv\n"
    "      --section NAME     only this section (needed for csv): summary,\n"
    "                         changes, findings, servers, mail_tls_share,\n"
    "                         accounts, tls_versions, tls_servers,\n"
    "                         tls_clients_below_floor, cleartext_inside,\n"
    "                         health, runs\n"
    "  -o, --output FILE      write there (created mode 0600), not stdout\n"
    "      --exit-on-new-high exit 3 when a high finding's kind, server and\n"
    "                         port were not in the previous window\n"
    "\n"
    "exit status: 0 success, 1 runtime error, 2 usage error, 3 new high\n"
    "findings (report --exit-on-new-high)\n";

static volatile sig_atomic_t stop_requested;
static struct cap_source *running_source;

struct capture_opts {
	char *files[MAX_FILES];
	size_t nfiles;
	const char *iface;
	const char *filter;
	const char *db;
	const char *user;
	enum checksum_mode checksum;
	struct findings_policy policy;
	struct netset internal;
	bool internal_given;
	size_t max_flows;
	size_t max_memory;
	bool quiet;
	int verbose;
};

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "plainsight: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see plainsight --help)\n");
	exit(EXIT_USAGE);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (running_source != NULL)
		cap_source_interrupt(running_source);
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
parse_size(const char *arg, const char *what, size_t min, size_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		usage_error("%s must be a number from %zu to %zu, not '%s'",
		    what, min, max, arg);
	return (size_t)v;
}

/*
 * Gives up root once the interface is open: no supplementary groups, the
 * user's group and user ids, and no way to regain privileges.
 */
static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (user != NULL)
			log_warn("capture", "not root: -u %s ignored", user);
		return 0;
	}
	if (user == NULL)
		user = "nobody";
	pw = getpwnam(user);
	if (pw == NULL) {
		log_error("capture", "no such user '%s' to run as", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_error("capture",
		    "-u %s: will not go on reading hostile traffic as root; "
		    "name an unprivileged user",
		    user);
		return -1;
	}
	if (setgroups(0, NULL) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		log_error_errno("capture", "cannot become user '%s'", user);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		log_warn("capture", "cannot set no_new_privs");
	if (setuid(0) == 0) {
		log_error("capture", "could regain root after dropping it");
		return -1;
	}
	log_info("capture", "running as %s", user);
	return 0;
}

static void
show_progress(
    const struct cap_source *src, const struct engine_stats *st, bool final)
{
	fprintf(stderr, "\rplainsight: %llu packets, %.1f MB",
	    (unsigned long long)st->packets, (double)st->bytes / 1e6);
	if (!cap_source_is_live(src))
		fprintf(stderr, ", %.0f%%", 100.0 * cap_source_progress(src));
	fprintf(stderr, final ? "\n" : "   ");
}

/*
 * getopt_long() returned c for an option it could not take: ':' when the
 * option lacks its value, '?' when it is unknown.
 */
static void
bad_option(int c, char **argv)
{
	if (c == ':')
		usage_error("option '%s' needs a value", argv[optind - 1]);
	usage_error("unknown option '%s'", argv[optind - 1]);
}

/*
 * A filter that does not compile is a usage error: check it before any
 * capture starts (on Ethernet; a capture of another link type compiles it
 * again for its own).
 */
static void
check_filter(const char *filter)
{
	struct bpf_program prog;
	pcap_t *p;

	p = pcap_open_dead(DLT_EN10MB, 65535);
	if (p == NULL)
		return;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "plainsight: bad filter '%s': %s\n", filter,
		    pcap_geterr(p));
		pcap_close(p);
		exit(EXIT_USAGE);
	}
	pcap_freecode(&prog);
	pcap_close(p);
}

/*
 * --internal: networks given inline, or in a file named after '@', or
 * "none".  An inline list with no network in it is more likely an empty
 * shell variable than a wish to see every host as external: it is refused.
 */
static void
add_internal(struct capture_opts *o, const char *arg)
{
	char err[256];
	size_t before = o->internal.n;
	int rc;

	o->internal_given = true;
	if (strcmp(arg, "none") == 0)
		return;
	if (arg[0] == '@')
		rc = netset_add_file(&o->internal, arg + 1, err, sizeof(err));
	else
		rc = netset_add(&o->internal, arg, err, sizeof(err));
	if (rc != 0)
		usage_error("--internal: %s", err);
	if (arg[0] != '@' && o->internal.n == before)
		usage_error("--internal: no network given (--internal none "
			    "for no internal networks)");
}

static void
parse_capture_opts(int argc, char **argv, struct capture_opts *o)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "checksum", required_argument, NULL, 'C' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "max-memory", required_argument, NULL, 'M' },
		{ "tls-min", required_argument, NULL, 'T' },
		{ "internal", required_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->db = DEFAULT_DB;
	o->max_memory = DEFAULT_MAX_MEMORY;
	o->checksum = CHECKSUM_AUTO;
	findings_policy_init(&o->policy);
	while ((c = getopt_long(
		    argc, argv, ":r:i:f:d:u:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->nfiles >= MAX_FILES)
				usage_error("at most %d files", MAX_FILES);
			o->files[o->nfiles++] = optarg;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'd':
			o->db = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "auto") == 0)
				o->checksum = CHECKSUM_AUTO;
			else if (strcmp(optarg, "on") == 0)
				o->checksum = CHECKSUM_ON;
			else if (strcmp(optarg, "off") == 0)
				o->checksum = CHECKSUM_OFF;
			else
				usage_error("--checksum takes auto, on or off");
			break;
		case 'F':
			o->max_flows =
			    parse_size(optarg, "--max-flows", 1024, 100000000);
			break;
		case 'M':
			o->max_memory =
			    parse_size(optarg, "--max-memory", 16, 1 << 20)
			    << 20;
			break;
		case 'N':
			add_internal(o, optarg);
			break;
		case 'T':
			o->policy.tls_min = findings_tls_version(optarg);
			if (o->policy.tls_min == 0)
				usage_error("--tls-min takes SSLv3, TLSv1.0, "
					    "TLSv1.1, TLSv1.2 or TLSv1.3");
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			bad_option(c, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->nfiles == 0 && o->iface == NULL)
		usage_error("capture needs -r FILE or -i IFACE");
	if (o->nfiles > 0 && o->iface != NULL)
		usage_error("capture reads files (-r) or an interface (-i), "
			    "not both");
	if (o->filter != NULL)
		check_filter(o->filter);
	if (o->max_flows == 0)
		o->max_flows = engine_default_flows(o->max_memory);
	if (engine_flow_memory(o->max_flows) > o->max_memory / 2)
		usage_error("--max-flows %zu needs more than half of "
			    "--max-memory (%zu MB)",
		    o->max_flows, o->max_memory >> 20);
	if (!o->internal_given && netset_add_defaults(&o->internal) != 0)
		usage_error("cannot set the default internal networks");
}

/* A description of the input for the runs table. */
static void
describe_source(const struct capture_opts *o, char *buf, size_t size)
{
	size_t i, len = 0;

	if (o->iface != NULL) {
		snprintf(buf, size, "interface %s", o->iface);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < o->nfiles && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? " " : "", o->files[i]);
}

struct capture_run {
	struct capture_opts *o;
	struct cap_source *src;
	struct store *store;
	struct engine *eng;
	char error[512];   /* the last error */
	char errors[1024]; /* all of them, for the runs table */
	bool failed;
};

/* Keeps every error of a run, as far as room allows. */
static void
note_error(struct capture_run *r)
{
	size_t len = strlen(r->errors);

	if (len + 3 >= sizeof(r->errors))
		return;
	snprintf(r->errors + len, sizeof(r->errors) - len, "%s%s",
	    len > 0 ? "; " : "", r->error);
}

static void
read_packets(struct capture_run *r)
{
	struct cap_packet pkt;
	double last_tick = now_seconds(), last_commit = last_tick, now;
	bool progress = !r->o->quiet && isatty(STDERR_FILENO);
	bool live = cap_source_is_live(r->src);
	unsigned int input = 0;
	struct timeval wall;
	int rc;

	for (;;) {
		rc = cap_source_next(r->src, &pkt, r->error, sizeof(r->error));
		if (rc == 0)
			break;
		if (rc == CAP_IDLE) {
			/* A quiet interface: idle flows still time out. */
			gettimeofday(&wall, NULL);
			engine_tick(r->eng, &wall);
		}
		if (rc < 0) {
			if (progress)
				fputc('\n', stderr);
			log_error("capture", "%s", r->error);
			note_error(r);
			r->failed = true;
			continue;
		}
		if (rc == 1) {
			if (pkt.input != input) {
				engine_new_input(r->eng);
				input = pkt.input;
			}
			engine_packet(r->eng, pkt.dlt, &pkt.ts, pkt.data,
			    pkt.caplen, pkt.wirelen);
		}

		/*
		 * Once in a while: progress; and when live, a commit every
		 * LIVE_COMMIT_INTERVAL seconds, busy or quiet, so that what was
		 * found is on disk and readers see it.
		 */
		if ((engine_stats(r->eng)->packets & 0x3ff) != 0 && !live)
			continue;
		now = now_seconds();
		if (live && now - last_commit >= LIVE_COMMIT_INTERVAL) {
			store_flush(r->store);
			last_commit = now;
		}
		if (now - last_tick < 0.5)
			continue;
		if (progress)
			show_progress(r->src, engine_stats(r->eng), false);
		last_tick = now;
	}
	if (progress)
		show_progress(r->src, engine_stats(r->eng), true);
}

/* With -v, every counter of the run, for a look at capture health. */
static void
log_counters(const struct store_counter *c, size_t n)
{
	size_t i;

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	for (i = 0; i < n; i++)
		log_info("capture", "%s=%llu", c[i].name,
		    (unsigned long long)c[i].value);
}

static void
finish_run(struct capture_run *r, double started)
{
	const struct engine_stats *st = engine_stats(r->eng);
	struct store_counter counters[32];
	struct run_summary sum;

	engine_finish(r->eng);
	memset(&sum, 0, sizeof(sum));
	sum.first_packet = st->first;
	sum.last_packet = st->last;
	sum.packets = st->packets;
	sum.bytes = st->bytes;
	sum.dropped = cap_source_dropped(r->src);
	sum.truncated = st->truncated;
	sum.ip_fragments = st->fragments;
	sum.decode_errors = st->malformed;
	sum.checksum_errors = st->checksum_errors;
	sum.flows = st->flows;
	sum.sessions = st->sessions - MIN(st->sessions, store_lost(r->store));
	sum.findings = st->findings;
	sum.tcp_gaps = st->tcp_gaps;
	sum.complete = !r->failed &&
	    !(stop_requested && !cap_source_is_live(r->src)) &&
	    st->store_errors == 0;
	sum.error = r->failed                                 ? r->errors
	    : (stop_requested && !cap_source_is_live(r->src)) ? "interrupted"
							      : NULL;
	sum.counters = counters;
	sum.ncounters = engine_counters(r->eng, counters, ARRAY_SIZE(counters));
	log_counters(counters, sum.ncounters);
	if (store_run_end(r->store, &sum) != 0) {
		log_error("store", "%s", store_error(r->store));
		r->failed = true;
	}
	if (st->store_errors > 0 || store_lost(r->store) > 0) {
		log_error("store",
		    "%llu session%s could not be stored: the database "
		    "refused writes (%s)",
		    (unsigned long long)store_lost(r->store),
		    store_lost(r->store) == 1 ? "" : "s",
		    store_error(r->store));
		r->failed = true;
	}
	if (!r->o->quiet)
		fprintf(stderr,
		    "plainsight: %llu packets, %llu sessions, %llu findings "
		    "in %.1f s\n",
		    (unsigned long long)st->packets,
		    (unsigned long long)sum.sessions,
		    (unsigned long long)st->findings, now_seconds() - started);
}

static int
cmd_capture(int argc, char **argv)
{
	struct capture_opts o;
	struct capture_run r;
	struct engine_config cfg;
	char source[1024];
	double started = now_seconds();
	int status = EXIT_RUNTIME;

	parse_capture_opts(argc, argv, &o);
	log_init("plainsight",
	    o.verbose >= 2       ? LOG_LEVEL_DEBUG
		: o.verbose == 1 ? LOG_LEVEL_INFO
				 : LOG_LEVEL_WARN);
	memset(&r, 0, sizeof(r));
	r.o = &o;

	/* The database first: it may need privileges to create. */
	r.store = store_open(o.db, r.error, sizeof(r.error));
	if (r.store == NULL) {
		log_error("store", "%s", r.error);
		goto out;
	}
	if (o.iface != NULL)
		r.src = cap_source_live(
		    o.iface, o.filter, r.error, sizeof(r.error));
	else
		r.src = cap_source_files(
		    o.files, o.nfiles, o.filter, r.error, sizeof(r.error));
	if (r.src == NULL) {
		log_error("capture", "%s", r.error);
		goto out;
	}
	if (o.iface != NULL && drop_privileges(o.user) != 0)
		goto out;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_flows = o.max_flows;
	cfg.memory_cap = o.max_memory;
	cfg.reasm_dir_cap = REASM_DIR_CAP;
	cfg.checksum = o.checksum;
	cfg.policy = o.policy;
	cfg.internal = &o.internal;
	cfg.store = r.store;
	r.eng = engine_new(&cfg);
	if (r.eng == NULL)
		goto out;
	describe_source(&o, source, sizeof(source));
	if (store_run_begin(r.store, source) != 0) {
		log_error("store", "%s", store_error(r.store));
		goto out;
	}

	running_source = r.src;
	install_signals();
	read_packets(&r);
	finish_run(&r, started);
	running_source = NULL;
	status =
	    r.failed || (stop_requested && o.iface == NULL) ? EXIT_RUNTIME : 0;
	if (stop_requested && o.iface == NULL)
		log_error("capture", "interrupted: the run is incomplete");
out:
	engine_free(r.eng);
	cap_source_free(r.src);
	store_close(r.store);
	netset_cleanup(&o.internal);
	return status;
}

/* What `plainsight report` was asked for. */
struct report_cli {
	struct report_options opts;
	const char *output; /* -o FILE, or NULL for stdout */
	bool exit_on_new_high;
};

static void
parse_bound(const char *arg, const char *name, struct window_bound *b)
{
	if (window_parse(arg, b) != 0)
		usage_error("%s takes a date and time (2026-01-31, "
			    "2026-01-31T06:00Z) or a duration (30m, 24h, 7d), "
			    "not '%s'",
		    name, arg);
}

/* Checks what the options say together. */
static void
check_report_options(const struct report_cli *o)
{
	char names[512];

	if (o->opts.section != NULL && !report_section_known(o->opts.section))
		usage_error("--section takes one of %s, not '%s'",
		    report_section_names(names, sizeof(names)),
		    o->opts.section);
	if (o->opts.format == REPORT_CSV && o->opts.section == NULL)
		usage_error("csv holds one table: choose it with --section "
			    "(%s)",
		    report_section_names(names, sizeof(names)));
}

static void
parse_report_options(int argc, char **argv, struct report_cli *o)
{
	enum { OPT_SINCE = 256, OPT_UNTIL, OPT_FORMAT, OPT_SECTION, OPT_EXIT };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "section", required_argument, NULL, OPT_SECTION },
		{ "exit-on-new-high", no_argument, NULL, OPT_EXIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->opts.db = DEFAULT_DB;
	o->opts.format = REPORT_TEXT;
	while ((c = getopt_long(argc, argv, ":d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->opts.db = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_SINCE:
			parse_bound(optarg, "--since", &o->opts.since);
			break;
		case OPT_UNTIL:
			parse_bound(optarg, "--until", &o->opts.until);
			break;
		case OPT_FORMAT:
			if (report_format_parse(optarg, &o->opts.format) != 0)
				usage_error("--format takes text, markdown, "
					    "html, json or csv, not '%s'",
				    optarg);
			break;
		case OPT_SECTION:
			o->opts.section = optarg;
			break;
		case OPT_EXIT:
			o->exit_on_new_high = true;
			o->opts.check_new_high = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			bad_option(c, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	check_report_options(o);
}

/*
 * Writes the report to path, created readable by its owner only (an
 * existing file keeps its mode).  Returns 0, or -1 after saying why.
 */
static int
write_output(const char *path, const char *text, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error_errno("report", "%s", path);
		return -1;
	}
	while (len > 0) {
		n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error_errno("report", "%s", path);
			close(fd);
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0) {
		log_error_errno("report", "%s", path);
		return -1;
	}
	return 0;
}

static int
cmd_report(int argc, char **argv)
{
	struct report_cli o;
	char err[512], *text = NULL;
	size_t len = 0;
	bool new_high = false;
	int status = EXIT_RUNTIME;

	parse_report_options(argc, argv, &o);

	/* A slip of -o must not clobber the sensor's database. */
	if (o.output != NULL &&
	    report_output_check(o.opts.db, o.output, err, sizeof(err)) != 0)
		usage_error("%s", err);
	if (report_build(&o.opts, &text, &len, &new_high, err, sizeof(err)) !=
	    0) {
		log_error("report", "%s", err);
		goto out;
	}
	if (o.output != NULL) {
		if (write_output(o.output, text, len) != 0)
			goto out;
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		log_error_errno("report", "writing to standard output");
		goto out;
	}
	status = o.exit_on_new_high && new_high ? EXIT_NEW_HIGH : 0;
out:
	free(text);
	return status;
}

int
main(int argc, char **argv)
{
	/* Everything plainsight writes is private to its user. */
	umask(077);
	opterr = 0;
	log_init("plainsight", LOG_LEVEL_WARN);

	if (argc < 2)
		usage_error("a command is needed: capture or report");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("plainsight %s\n", PLAINSIGHT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "capture") == 0)
		return cmd_capture(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	usage_error("unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
