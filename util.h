/*
 * util.h - small helpers shared by every layer: base64, ASCII case
 * handling and time formatting.
 */
#ifndef PLAINSIGHT_UTIL_H
#define PLAINSIGHT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * Decodes base64 (RFC 4648 section 4; padding optional, surrounding blanks
 * ignored) from in[0..n) into out (size outsize).  Returns the decoded length,
 * or -1 when the input is not base64 or does not fit.  Callers decoding
 * secrets wipe out with explicit_bzero().
 */
long b64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t outsize);

/* ASCII lower case of c; other bytes unchanged. */
static inline uint8_t
ascii_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* True when p[0..n) begins with word, ignoring ASCII case. */
bool ascii_prefix(const uint8_t *p, size_t n, const char *word);

/*
 * True when p[0..n) is the word, ignoring case, followed by the end, a space
 * or a tab: "STARTTLS" matches "starttls" and "STARTTLS x", not "STARTTLSX".
 */
bool ascii_word(const uint8_t *p, size_t n, const char *word);

/* True when p[0..n) equals word, ignoring ASCII case. */
bool ascii_equal(const uint8_t *p, size_t n, const char *word);

/* Index of the first c in p[0..n), or n. */
size_t span_until(const uint8_t *p, size_t n, uint8_t c);

/* Length of p[0..n) without trailing CR, LF, spaces and tabs. */
size_t trim_end(const uint8_t *p, size_t n);

/* Number of leading spaces and tabs in p[0..n). */
size_t skip_blanks(const uint8_t *p, size_t n);

#define ISO_TIME_MAX 32

/* Formats tv as "2026-01-31T23:59:59.123456Z" into buf (ISO_TIME_MAX). */
char *iso_time(char *buf, const struct timeval *tv);

/* Formats an address (IPv4 in the first 4 bytes when version is 4). */
char *ip_string(char *buf, size_t size, int version, const uint8_t *addr);

#endif
