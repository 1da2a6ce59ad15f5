/*
 * test_validate.c — unit tests for src/core/validate.c: table-driven good
 * and bad inputs for every check, length boundaries, and UUID generation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_e164(void **state)
{
	static const char *const good[] = {
		"+12345678",        /* 8 digits: shortest */
		"+123456789012345", /* 15 digits: longest */
		"+4915112345678",   "+33612345678", "+900000000",
	};
	static const char *const bad[] = {
		"",
		"+",
		"+1234567",          /* 7 digits */
		"+1234567890123456", /* 16 digits */
		"+01234567890",      /* leading 0 */
		"4915112345678",     /* no '+' */
		"++4915112345678",
		"+49 151 12345678",
		"+49-151-12345678",
		"+4915112345678 ",
		" +4915112345678",
		"+4915112345678\n",
		"+49151123456a8",
		"00491511234567",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_e164(good[i]));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_e164(bad[i]));
	assert_false(wl_valid_e164(NULL));
}

static void
test_uuid(void **state)
{
	static const char *const good[] = {
		"123e4567-e89b-42d3-a456-426614174000",
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
	};
	static const char *const bad[] = {
		"",
		"123E4567-E89B-42D3-A456-426614174000",  /* uppercase */
		"123e4567-e89b-42d3-a456-42661417400",   /* 35 chars */
		"123e4567-e89b-42d3-a456-4266141740000", /* 37 chars */
		"123e4567e89b-42d3-a456-4266141740000",
		"123e4567-e89b-42d3-a4564-26614174000",
		"123e4567-e89b-42d3-a456_426614174000",
		"123e4567-e89b-42d3-a456-42661417400g",
		"{123e4567-e89b-42d3-a456-426614174000}",
		"123e4567-e89b-42d3-a456-426614174000\n",
		" 23e4567-e89b-42d3-a456-426614174000",
		"123e4567-e89b-42d3-a456-",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_uuid(good[i]));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_uuid(bad[i]));
	assert_false(wl_valid_uuid(NULL));
}

static void
test_uuid_from_bytes(void **state)
{
	unsigned char raw[16], copy[16];
	char out[37];
	size_t i;

	(void)state;
	memset(raw, 0xff, sizeof(raw));
	memcpy(copy, raw, sizeof(raw));
	memset(out, 'x', sizeof(out));
	wl_uuid_from_bytes(raw, out);
	assert_string_equal(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	assert_memory_equal(raw, copy, sizeof(raw)); /* input untouched */
	assert_true(wl_valid_uuid(out));

	memset(raw, 0, sizeof(raw));
	wl_uuid_from_bytes(raw, out);
	assert_string_equal(out, "00000000-0000-4000-8000-000000000000");

	for (i = 0; i < 16; i++)
		raw[i] = (unsigned char)(i * 17);
	wl_uuid_from_bytes(raw, out);
	assert_string_equal(out, "00112233-4455-4677-8899-aabbccddeeff");
	assert_true(wl_valid_uuid(out));
}

static void
test_email(void **state)
{
	static const char *const good[] = {
		"a@b.c",
		"user@example.com",
		"first.last+tag@sub.example.co.uk",
		"x_y-z@a-b.io",
		"o'brien@example.ie",
		"1234567890123456789012345678901234567890123456789012345678901234@example.com",
	};
	static const char *const bad[] = {
		"",
		"a@",
		"@b.c",
		"ab",
		"a@b", /* no dot in domain */
		"user@localhost",
		"a@@b.c",
		"a@b@c.d",
		"user.example.com",
		"a@.b.c", /* dot at domain start */
		"a@b.c.", /* dot at domain end */
		"a@b..c",
		"a..b@c.d",
		"a b@c.d",
		" a@b.c",
		"a@b.c ",
		"\"a\"@b.c",
		"a,b@c.d",
		"<a@b.c>",
		"a@b.c>",
		"a(b)@c.d",
		"a;b@c.d",
		"a\\b@c.d",
		"a@b.c\n",
		"a\t@b.c",
		"a\x7f@b.c",
		"\xc3\xa4@b.c", /* non-ASCII */
		"12345678901234567890123456789012345678901234567890123456789012345@example.com",
	};
	char longmail[300];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_email(good[i]));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_email(bad[i]));
	assert_false(wl_valid_email(NULL));

	/* 254 bytes is the longest accepted, 255 is refused. */
	memset(longmail, 'd', sizeof(longmail));
	memcpy(longmail, "a@", 2);
	memcpy(longmail + 250, ".com", 4);
	longmail[254] = '\0';
	assert_int_equal(strlen(longmail), 254);
	assert_true(wl_valid_email(longmail));
	memset(longmail, 'd', sizeof(longmail));
	memcpy(longmail, "a@", 2);
	memcpy(longmail + 251, ".com", 4);
	longmail[255] = '\0';
	assert_false(wl_valid_email(longmail));

	/* One mailbox, one stored form. */
	{
		char mixed[] = "Anna.Smith+Work@Bright-Dental.EXAMPLE";

		wl_email_normalize(mixed);
		assert_string_equal(mixed, "anna.smith+work@bright-dental.example");
		wl_email_normalize(NULL);
	}
}

static void
test_token(void **state)
{
	static const char *const good[] = {
		"a",      "idem-key_1",     "agent:42",
		"v1.2.3", "ABCxyz0189._:-", "123e4567-e89b-42d3-a456-426614174000",
	};
	static const char *const bad[] = {
		"",          "has space", "slash/no",   "a+b",      "tab\t",
		"new\nline", "quote\"",   "percent%20", "\xc3\xa4", "semi;colon",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_token(good[i], 64));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_token(bad[i], 64));
	assert_false(wl_valid_token(NULL, 64));
	/* maxlen is inclusive */
	assert_true(wl_valid_token("abcd", 4));
	assert_false(wl_valid_token("abcde", 4));
	assert_true(wl_valid_token("a", 1));
	assert_false(wl_valid_token("a", 0));
}

static void
test_utf8(void **state)
{
	static const struct {
		const char *bytes;
		size_t n;
	} good[] = {
		{ "", 0 },
		{ "hello", 5 },
		{ "\x7f", 1 },
		{ "\xc2\x80", 2 },         /* U+0080 */
		{ "\xc3\xa4", 2 },         /* ä */
		{ "\xdf\xbf", 2 },         /* U+07FF */
		{ "\xe0\xa0\x80", 3 },     /* U+0800 */
		{ "\xe2\x82\xac", 3 },     /* € */
		{ "\xed\x9f\xbf", 3 },     /* U+D7FF, below surrogates */
		{ "\xee\x80\x80", 3 },     /* U+E000, above surrogates */
		{ "\xef\xbf\xbf", 3 },     /* U+FFFF */
		{ "\xf0\x90\x80\x80", 4 }, /* U+10000 */
		{ "\xf0\x9f\x98\x80", 4 }, /* emoji */
		{ "\xf4\x8f\xbf\xbf", 4 }, /* U+10FFFF */
		{ "a\xc3\xa4z\xe2\x82\xac", 7 },
	};
	static const struct {
		const char *bytes;
		size_t n;
	} bad[] = {
		{ "\0", 1 }, /* NUL */
		{ "ab\0c", 4 },
		{ "\x80", 1 }, /* lone continuation */
		{ "\xbf", 1 },
		{ "\xc0\x80", 2 }, /* overlong NUL */
		{ "\xc1\xbf", 2 }, /* overlong */
		{ "\xc2", 1 },     /* truncated */
		{ "\xc2\x41", 2 }, /* bad continuation */
		{ "\xc2\xc0", 2 },
		{ "\xe0\x80\x80", 3 }, /* overlong 3-byte */
		{ "\xe0\x9f\xbf", 3 },
		{ "\xe2\x82", 2 }, /* truncated */
		{ "\xe2\x82\x41", 3 },
		{ "\xe2\x41\xac", 3 },
		{ "\xed\xa0\x80", 3 },     /* U+D800 surrogate */
		{ "\xed\xbf\xbf", 3 },     /* U+DFFF surrogate */
		{ "\xf0\x80\x80\x80", 4 }, /* overlong 4-byte */
		{ "\xf0\x8f\xbf\xbf", 4 },
		{ "\xf4\x90\x80\x80", 4 }, /* U+110000 */
		{ "\xf5\x80\x80\x80", 4 },
		{ "\xf8\x88\x80\x80\x80", 5 }, /* 5-byte form */
		{ "\xff", 1 },
		{ "\xfe", 1 },
		{ "\xf0\x9f\x98", 3 }, /* truncated emoji */
		{ "\xf0\x9f\x98\x41", 4 },
		{ "\xf0\x9f\x41\x80", 4 },
		{ "ok\xc3", 3 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_utf8(good[i].bytes, good[i].n));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_utf8(bad[i].bytes, bad[i].n));
	assert_true(wl_valid_utf8(NULL, 0));
	assert_false(wl_valid_utf8(NULL, 1));
	/* n limits the bytes read: a valid prefix of an invalid buffer. */
	assert_true(wl_valid_utf8("ab\xff", 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e164),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_uuid_from_bytes),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
