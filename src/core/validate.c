/*
 * validate.c — syntax checks for outside input (see validate.h).
 *
 * Each check walks its input once and never reads past the first byte
 * that decides the answer, so an over-long string costs at most its limit.
 */
#include "core/validate.h"

#include <string.h>

#define EMAIL_MAX 254
#define EMAIL_LOCAL_MAX 64

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_lower_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
wl_valid_e164(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	for (n = 0; is_digit(s[1 + n]); n++) {
		if (n >= 15)
			return false;
	}
	return s[1 + n] == '\0' && n >= 8;
}

bool
wl_valid_uuid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_lower_hex(s[i])) {
			return false; /* also stops at a NUL in a short string */
		}
	}
	return s[36] == '\0';
}

void
wl_uuid_from_bytes(const unsigned char raw[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0;

	memcpy(b, raw, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

static bool
email_char_ok(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false; /* controls, space, DEL, non-ASCII */
	return strchr("\",<>();\\", c) == NULL;
}

bool
wl_valid_email(const char *s)
{
	size_t i, at = 0, nat = 0, dots_in_domain = 0;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= EMAIL_MAX)
			return false;
		if (!email_char_ok((unsigned char)s[i]))
			return false;
		if (s[i] == '.' && i > 0 && s[i - 1] == '.')
			return false;
		if (s[i] == '@') {
			at = i;
			nat++;
		} else if (s[i] == '.' && nat > 0) {
			dots_in_domain++;
		}
	}
	if (i < 3 || nat != 1)
		return false;
	if (at == 0 || at > EMAIL_LOCAL_MAX)
		return false;
	/* The domain is s[at + 1 .. i - 1]. */
	if (at + 1 >= i || s[at + 1] == '.' || s[i - 1] == '.')
		return false;
	return dots_in_domain > 0;
}

void
wl_email_normalize(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

bool
wl_valid_token(const char *s, size_t maxlen)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= maxlen)
			return false;
		if (!is_alnum(s[i]) && strchr("._:-", s[i]) == NULL)
			return false;
	}
	return true;
}

/*
 * UTF-8 per RFC 3629: the lead byte fixes the length and the allowed range
 * of the first continuation byte, which is where overlongs (E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and values past U+10FFFF (F4 90..BF)
 * are excluded. C0, C1 and F5..FF never start a sequence.
 */
bool
wl_valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, k;
	unsigned char lo, hi;

	if (n == 0)
		return true;
	if (s == NULL)
		return false;
	while (i < n) {
		unsigned char c = p[i];

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (k = 2; k < len; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return false;
		}
		i += len;
	}
	return true;
}

int
wl_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
