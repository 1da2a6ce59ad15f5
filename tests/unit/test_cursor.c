/*
 * test_cursor.c — unit tests for src/core/cursor.c: known encodings,
 * encode/decode round trips over ms and id boundaries, the output-size
 * limit, and rejection of every kind of text encode never writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/cursor.h"
#include "core/error.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_known(void **state)
{
	char out[96];
	int64_t ms;
	char id[64];

	(void)state;
	/* base64url("0:a") = "MDph", 3 bytes, no tail */
	assert_int_equal(wl_cursor_encode(0, "a", out, sizeof(out)), WL_OK);
	assert_string_equal(out, "MDph");
	/* base64url("1:ab") = "MTphYg" (4 bytes, 2-char tail dropped '==') */
	assert_int_equal(wl_cursor_encode(1, "ab", out, sizeof(out)), WL_OK);
	assert_string_equal(out, "MTphYg");
	/* base64url("12:ab") = "MTI6YWI" (5 bytes, 3-char tail) */
	assert_int_equal(wl_cursor_encode(12, "ab", out, sizeof(out)), WL_OK);
	assert_string_equal(out, "MTI6YWI");

	assert_int_equal(wl_cursor_decode("MTI6YWI", &ms, id), WL_OK);
	assert_int_equal(ms, 12);
	assert_string_equal(id, "ab");
}

/* Cursor text uses only the url-safe alphabet and never pads. (An ASCII
 * payload cannot produce the 6-bit values 62 and 63, so '-' and '_' only
 * appear in text that then fails the content checks.) */
static void
test_url_alphabet(void **state)
{
	char out[96], id[64];
	const char *p;
	int64_t ms, t;

	(void)state;
	for (t = 0; t < 2000; t++) {
		assert_int_equal(wl_cursor_encode(t * 7919, "Zz9-zZ", out, sizeof(out)), WL_OK);
		for (p = out; *p != '\0'; p++)
			assert_true(strchr("+/=", *p) == NULL);
		assert_int_equal(wl_cursor_decode(out, &ms, id), WL_OK);
		assert_int_equal(ms, t * 7919);
		assert_string_equal(id, "Zz9-zZ");
	}
	/* "1:" followed by 0xfb 0xff encodes as "MTr7_w": '_' decodes, the id
	 * bytes are refused. */
	assert_int_equal(wl_cursor_decode("MTr7_w", &ms, id), WL_EINVALID);
	assert_int_equal(wl_cursor_decode("MTr-_w", &ms, id), WL_EINVALID);
}

static void
test_round_trip(void **state)
{
	static const int64_t ms_values[] = {
		0, 1, 9, 10, 99, 100, 999, 1765620000000LL, WL_CURSOR_MS_MAX - 1, WL_CURSOR_MS_MAX,
	};
	char idbuf[WL_CURSOR_ID_MAX + 1];
	char out[WL_CURSOR_TEXT_MAX], id[64];
	int64_t ms;
	size_t i, len;

	(void)state;
	for (len = 1; len <= WL_CURSOR_ID_MAX; len++) {
		for (i = 0; i < len; i++)
			idbuf[i] = "abcXYZ019-"[(i + len) % 10];
		idbuf[len] = '\0';
		for (i = 0; i < NELEM(ms_values); i++) {
			memset(id, 'q', sizeof(id));
			assert_int_equal(wl_cursor_encode(ms_values[i], idbuf, out, sizeof(out)),
					 WL_OK);
			assert_true(strlen(out) < WL_CURSOR_TEXT_MAX);
			assert_int_equal(wl_cursor_decode(out, &ms, id), WL_OK);
			assert_int_equal(ms, ms_values[i]);
			assert_string_equal(id, idbuf);
		}
	}
	/* A UUID id with a current timestamp fits 96 bytes comfortably. */
	assert_int_equal(
		wl_cursor_encode(1765620000000LL, "123e4567-e89b-42d3-a456-426614174000", out, 96),
		WL_OK);
	assert_int_equal(strlen(out), 67);
}

static void
test_encode_limits(void **state)
{
	char out[WL_CURSOR_TEXT_MAX];
	char id64[65];
	size_t need;

	(void)state;
	memset(id64, 'a', 64);
	id64[64] = '\0';
	assert_int_equal(wl_cursor_encode(0, id64, out, sizeof(out)), WL_EINVALID);
	id64[63] = '\0'; /* 63 bytes: ok */
	assert_int_equal(wl_cursor_encode(WL_CURSOR_MS_MAX, id64, out, sizeof(out)), WL_OK);
	assert_int_equal(strlen(out), WL_CURSOR_TEXT_MAX - 1);

	assert_int_equal(wl_cursor_encode(0, "", out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, NULL, out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, "a", NULL, 10), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, "a_b", out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, "a:b", out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, "a.b", out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, "a b", out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(-1, "a", out, sizeof(out)), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(WL_CURSOR_MS_MAX + 1, "a", out, sizeof(out)),
			 WL_EINVALID);
	assert_int_equal(wl_cursor_encode(INT64_MIN, "a", out, sizeof(out)), WL_EINVALID);

	/* outsz must hold the text and its NUL. "0:a" -> 4 chars. */
	assert_int_equal(wl_cursor_encode(0, "a", out, 4), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(0, "a", out, 5), WL_OK);
	assert_string_equal(out, "MDph");
	assert_int_equal(wl_cursor_encode(0, "a", out, 0), WL_EINVALID);
	/* The longest cursor needs exactly WL_CURSOR_TEXT_MAX bytes. */
	need = WL_CURSOR_TEXT_MAX;
	assert_int_equal(wl_cursor_encode(WL_CURSOR_MS_MAX, id64, out, need - 1), WL_EINVALID);
	assert_int_equal(wl_cursor_encode(WL_CURSOR_MS_MAX, id64, out, need), WL_OK);
}

/* Encodes arbitrary raw bytes the way encode would, so the decoder's own
 * content checks can be reached with well-formed base64url. */
static void
b64(const char *raw, size_t n, char *out)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i < n; i += 3) {
		unsigned long g = (unsigned long)(unsigned char)raw[i] << 16;

		if (i + 1 < n)
			g |= (unsigned long)(unsigned char)raw[i + 1] << 8;
		if (i + 2 < n)
			g |= (unsigned char)raw[i + 2];
		out[o++] = alpha[g >> 18 & 63];
		out[o++] = alpha[g >> 12 & 63];
		if (i + 1 < n)
			out[o++] = alpha[g >> 6 & 63];
		if (i + 2 < n)
			out[o++] = alpha[g & 63];
	}
	out[o] = '\0';
}

static void
test_decode_bad_content(void **state)
{
	static const struct {
		const char *raw;
		size_t n;
	} cases[] = {
		{ ":a", 2 },    /* no ms */
		{ "12", 2 },    /* no ':' */
		{ "12:", 3 },   /* empty id */
		{ "012:a", 5 }, /* zero-padded ms */
		{ "00:a", 4 },
		{ "-1:a", 4 }, /* negative ms */
		{ "+1:a", 4 },
		{ " 1:a", 4 },
		{ "1 :a", 4 },
		{ "253402300800000:a", 17 },      /* ms past 9999 */
		{ "1000000000000000:a", 18 },     /* 16 digits */
		{ "99999999999999999999:a", 22 }, /* would overflow */
		{ "1:a_b", 5 },
		{ "1:a:b", 5 },
		{ "1:a b", 5 },
		{ "1:a\0b", 5 }, /* NUL inside the id */
		{ "1:\xc3\xa4", 4 },
		{ "1:abc\n", 6 },
		{ "1;abc", 5 },
		{ "1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 66 },
	};
	char text[200], id[64];
	int64_t ms = 42;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		b64(cases[i].raw, cases[i].n, text);
		memset(id, 'q', sizeof(id));
		assert_int_equal(wl_cursor_decode(text, &ms, id), WL_EINVALID);
		assert_int_equal(ms, 42); /* untouched on failure */
		assert_int_equal(id[0], 'q');
	}
	/* The same helper agrees with encode on a good input. */
	b64("1765620000000:abc", 17, text);
	assert_int_equal(wl_cursor_decode(text, &ms, id), WL_OK);
	assert_int_equal(ms, 1765620000000LL);
	assert_string_equal(id, "abc");
}

static void
test_decode_bad_text(void **state)
{
	static const char *const cases[] = {
		"",         "M",                  /* length 1 mod 4 */
		"MDphM",                          /* length 5 = 1 mod 4 */
		"MTphYg==",                       /* padding */
		"MTphYg=",  "MTI6YWI=", "MTphYh", /* unused bits set */
		"MTI6YWJ",                        /* unused bits set */
		"MTp+Yg",                         /* standard alphabet '+' */
		"MTp/Yg",   "MTph Yg",  "MTphYg\n", " MTphYg", "MTph.g", "MTph\xc3\xa4", "MDph!",
	};
	char id[64], big[400];
	int64_t ms = 42;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wl_cursor_decode(cases[i], &ms, id), WL_EINVALID);
	assert_int_equal(ms, 42);
	assert_int_equal(wl_cursor_decode(NULL, &ms, id), WL_EINVALID);
	assert_int_equal(wl_cursor_decode("MDph", NULL, id), WL_EINVALID);
	assert_int_equal(wl_cursor_decode("MDph", &ms, NULL), WL_EINVALID);

	/* Longer than any cursor: refused before decoding. */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(wl_cursor_decode(big, &ms, id), WL_EINVALID);
	big[108] = '\0';
	assert_int_equal(wl_cursor_decode(big, &ms, id), WL_EINVALID);
	big[WL_CURSOR_TEXT_MAX] = '\0';
	assert_int_equal(wl_cursor_decode(big, &ms, id), WL_EINVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_url_alphabet),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_decode_bad_content),
		cmocka_unit_test(test_decode_bad_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
