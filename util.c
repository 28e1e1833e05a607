/*
 * util.c - base64, ASCII helpers and time formatting.
 */
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Value of a base64 digit, 64 for padding, -1 for anything else. */
static int
b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return 64;
	return -1;
}

long
b64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t outsize)
{
	uint32_t acc = 0;
	size_t i, bits = 0, len = 0;
	bool padded = false;
	int v;

	/* Blanks around the text are tolerated, not inside it. */
	i = skip_blanks(in, n);
	n = trim_end(in, n);
	for (; i < n; i++) {
		v = b64_value(in[i]);
		if (v < 0)
			return -1;
		if (v == 64) {
			padded = true;
			continue;
		}
		if (padded)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len >= outsize)
				return -1;
			out[len++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)len;
}

bool
ascii_prefix(const uint8_t *p, size_t n, const char *word)
{
	size_t i;

	for (i = 0; word[i] != '\0'; i++) {
		if (i >= n ||
		    ascii_lower(p[i]) != ascii_lower((uint8_t)word[i]))
			return false;
	}
	return true;
}

bool
ascii_word(const uint8_t *p, size_t n, const char *word)
{
	size_t len = strlen(word);

	if (!ascii_prefix(p, n, word))
		return false;
	return n == len || p[len] == ' ' || p[len] == '\t';
}

bool
ascii_equal(const uint8_t *p, size_t n, const char *word)
{
	return n == strlen(word) && ascii_prefix(p, n, word);
}

size_t
span_until(const uint8_t *p, size_t n, uint8_t c)
{
	const uint8_t *hit = memchr(p, c, n);

	return hit == NULL ? n : (size_t)(hit - p);
}

size_t
trim_end(const uint8_t *p, size_t n)
{
	while (n > 0 &&
	    (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ' ||
		p[n - 1] == '\t'))
		n--;
	return n;
}

size_t
skip_blanks(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

char *
iso_time(char *buf, const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	long usec = tv->tv_usec;
	size_t n;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	if (usec < 0 || usec > 999999)
		usec = 0;
	n = strftime(buf, ISO_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, ISO_TIME_MAX - n, ".%06uZ", (unsigned int)usec);
	return buf;
}

char *
ip_string(char *buf, size_t size, int version, const uint8_t *addr)
{
	if (inet_ntop(version == 6 ? AF_INET6 : AF_INET, addr, buf,
		(socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}
