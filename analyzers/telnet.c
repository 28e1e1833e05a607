/*
 * telnet.c - Telnet analyzer: logins typed at a login and password prompt.
 *
 * Follows RFC 854 (the NVT, IAC commands, CR LF and CR NUL line ends),
 * RFC 855 (option negotiation and subnegotiation, IAC SB ... IAC SE) and
 * RFC 1572 (NEW-ENVIRON, which may carry the user name).  Telnet has no
 * login protocol: a server prints a prompt and the client types.  So this
 * analyzer is a best-effort reader of a terminal session:
 *
 *   - Telnet commands are removed from both directions; what is left is
 *     what the terminal shows and what the user types.
 *   - The server's current line (its "tail") is kept, without terminal
 *     escape sequences, so that when the client starts a line the prompt
 *     it answers is known: "login:", "Username:", "User Name:", "user:"
 *     ask for a name, "Password:" and "Passcode:" for a secret.
 *   - The name is what the client typed, backspaces applied, not the
 *     server's echo of it.  The secret is never kept: only that a line
 *     was typed at a password prompt.  That line is the login, recorded
 *     with mechanism TELNET.
 *   - The outcome is guessed from what the server prints next: another
 *     prompt or "Login incorrect" (or "failed", "denied", "invalid") is a
 *     rejection; "Last login" or a line ending like a shell prompt ("$",
 *     "#", ">", "%") is an acceptance.  Nothing conclusive leaves it
 *     unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define TELNET_BUFMAX 4096  /* every call consumes all it is given */
#define TELNET_TAIL_MAX 256 /* bytes kept of the server's current line */
#define TELNET_SB_MAX 8192  /* longest subnegotiation followed */
#define TELNET_SB_KEEP 256  /* NEW-ENVIRON bytes kept to find USER */

/* Telnet commands (RFC 854, "TELNET COMMAND STRUCTURE"). */
#define TELNET_SE 240
#define TELNET_SB 250
#define TELNET_WILL 251
#define TELNET_DONT 254
#define TELNET_IAC 255

/* NEW-ENVIRON (RFC 1572 section 2). */
#define TELNET_OPT_NEW_ENVIRON 39
#define TELNET_ENV_IS 0
#define TELNET_ENV_INFO 2
#define TELNET_ENV_VAR 0
#define TELNET_ENV_VALUE 1
#define TELNET_ENV_ESC 2
#define TELNET_ENV_USERVAR 3

#define TELNET_ESC 0x1b
#define TELNET_BEL 0x07
#define TELNET_BS 0x08
#define TELNET_DEL 0x7f
#define TELNET_NAK 0x15 /* ^U, erase the line */

/* Where a direction's byte stream is among Telnet commands. */
enum telnet_iac {
	TELNET_S_DATA,
	TELNET_S_IAC,    /* after IAC */
	TELNET_S_OPT,    /* after WILL, WONT, DO or DONT: the option follows */
	TELNET_S_SB_OPT, /* after IAC SB: the option follows */
	TELNET_S_SB,     /* inside a subnegotiation */
	TELNET_S_SB_IAC, /* after IAC inside a subnegotiation */
};

/* Terminal escape sequences in server output (ECMA-48). */
enum telnet_esc {
	TELNET_E_NONE,
	TELNET_E_START, /* after ESC */
	TELNET_E_CSI,   /* ESC [ parameters, up to a final byte */
	TELNET_E_OSC,   /* ESC ] text, up to BEL or ESC \ */
	TELNET_E_OSC_ESC,
};

/* What the client's current line is. */
enum telnet_field {
	TELNET_F_IDLE,  /* nothing typed yet on this line */
	TELNET_F_USER,  /* a user name, after a login prompt */
	TELNET_F_PASS,  /* a secret, after a password prompt: not kept */
	TELNET_F_OTHER, /* anything else */
};

enum telnet_prompt {
	TELNET_P_NONE,
	TELNET_P_LOGIN,
	TELNET_P_PASS,
	TELNET_P_SHELL,
};

struct telnet_stream {
	enum telnet_iac iac;
	bool cr;        /* the last data byte was CR: LF or NUL goes with it */
	uint8_t sb_opt; /* option being subnegotiated */
	size_t sb_len;  /* its bytes so far */
	uint8_t sb[TELNET_SB_KEEP]; /* NEW-ENVIRON content (client only) */
};

struct telnet {
	struct telnet_stream dir[2];

	enum telnet_esc esc;        /* escape sequence in server output */
	char tail[TELNET_TAIL_MAX]; /* server's current line, printable */
	size_t tlen;

	enum telnet_field field;   /* the client's current line */
	char typed[CRED_USER_MAX]; /* a user name being typed */
	size_t typedlen;
	char user[CRED_USER_MAX]; /* the last user name entered */
	size_t userlen;
	char env_user[CRED_USER_MAX]; /* USER from NEW-ENVIRON, if sent */
	size_t env_userlen;

	bool await;     /* a login was made, its outcome not yet seen */
	int cred;       /* its credential index */
	bool srv_spoke; /* the server printed since the client's last line */
};

/* Prompts, compared with the end of the server's line, blanks trimmed. */
static const char *const telnet_login_prompts[] = { "login:", "username:",
	"user name:", "user:", "login as:", "userid:", "user id:" };
static const char *const telnet_pass_prompts[] = { "password:", "passcode:" };

/* Words in a line after a login that say it failed. */
static const char *const telnet_fail_words[] = { "incorrect", "failed",
	"failure", "denied", "invalid" };

/* True when s[0..n) ends with word, ignoring ASCII case. */
static bool
telnet_ends_with(const char *s, size_t n, const char *word)
{
	size_t len = strlen(word);

	return n >= len && ascii_equal((const uint8_t *)s + n - len, len, word);
}

/* True when s[0..n) holds word, ignoring ASCII case. */
static bool
telnet_contains(const char *s, size_t n, const char *word)
{
	size_t len = strlen(word), i;

	for (i = 0; i + len <= n; i++) {
		if (ascii_prefix((const uint8_t *)s + i, n - i, word))
			return true;
	}
	return false;
}

/* True when s[0..n) ends with one of the words of list. */
static bool
telnet_ends_with_any(
    const char *s, size_t n, const char *const *list, size_t nl)
{
	size_t i;

	for (i = 0; i < nl; i++) {
		if (telnet_ends_with(s, n, list[i]))
			return true;
	}
	return false;
}

/* What the server's current line asks for, judging by how it ends. */
static enum telnet_prompt
telnet_prompt(const struct telnet *t)
{
	size_t n = trim_end((const uint8_t *)t->tail, t->tlen);
	char last;

	if (n == 0)
		return TELNET_P_NONE;
	if (telnet_ends_with_any(t->tail, n, telnet_login_prompts,
		ARRAY_SIZE(telnet_login_prompts)))
		return TELNET_P_LOGIN;
	if (telnet_ends_with_any(t->tail, n, telnet_pass_prompts,
		ARRAY_SIZE(telnet_pass_prompts)))
		return TELNET_P_PASS;
	last = t->tail[n - 1];
	if (last == '$' || last == '#' || last == '>' || last == '%')
		return TELNET_P_SHELL;
	return TELNET_P_NONE;
}

/* Settles the outcome of the last login. */
static void
telnet_outcome(struct telnet *t, struct session *s, enum outcome o)
{
	if (!t->await)
		return;
	session_credential_outcome(s, t->cred, o);
	t->await = false;
}

/*
 * A server line (or a long stretch of one) went by after a login: words
 * of failure reject it, "Last login" accepts it.
 * XXX: a banner that says "failed" before the shell prompt (an update
 * notice, say) rejects a login that succeeded.
 */
static void
telnet_judge_text(struct telnet *t, struct session *s)
{
	size_t i;

	if (!t->await)
		return;
	for (i = 0; i < ARRAY_SIZE(telnet_fail_words); i++) {
		if (telnet_contains(t->tail, t->tlen, telnet_fail_words[i])) {
			telnet_outcome(t, s, OUTCOME_REJECTED);
			return;
		}
	}
	if (telnet_contains(t->tail, t->tlen, "last login"))
		telnet_outcome(t, s, OUTCOME_ACCEPTED);
}

/*
 * The server waits for input with this line on screen: a new prompt for
 * a name or a secret rejects the login, a shell prompt accepts it.
 */
static void
telnet_judge_prompt(struct telnet *t, struct session *s)
{
	/* A prompt already answered is no verdict. */
	if (!t->srv_spoke)
		return;
	switch (telnet_prompt(t)) {
	case TELNET_P_LOGIN:
	case TELNET_P_PASS:
		telnet_outcome(t, s, OUTCOME_REJECTED);
		break;
	case TELNET_P_SHELL:
		telnet_outcome(t, s, OUTCOME_ACCEPTED);
		break;
	case TELNET_P_NONE:
		break;
	}
}

/* Appends a printable byte to the server's line, keeping its end. */
static void
telnet_tail_put(struct telnet *t, struct session *s, uint8_t c)
{
	if (t->tlen == TELNET_TAIL_MAX) {
		telnet_judge_text(t, s);
		memmove(t->tail, t->tail + TELNET_TAIL_MAX / 2,
		    TELNET_TAIL_MAX / 2);
		t->tlen = TELNET_TAIL_MAX / 2;
	}
	t->tail[t->tlen++] = (char)c;
}

/*
 * Follows terminal escape sequences so that colours and cursor moves
 * around a prompt do not hide it.  Returns true when c belongs to one.
 */
static bool
telnet_escape(struct telnet *t, uint8_t c)
{
	switch (t->esc) {
	case TELNET_E_NONE:
		if (c != TELNET_ESC)
			return false;
		t->esc = TELNET_E_START;
		return true;
	case TELNET_E_START:
		if (c == '[')
			t->esc = TELNET_E_CSI;
		else if (c == ']')
			t->esc = TELNET_E_OSC;
		else
			t->esc = TELNET_E_NONE;
		return true;
	case TELNET_E_CSI:
		if (c >= 0x40 && c <= 0x7e)
			t->esc = TELNET_E_NONE;
		return true;
	case TELNET_E_OSC:
		if (c == TELNET_BEL)
			t->esc = TELNET_E_NONE;
		else if (c == TELNET_ESC)
			t->esc = TELNET_E_OSC_ESC;
		return true;
	case TELNET_E_OSC_ESC:
		t->esc = c == TELNET_ESC ? TELNET_E_OSC_ESC : TELNET_E_OSC;
		if (c == '\\')
			t->esc = TELNET_E_NONE;
		return true;
	}
	return false;
}

/* One byte the server's terminal shows. */
static void
telnet_server_byte(struct telnet *t, struct session *s, uint8_t c)
{
	t->srv_spoke = true;
	if (telnet_escape(t, c))
		return;
	if (c == '\r' || c == '\n') {
		telnet_judge_text(t, s);
		t->tlen = 0;
	} else if (c == TELNET_BS) {
		if (t->tlen > 0)
			t->tlen--;
	} else if (c >= 0x20 && c != TELNET_DEL) {
		telnet_tail_put(t, s, c);
	}
}

/* The line typed at a login prompt ended: it is the user name. */
static void
telnet_user_done(struct telnet *t)
{
	if (t->typedlen == 0)
		return;
	memcpy(t->user, t->typed, t->typedlen);
	t->userlen = t->typedlen;
	t->typedlen = 0;
}

/*
 * The line typed at a password prompt ended: the login is made, with the
 * name typed before it, or the one NEW-ENVIRON sent, or none (devices
 * that ask only for a password).
 */
static void
telnet_pass_done(struct telnet *t, struct session *s, const struct timeval *ts)
{
	const char *user = t->user;
	size_t ulen = t->userlen;

	if (ulen == 0) {
		user = t->env_user;
		ulen = t->env_userlen;
	}
	t->cred = session_add_credential(
	    s, ts, "TELNET", user, ulen, EXPOSURE_CLEARTEXT);
	t->await = true;
	t->userlen = 0;
}

/* The client's line ended. */
static void
telnet_line_done(struct telnet *t, struct session *s, const struct timeval *ts)
{
	if (t->field == TELNET_F_USER)
		telnet_user_done(t);
	else if (t->field == TELNET_F_PASS)
		telnet_pass_done(t, s, ts);
	t->field = TELNET_F_IDLE;

	/* The prompt on screen is answered: the next line answers another. */
	t->srv_spoke = false;
}

/*
 * The client starts a line: what the server shows now is what it
 * answers.  A login already made is judged by the same prompt.
 * XXX: lines typed ahead of their prompt answer nothing, so a client that
 * sends its name and password before the server asks is not recorded;
 * a password typed at a login prompt by mistake is taken for a name.
 */
static void
telnet_line_start(struct telnet *t, struct session *s)
{
	enum telnet_prompt p;

	telnet_judge_prompt(t, s);
	p = t->srv_spoke ? telnet_prompt(t) : TELNET_P_NONE;
	if (p == TELNET_P_LOGIN) {
		t->field = TELNET_F_USER;
		t->typedlen = 0;
	} else if (p == TELNET_P_PASS) {
		t->field = TELNET_F_PASS;
	} else {
		t->field = TELNET_F_OTHER;
	}
}

/* A byte of a user name being typed, with line editing applied. */
static void
telnet_user_byte(struct telnet *t, uint8_t c)
{
	if (c == TELNET_BS || c == TELNET_DEL) {
		if (t->typedlen > 0)
			t->typedlen--;
	} else if (c == TELNET_NAK) {
		t->typedlen = 0;
	} else if (c >= 0x20 && t->typedlen + 1 < CRED_USER_MAX) {
		t->typed[t->typedlen++] = (char)c;
	}
}

/* One byte the client typed.  Bytes of a secret are not looked at. */
static void
telnet_client_byte(
    struct telnet *t, struct session *s, uint8_t c, const struct timeval *ts)
{
	if (t->field == TELNET_F_IDLE)
		telnet_line_start(t, s);
	if (c == '\r' || c == '\n') {
		telnet_line_done(t, s, ts);
		return;
	}
	if (t->field == TELNET_F_USER)
		telnet_user_byte(t, c);
}

/* A data byte of direction d, Telnet commands removed (RFC 854 NVT). */
static void
telnet_data(struct telnet *t, struct session *s, enum dir d, uint8_t c,
    const struct timeval *ts)
{
	struct telnet_stream *st = &t->dir[d];

	/* CR LF and CR NUL are one line end. */
	if (st->cr && (c == '\n' || c == '\0')) {
		st->cr = false;
		return;
	}
	st->cr = c == '\r';
	if (c == '\0')
		return;
	if (d == DIR_TO_CLIENT)
		telnet_server_byte(t, s, c);
	else
		telnet_client_byte(t, s, c, ts);
}

/*
 * Copies NEW-ENVIRON text from p[i..n) into out (size osize) up to the
 * next VAR, VALUE or USERVAR, undoing ESC (RFC 1572 section 2).  Returns
 * the offset after it; *olen is the length kept.
 */
static size_t
telnet_env_text(
    const uint8_t *p, size_t n, size_t i, char *out, size_t osize, size_t *olen)
{
	*olen = 0;
	while (i < n && p[i] != TELNET_ENV_VAR && p[i] != TELNET_ENV_VALUE &&
	    p[i] != TELNET_ENV_USERVAR) {
		if (p[i] == TELNET_ENV_ESC && i + 1 < n)
			i++;
		if (*olen + 1 < osize)
			out[(*olen)++] = (char)p[i];
		i++;
	}
	return i;
}

/*
 * Reads a NEW-ENVIRON IS or INFO list (RFC 1572 section 2) for the USER
 * variable: login(1) takes it as the name and asks only for a password.
 */
static void
telnet_environ(struct telnet *t, const uint8_t *p, size_t n)
{
	char name[8], value[CRED_USER_MAX];
	size_t i = 1, nlen, vlen;
	uint8_t type;

	if (n == 0 || (p[0] != TELNET_ENV_IS && p[0] != TELNET_ENV_INFO))
		return;
	while (i < n) {
		type = p[i++];
		if (type != TELNET_ENV_VAR && type != TELNET_ENV_USERVAR)
			return;
		i = telnet_env_text(p, n, i, name, sizeof(name), &nlen);
		if (i >= n || p[i] != TELNET_ENV_VALUE)
			continue;
		i = telnet_env_text(p, n, i + 1, value, sizeof(value), &vlen);
		if (type == TELNET_ENV_VAR &&
		    ascii_equal((const uint8_t *)name, nlen, "USER")) {
			memcpy(t->env_user, value, vlen);
			t->env_userlen = vlen;
			return;
		}
	}
}

/*
 * A subnegotiation ended (IAC SE).
 * XXX: the AUTHENTICATION option (RFC 2941), which may carry NTLM or
 * Kerberos, is not read: such logins are not recorded.
 */
static void
telnet_sb_done(struct telnet *t, enum dir d)
{
	struct telnet_stream *st = &t->dir[d];

	if (d == DIR_TO_SERVER && st->sb_opt == TELNET_OPT_NEW_ENVIRON &&
	    st->sb_len <= TELNET_SB_KEEP)
		telnet_environ(t, st->sb, st->sb_len);
	st->iac = TELNET_S_DATA;
}

/* A byte inside a subnegotiation, bounded by TELNET_SB_MAX. */
static void
telnet_sb_byte(struct telnet *t, struct session *s, enum dir d, uint8_t c)
{
	struct telnet_stream *st = &t->dir[d];

	if (st->sb_len < TELNET_SB_KEEP)
		st->sb[st->sb_len] = c;
	st->sb_len++;
	if (st->sb_len > TELNET_SB_MAX) {
		/* No IAC SE in sight: take what follows as data again. */
		s->anomalies |= SESSION_ANOM_GARBAGE;
		st->iac = TELNET_S_DATA;
	}
}

/* One byte after IAC (RFC 854): a command, or IAC IAC for 0xff. */
static void
telnet_command(struct telnet *t, struct session *s, enum dir d, uint8_t c,
    const struct timeval *ts)
{
	struct telnet_stream *st = &t->dir[d];

	if (c == TELNET_IAC) {
		st->iac = TELNET_S_DATA;
		telnet_data(t, s, d, c, ts);
	} else if (c >= TELNET_WILL && c <= TELNET_DONT) {
		st->iac = TELNET_S_OPT;
	} else if (c == TELNET_SB) {
		st->iac = TELNET_S_SB_OPT;
	} else {
		st->iac = TELNET_S_DATA;
	}
}

/* One byte of direction d through the Telnet command state machine. */
static void
telnet_byte(struct telnet *t, struct session *s, enum dir d, uint8_t c,
    const struct timeval *ts)
{
	struct telnet_stream *st = &t->dir[d];

	switch (st->iac) {
	case TELNET_S_DATA:
		if (c == TELNET_IAC)
			st->iac = TELNET_S_IAC;
		else
			telnet_data(t, s, d, c, ts);
		break;
	case TELNET_S_IAC:
		telnet_command(t, s, d, c, ts);
		break;
	case TELNET_S_OPT:
		st->iac = TELNET_S_DATA;
		break;
	case TELNET_S_SB_OPT:
		st->sb_opt = c;
		st->sb_len = 0;
		st->iac = TELNET_S_SB;
		break;
	case TELNET_S_SB:
		if (c == TELNET_IAC)
			st->iac = TELNET_S_SB_IAC;
		else
			telnet_sb_byte(t, s, d, c);
		break;
	case TELNET_S_SB_IAC:
		/* IAC IAC is a data byte; any other command ends it. */
		if (c == TELNET_IAC) {
			st->iac = TELNET_S_SB;
			telnet_sb_byte(t, s, d, c);
		} else if (c == TELNET_SE) {
			telnet_sb_done(t, d);
		} else {
			telnet_command(t, s, d, c, ts);
		}
		break;
	}
}

static size_t
telnet_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct telnet *t = state;
	size_t i;

	(void)flags;
	for (i = 0; i < n; i++)
		telnet_byte(t, s, d, p[i], ts);
	return n;
}

/*
 * Bytes were lost: a half-read command, escape sequence or line means
 * nothing any more.  A login waiting for its outcome still waits.
 */
static void
telnet_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct telnet *t = state;

	(void)s;
	(void)len;
	t->dir[d].iac = TELNET_S_DATA;
	t->dir[d].cr = false;
	if (d == DIR_TO_CLIENT) {
		t->esc = TELNET_E_NONE;
		t->tlen = 0;
	} else {
		t->field = TELNET_F_IDLE;
		t->typedlen = 0;
	}
}

/* The session is over: the last screen judges a login still open. */
static void
telnet_end(void *state, struct session *s)
{
	struct telnet *t = state;

	telnet_judge_text(t, s);
	telnet_judge_prompt(t, s);
}

static void *
telnet_create(struct session *s)
{
	(void)s;
	return mem_calloc(1, sizeof(struct telnet));
}

static void
telnet_destroy(void *state)
{
	struct telnet *t = state;

	if (t == NULL)
		return;
	explicit_bzero(t, sizeof(*t));
	mem_free(t);
}

const struct analyzer telnet_analyzer = {
	.name = "telnet",
	.bufmax = TELNET_BUFMAX,
	.create = telnet_create,
	.parse = telnet_parse,
	.gap = telnet_gap,
	.end = telnet_end,
	.destroy = telnet_destroy,
};
