/*
 * test_telnet.c - unit tests for the Telnet analyzer.
 *
 * Each case is a terminal session as captured, both directions
 * interleaved, and the login a careful reader of the screen would note.
 * feed.h replays it whole, cut at every offset and byte by byte.  Chunk
 * numbers in the expectations count from 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed.h"

/* Telnet commands (RFC 854) and options, as string pieces. */
#define IAC "\xff"
#define WILL "\xfb"
#define WONT "\xfc"
#define DO "\xfd"
#define DONT "\xfe"
#define SB "\xfa"
#define SE "\xf0"
#define NOP "\xf1"
#define O_ECHO "\x01"
#define O_SGA "\x03"
#define O_TTYPE "\x18"
#define O_NAWS "\x1f"
#define O_AUTH "\x25"
#define O_ENVIRON "\x27"

/* Both sides agree on options, then a Linux banner and login prompt. */
#define LINUX_START                                                            \
	CLI(IAC DO O_SGA IAC WILL O_TTYPE IAC WILL O_NAWS),                    \
	    SRV(IAC DO O_TTYPE IAC DO O_NAWS IAC WILL O_ECHO IAC WILL O_SGA    \
		    IAC SB O_TTYPE "\x01" IAC SE),                             \
	    CLI(IAC SB O_NAWS "\x00\xbe\x00\x1a" IAC SE IAC SB O_TTYPE "\x00"  \
			      "XTERM-256COLOR" IAC SE IAC DO O_ECHO),          \
	    SRV("Ubuntu 22.04.3 LTS\r\nlaptop login: ")

/* Character at a time, every key echoed, CR NUL line ends. */
static const struct feed_chunk char_at_a_time[] = {
	LINUX_START,
	CLI("s"),
	SRV("s"),
	CLI("h"),
	SRV("h"),
	CLI("e"),
	SRV("e"),
	CLI("l"),
	SRV("l"),
	CLI("l"),
	SRV("l"),
	CLI("y"),
	SRV("y"),
	CLI("\r\0"),
	SRV("\r\n"),
	SRV("Password: "),
	CLI("S"),
	CLI("3"),
	CLI("c"),
	CLI("r"),
	CLI("e"),
	CLI("t"),
	CLI("-"),
	CLI("9"),
	CLI("\r\0"),
	SRV("\r\n"),
	SRV("Last login: Thu Feb 29 17:40:11 UTC 2024 from 192.0.2.11\r\n"
	    "Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 5.15.0-88-generic x86_64)"
	    "\r\n\r\n"),
	SRV("\x1b]0;shelly@laptop: ~\x07\x1b[01;32mshelly@laptop\x1b[00m:"
	    "\x1b[01;34m~\x1b[00m$ "),
	CLI("e"),
	SRV("e"),
	CLI("x"),
	SRV("x"),
	CLI("i"),
	SRV("i"),
	CLI("t"),
	SRV("t"),
	CLI("\r\0"),
	SRV("\r\nlogout\r\n"),
	FEED_END,
};

/* A client in line mode: whole lines, CR LF. */
static const struct feed_chunk line_mode[] = {
	SRV(IAC DO O_TTYPE IAC DO O_AUTH),
	CLI(IAC WILL O_TTYPE IAC WONT O_AUTH),
	SRV("\r\nOpenBSD/amd64 (gate.example.org) (ttyp0)\r\n\r\nlogin: "),
	CLI("fake\r\n"),
	SRV(IAC WILL O_ECHO),
	CLI(IAC DO O_ECHO),
	SRV("Password:"),
	CLI("Fake-Pw-77\r\n"),
	SRV("\r\n" IAC WONT O_ECHO),
	CLI(IAC DONT O_ECHO),
	SRV("Last login: Fri Mar  1 08:15:02 on ttyp0 from ws7.example.org\r\n"
	    "Warning: no Kerberos tickets issued.\r\n$ "),
	CLI("/sbin/ping www.example.com\r\n"),
	FEED_END,
};

/* A wrong password, then the right one. */
static const struct feed_chunk retry[] = {
	SRV("laptop login: "),
	CLI("shelly\r\n"),
	SRV("shelly\r\nPassword: "),
	CLI("wrong-pass-1\r\n"),
	SRV("\r\n\r\nLogin incorrect\r\nlaptop login: "),
	CLI("shelly\r\n"),
	SRV("shelly\r\nPassword: "),
	CLI("Right-Pass-2\r\n"),
	SRV("\r\nLast login: Thu Feb 29 17:40:11 from 192.0.2.11\r\n$ "),
	FEED_END,
};

/* Editing: a DEL and a backspace; the echo shows the erasing. */
static const struct feed_chunk editing[] = {
	SRV("login: "),
	CLI("alicx"),
	SRV("alicx"),
	CLI("\x7f"),
	SRV("\b \b"),
	CLI("e"),
	SRV("e"),
	CLI("zz\b\b\r\n"),
	SRV("zz\b \b\b \b\r\nPassword: "),
	CLI("Alice-Pw-3\r\n"),
	SRV("\r\n$ "),
	CLI("exit\r\n"),
	FEED_END,
};

/* ^U erases what was typed; the echo disagrees and is not believed. */
static const struct feed_chunk kill_line[] = {
	SRV("Username: "),
	CLI("mallory\x15"),
	SRV("mallory\r\nUsername: "),
	CLI("bob\r"),
	SRV("bobby\r\nPassword: "),
	CLI("Bob-Pw-4\r"),
	SRV("\r\nrouter>"),
	CLI("enable\r"),
	FEED_END,
};

/* A device that asks only for passwords, once per privilege level. */
static const struct feed_chunk password_only[] = {
	SRV("\r\n\r\nUser Access Verification\r\n\r\nPassword: "),
	CLI("Line-Pw-5\r\n"),
	SRV("\r\nrouter>"),
	CLI("enable\r\n"),
	SRV("enable\r\nPassword: "),
	CLI("Enable-Pw-6\r\n"),
	SRV("\r\nrouter#"),
	CLI("show run\r\n"),
	FEED_END,
};

static const struct feed_chunk login_invalid[] = {
	SRV("\r\nUser Name:"),
	CLI("admin\r\n"),
	SRV("admin\r\nPassword:"),
	CLI("Admin-Pw-7\r\n"),
	SRV("\r\n% Login invalid\r\n\r\nUser Name:"),
	FEED_END,
};

/* Terminal escapes everywhere; the prompt ends with ">", no blank. */
static const struct feed_chunk windows[] = {
	SRV(IAC DO O_AUTH IAC WILL O_ECHO IAC WILL O_SGA),
	CLI(IAC WONT O_AUTH IAC DO O_ECHO IAC DO O_SGA),
	SRV("Welcome to Microsoft Telnet Service \r\n\n\rlogin: "),
	CLI("A"),
	SRV("A"),
	CLI("d"),
	SRV("d"),
	CLI("m"),
	SRV("m"),
	CLI("i"),
	SRV("i"),
	CLI("n"),
	SRV("n"),
	CLI("\r\n"),
	SRV("\n\rpassword: "),
	CLI("W"),
	CLI("i"),
	CLI("n"),
	CLI("-"),
	CLI("8"),
	CLI("\r\n"),
	SRV(IAC DO O_TTYPE),
	CLI(IAC WILL O_TTYPE),
	SRV("\x1b[1;1H\x1b[K\x1b[2;1H\x1b[K\x1b[3;1H\x1b[K\x1b[4;1H\x1b[K"
	    "*==============================================================="
	    "\x1b[2;1HWelcome to Microsoft Telnet Server.\x1b[3;1H"
	    "*==============================================================="
	    "\x1b[4;1HC:\\Documents and Settings\\Admin>"),
	CLI("d"),
	SRV("d"),
	CLI("i"),
	SRV("i"),
	CLI("r"),
	SRV("r"),
	CLI("\r\n"),
	FEED_END,
};

/* NEW-ENVIRON sends USER; login(1) then asks only for the password. */
static const struct feed_chunk environ_user[] = {
	SRV(IAC DO O_ENVIRON),
	CLI(IAC WILL O_ENVIRON),
	SRV(IAC SB O_ENVIRON "\x01" IAC SE),
	CLI(IAC SB O_ENVIRON "\x00"
			     "\x00"
			     "DISPLAY\x01host:0"
			     "\x00"
			     "USER\x01olga" IAC SE),
	SRV("Password: "),
	CLI("Olga-Pw-9\r\n"),
	SRV("\r\nLast login: Tue Jan  2 10:00:00 on pts/3\r\n"),
	FEED_END,
};

/* IAC IAC is a 0xff data byte, here inside a user name. */
static const struct feed_chunk iac_in_name[] = {
	SRV("login: "),
	CLI("ab" IAC IAC "c\r\n"),
	SRV("Password: "),
	CLI("Pw-" IAC IAC "-10\r\n"),
	SRV("\r\nLogin incorrect\r\n"),
	FEED_END,
};

/* The client types ahead before the server answers the password. */
static const struct feed_chunk type_ahead[] = {
	SRV("login: "),
	CLI("pat\r\n"),
	SRV("pat\r\nPassword: "),
	CLI("Pat-Pw-11\r\n"),
	CLI("ls\r\n"),
	SRV("\r\nLast login: Wed Jan  3 09:00:00 on pts/1\r\n$ "),
	FEED_END,
};

/* The capture ends before any verdict. */
static const struct feed_chunk no_verdict[] = {
	SRV("login: "),
	CLI("quinn\r\n"),
	SRV("quinn\r\nPassword: "),
	CLI("Quinn-Pw-12\r\n"),
	SRV("\r\n"),
	FEED_END,
};

/* The capture ends at a shell prompt nobody answered. */
static const struct feed_chunk ends_at_prompt[] = {
	SRV("login: "),
	CLI("rita\r\n"),
	SRV("rita\r\nPassword: "),
	CLI("Rita-Pw-13\r\n"),
	SRV("\r\nrita@host:~$ "),
	FEED_END,
};

/* An empty password is a login all the same. */
static const struct feed_chunk empty_password[] = {
	SRV("login: "),
	CLI("guest\r\n"),
	SRV("guest\r\nPassword: "),
	CLI("\r\n"),
	SRV("\r\nLogin incorrect\r\nlogin: "),
	FEED_END,
};

/* Keystrokes of the name lost: the login is kept without a name. */
static const struct feed_chunk gap_in_name[] = {
	SRV("login: "),
	CLI("st"),
	SRV("st"),
	GAP_CLI(2),
	CLI("an\r\n"),
	SRV("stan\r\nPassword: "),
	CLI("Stan-Pw-14\r\n"),
	SRV("\r\n$ "),
	FEED_END,
};

/* Output lost: the half-read line and escape sequence are forgotten. */
static const struct feed_chunk gap_in_output[] = {
	SRV("Welcome \x1b[01;3"),
	GAP_SRV(40),
	SRV("\r\nlogin: "),
	CLI("tom\r\n"),
	SRV("tom\r\nPassword: "),
	CLI("Tom-Pw-15\r\n"),
	SRV("\r\nLogin failed\r\n"),
	FEED_END,
};

/* An authentication subnegotiation cut short, as a server sent it. */
static const struct feed_chunk auth_sb_only[] = {
	SRV(IAC SB O_AUTH "\x02\x02" IAC SE),
	FEED_END,
};

/* Filled in main(): floods of commands, and a subnegotiation that never
 * ends, before a normal login. */
static char nop_flood[6000];
static char do_flood[6000];
static char endless_sb[9000];

static const struct feed_chunk floods[] = {
	{ DIR_TO_CLIENT, nop_flood, sizeof(nop_flood) },
	{ DIR_TO_SERVER, do_flood, sizeof(do_flood) },
	SRV("login: "),
	CLI("uma\r\n"),
	SRV("uma\r\nPassword: "),
	CLI("Uma-Pw-16\r\n"),
	SRV("\r\n$ "),
	CLI("exit\r\n"),
	FEED_END,
};

static const struct feed_chunk sb_overrun[] = {
	{ DIR_TO_CLIENT, endless_sb, sizeof(endless_sb) },
	SRV("\r\nlogin: "),
	CLI("vic\r\n"),
	SRV("vic\r\nPassword: "),
	CLI("Vic-Pw-17\r\n"),
	SRV("\r\n# "),
	CLI("id\r\n"),
	FEED_END,
};

static void
fill_floods(void)
{
	size_t i;

	for (i = 0; i + 2 <= sizeof(nop_flood); i += 2)
		memcpy(nop_flood + i, IAC NOP, 2);
	for (i = 0; i + 3 <= sizeof(do_flood); i += 3)
		memcpy(do_flood + i, IAC DO O_ECHO, 3);
	memset(endless_sb, 'A', sizeof(endless_sb));
	memcpy(endless_sb, IAC SB O_TTYPE, 3);
}

#define CRED(u, o, k)                                                          \
	{                                                                      \
		.mech = "TELNET", .user = (u), .exposure = EXPOSURE_CLEARTEXT, \
		.outcome = (o), .chunk = (k)                                   \
	}

static struct feed_case cases[] = {
	{ "character at a time, echoed, CR NUL, Last login", char_at_a_time,
	    false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("shelly", OUTCOME_ACCEPTED, 28) },
		.secrets = { "S3cret-9" } } },
	{ "line mode, echo off for the password", line_mode, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("fake", OUTCOME_ACCEPTED, 8) },
		.secrets = { "Fake-Pw-77" } } },
	{ "Login incorrect, then accepted", retry, false,
	    { .offered = -1,
		.ncreds = 2,
		.creds = { CRED("shelly", OUTCOME_REJECTED, 4),
		    CRED("shelly", OUTCOME_ACCEPTED, 8) },
		.secrets = { "wrong-pass-1", "Right-Pass-2" } } },
	{ "DEL and backspace editing the name", editing, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("alice", OUTCOME_ACCEPTED, 10) },
		.secrets = { "Alice-Pw-3" } } },
	{ "^U erases the line, the echo is not believed", kill_line, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("bob", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Bob-Pw-4" } } },
	{ "password prompts only, twice", password_only, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { { .mech = "TELNET",
		    .user = "",
		    .exposure = EXPOSURE_CLEARTEXT,
		    .outcome = OUTCOME_ACCEPTED,
		    .count = 2 } },
		.secrets = { "Line-Pw-5", "Enable-Pw-6" } } },
	{ "User Name: and % Login invalid", login_invalid, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("admin", OUTCOME_REJECTED, 4) },
		.secrets = { "Admin-Pw-7" } } },
	{ "terminal escapes, prompt ending in >", windows, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("Admin", OUTCOME_ACCEPTED, 21) },
		.secrets = { "Win-8" } } },
	{ "USER from NEW-ENVIRON, then a password prompt", environ_user, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("olga", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Olga-Pw-9" } } },
	{ "IAC IAC in the name and the password", iac_in_name, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("ab\xff"
				"c",
		    OUTCOME_REJECTED, 4) },
		.secrets = { "-10" } } },
	{ "typing ahead of the server's verdict", type_ahead, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("pat", OUTCOME_ACCEPTED, 4) },
		.secrets = { "Pat-Pw-11" } } },
	{ "no verdict before the end", no_verdict, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("quinn", OUTCOME_UNKNOWN, 4) },
		.secrets = { "Quinn-Pw-12" } } },
	{ "the end shows a shell prompt", ends_at_prompt, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("rita", OUTCOME_ACCEPTED, 4) },
		.secrets = { "Rita-Pw-13" } } },
	{ "empty password", empty_password, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("guest", OUTCOME_REJECTED, 4) } } },
	{ "keystrokes of the name lost", gap_in_name, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("", OUTCOME_ACCEPTED, 7) },
		.secrets = { "Stan-Pw-14" } } },
	{ "output lost inside an escape sequence", gap_in_output, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("tom", OUTCOME_REJECTED, 6) },
		.secrets = { "Tom-Pw-15" } } },
	{ "a lone authentication subnegotiation", auth_sb_only, false,
	    { .offered = -1 } },
	{ "IAC NOP and IAC DO floods", floods, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("uma", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Uma-Pw-16" } } },
	{ "a subnegotiation without IAC SE", sb_overrun, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("vic", OUTCOME_ACCEPTED, 5) },
		.anomalies = SESSION_ANOM_GARBAGE,
		.secrets = { "Vic-Pw-17" } } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&telnet_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\r\n", "\r", "\n", "\r\0",
		"login: ", "Password: ", "Username:", "$ ", "# ", "> ",
		"Login incorrect", "Last login", IAC, IAC IAC, IAC SB, IAC SE,
		IAC WILL, IAC DO O_ECHO, IAC SB O_ENVIRON "\x00\x00USER\x01",
		"\x1b[", "\x1b]", "\x07", "\b", "\x7f", "\x15", "bob" };

	(void)state;
	feed_garbage(&telnet_analyzer, words, ARRAY_SIZE(words), 400);
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 1];
	size_t i;

	fill_floods();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = &cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "random bytes and protocol words";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("telnet", tests, NULL, NULL);
}
