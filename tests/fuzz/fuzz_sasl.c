/*
 * fuzz_sasl.c - libFuzzer target for the SASL exchange reader shared by
 * the mail analyzers.
 *
 * The input is a mechanism line (up to the first newline: what followed
 * AUTHENTICATE or AUTH) and then client messages, one per line, with a
 * line "*" cancelling, a line starting 0x02 standing for one too long to
 * keep (passed as NULL, as the analyzers do), and a control byte 0x01
 * ending the exchange with the outcome picked by the next byte.
 * Exchanges follow one another.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/sasl.h"
#include "analyzers/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum outcome outcomes[] = {
	OUTCOME_UNKNOWN,
	OUTCOME_ACCEPTED,
	OUTCOME_REJECTED,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeval ts = { 1000, 0 };
	struct session s;
	struct sasl x;
	const uint8_t *nl;
	size_t off = 0, n;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	s.starttls_offered = -1;
	sasl_reset(&x);
	while (off < size) {
		if (data[off] == 0x01) {
			i = off + 1 < size ? data[off + 1] : 0;
			sasl_finish(&x, &s,
			    outcomes[i %
				(sizeof(outcomes) / sizeof(outcomes[0]))]);
			off += 2;
			continue;
		}
		nl = memchr(data + off, '\n', size - off);
		n = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		if (!sasl_active(&x))
			sasl_start(&x, data + off, n);
		else if (sasl_client(&x, &s, &ts,
			     n > 0 && data[off] == 0x02 ? NULL : data + off,
			     n) != SASL_STEP_MORE)
			sasl_finish(&x, &s, OUTCOME_UNKNOWN);
		if (strnlen(x.mech, sizeof(x.mech)) == sizeof(x.mech) ||
		    x.userlen > sizeof(x.user))
			abort();
		off += n + 1;
	}
	sasl_finish(&x, &s, OUTCOME_UNKNOWN);
	for (i = 0; i < s.ncreds; i++) {
		if (strnlen(s.creds[i].username, CRED_USER_MAX) ==
			CRED_USER_MAX ||
		    strnlen(s.creds[i].mechanism, CRED_MECH_MAX) ==
			CRED_MECH_MAX)
			abort();
	}
	session_cleanup(&s);
	return 0;
}
