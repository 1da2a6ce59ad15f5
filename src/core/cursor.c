/*
 * cursor.c — encoding and strict decoding of paging cursors (see cursor.h).
 *
 * base64url without padding: every 3 bytes become 4 characters, a tail of
 * 1 or 2 bytes becomes 2 or 3 characters. A text length of 1 mod 4 can
 * therefore never occur, and in a 2- or 3-character tail the bits below the
 * last whole byte must be zero; both are checked so that each cursor has
 * exactly one accepted spelling.
 */
#include "core/cursor.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

#define RAW_MAX (15 + 1 + WL_CURSOR_ID_MAX) /* "<ms>:<id>" */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static bool
id_char_ok(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-';
}

/* Length of a valid id, or 0 when the id is empty, too long or has a bad
 * byte. Reads at most WL_CURSOR_ID_MAX + 1 bytes. */
static size_t
id_length(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++) {
		if (i >= WL_CURSOR_ID_MAX || !id_char_ok(id[i]))
			return 0;
	}
	return i;
}

static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
wl_cursor_encode(int64_t created_ms, const char *id, char *out, size_t outsz)
{
	char raw[RAW_MAX + 1];
	size_t rawlen, idlen, textlen, i, o = 0;
	uint32_t group;
	int n;

	if (id == NULL || out == NULL)
		return WL_EINVALID;
	if (created_ms < 0 || created_ms > WL_CURSOR_MS_MAX)
		return WL_EINVALID;
	idlen = id_length(id);
	if (idlen == 0)
		return WL_EINVALID;
	n = snprintf(raw, sizeof(raw), "%lld:%s", (long long)created_ms, id);
	assert(n > 0 && (size_t)n < sizeof(raw));
	rawlen = (size_t)n;
	textlen = rawlen / 3 * 4 + (rawlen % 3 == 0 ? 0 : rawlen % 3 + 1);
	if (textlen + 1 > outsz)
		return WL_EINVALID;

	for (i = 0; i + 2 < rawlen; i += 3) {
		group = (uint32_t)(unsigned char)raw[i] << 16 |
			(uint32_t)(unsigned char)raw[i + 1] << 8 |
			(uint32_t)(unsigned char)raw[i + 2];
		out[o++] = b64url[group >> 18 & 63];
		out[o++] = b64url[group >> 12 & 63];
		out[o++] = b64url[group >> 6 & 63];
		out[o++] = b64url[group & 63];
	}
	if (rawlen - i == 1) {
		group = (uint32_t)(unsigned char)raw[i] << 16;
		out[o++] = b64url[group >> 18 & 63];
		out[o++] = b64url[group >> 12 & 63];
	} else if (rawlen - i == 2) {
		group = (uint32_t)(unsigned char)raw[i] << 16 | (uint32_t)(unsigned char)raw[i + 1]
									<< 8;
		out[o++] = b64url[group >> 18 & 63];
		out[o++] = b64url[group >> 12 & 63];
		out[o++] = b64url[group >> 6 & 63];
	}
	assert(o == textlen);
	out[o] = '\0';
	return WL_OK;
}

/* Decodes strict unpadded base64url into raw; returns the byte count or
 * -1. raw holds RAW_MAX bytes. */
static int
b64url_decode(const char *s, unsigned char raw[RAW_MAX])
{
	size_t len, i, o = 0, tail;
	uint32_t group = 0;

	for (len = 0; s[len] != '\0'; len++) {
		if (len >= (RAW_MAX / 3) * 4 + 3)
			return -1; /* longer than any cursor */
	}
	tail = len % 4;
	if (len == 0 || tail == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = b64url_value(s[i]);

		if (v < 0)
			return -1;
		group = group << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			if (o + 3 > RAW_MAX)
				return -1;
			raw[o++] = (unsigned char)(group >> 16);
			raw[o++] = (unsigned char)(group >> 8);
			raw[o++] = (unsigned char)group;
			group = 0;
		}
	}
	if (tail == 2) {
		/* 12 bits: one byte, 4 bits that must be zero */
		if ((group & 0x0f) != 0 || o + 1 > RAW_MAX)
			return -1;
		raw[o++] = (unsigned char)(group >> 4);
	} else if (tail == 3) {
		/* 18 bits: two bytes, 2 bits that must be zero */
		if ((group & 0x03) != 0 || o + 2 > RAW_MAX)
			return -1;
		raw[o++] = (unsigned char)(group >> 10);
		raw[o++] = (unsigned char)(group >> 2);
	}
	return (int)o;
}

int
wl_cursor_decode(const char *s, int64_t *created_ms, char id[64])
{
	unsigned char raw[RAW_MAX];
	int rawlen, i, ndigits = 0;
	int64_t ms = 0;
	size_t idlen, k;

	if (s == NULL || created_ms == NULL || id == NULL)
		return WL_EINVALID;
	rawlen = b64url_decode(s, raw);
	if (rawlen < 0)
		return WL_EINVALID;
	for (i = 0; i < rawlen && raw[i] >= '0' && raw[i] <= '9'; i++) {
		if (++ndigits > 15)
			return WL_EINVALID;
		ms = ms * 10 + (raw[i] - '0');
	}
	if (ndigits == 0 || (ndigits > 1 && raw[0] == '0'))
		return WL_EINVALID; /* encode never writes leading zeros */
	if (ms > WL_CURSOR_MS_MAX)
		return WL_EINVALID;
	if (i >= rawlen || raw[i] != ':')
		return WL_EINVALID;
	i++;
	idlen = (size_t)(rawlen - i);
	if (idlen == 0 || idlen > WL_CURSOR_ID_MAX)
		return WL_EINVALID;
	for (k = 0; k < idlen; k++) {
		if (!id_char_ok((char)raw[(size_t)i + k]))
			return WL_EINVALID;
	}
	memcpy(id, raw + i, idlen);
	id[idlen] = '\0';
	*created_ms = ms;
	return WL_OK;
}
