/*
 * test_buf.c — unit tests for src/core/buf.c: the bounded buffer (growth,
 * the hard maximum and its sticky overflow flag, reset, steal) and the JSON
 * writer (commas at every depth, keys inside nested containers, string
 * escaping, raw numbers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>

#include "core/buf.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_append_and_grow(void **state)
{
	struct wl_buf b;
	size_t i;

	(void)state;
	wl_buf_init(&b, 1 << 20);
	assert_string_equal(wl_buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	wl_buf_append(&b, "abc", 3);
	wl_buf_puts(&b, "def");
	wl_buf_append(&b, NULL, 0);
	assert_string_equal(wl_buf_cstr(&b), "abcdef");
	assert_int_equal(b.len, 6);
	/* Grow past the first allocation several times. */
	for (i = 0; i < 1000; i++)
		wl_buf_printf(&b, "%03zu", i);
	assert_true(wl_buf_ok(&b));
	assert_int_equal(b.len, 6 + 3000);
	assert_int_equal(strlen(wl_buf_cstr(&b)), b.len);
	assert_memory_equal(b.p + 6, "000001002", 9);
	assert_memory_equal(b.p + b.len - 3, "999", 3);
	wl_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void
test_printf_empty(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 16);
	wl_buf_printf(&b, "%s", "");
	assert_true(wl_buf_ok(&b));
	assert_string_equal(wl_buf_cstr(&b), "");
	wl_buf_free(&b);
}

static void
test_overflow_is_sticky(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 10);
	wl_buf_puts(&b, "0123456789"); /* exactly max: fine */
	assert_true(wl_buf_ok(&b));
	wl_buf_puts(&b, "x"); /* one past: refused */
	assert_false(wl_buf_ok(&b));
	assert_string_equal(wl_buf_cstr(&b), "0123456789");
	assert_int_equal(b.len, 10);
	wl_buf_free(&b);

	wl_buf_init(&b, 10);
	wl_buf_puts(&b, "abc");
	wl_buf_puts(&b, "too long by far"); /* refused as a whole */
	assert_false(wl_buf_ok(&b));
	assert_string_equal(wl_buf_cstr(&b), "abc");
	wl_buf_puts(&b, "d"); /* would fit, still a no-op */
	wl_buf_printf(&b, "%d", 1);
	wl_buf_append(&b, "e", 1);
	wl_json_int(&b, 5);
	assert_string_equal(wl_buf_cstr(&b), "abc");
	assert_false(wl_buf_ok(&b));

	/* reset clears the flag and the content, keeps the maximum */
	wl_buf_reset(&b);
	assert_true(wl_buf_ok(&b));
	assert_string_equal(wl_buf_cstr(&b), "");
	wl_buf_printf(&b, "%s", "0123456789");
	assert_true(wl_buf_ok(&b));
	wl_buf_printf(&b, "%c", 'z');
	assert_false(wl_buf_ok(&b));
	assert_string_equal(wl_buf_cstr(&b), "0123456789");
	wl_buf_free(&b);

	/* max 0 refuses any byte */
	wl_buf_init(&b, 0);
	wl_buf_append(&b, "", 0);
	assert_true(wl_buf_ok(&b));
	wl_buf_puts(&b, "a");
	assert_false(wl_buf_ok(&b));
	assert_string_equal(wl_buf_cstr(&b), "");
	wl_buf_free(&b);
}

static void
test_steal(void **state)
{
	struct wl_buf b;
	size_t len = 99;
	char *p;

	(void)state;
	wl_buf_init(&b, 64);
	wl_buf_puts(&b, "hello");
	p = wl_buf_steal(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(p);

	/* The buffer is usable again and keeps its maximum. */
	wl_buf_puts(&b, "again");
	assert_string_equal(wl_buf_cstr(&b), "again");
	p = wl_buf_steal(&b, NULL);
	assert_string_equal(p, "again");
	free(p);

	/* Stealing an empty buffer gives an empty, freeable string. */
	p = wl_buf_steal(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);

	/* After an overflow, steal resets the flag along with the rest. */
	wl_buf_puts(&b, "0123456789012345678901234567890123456789012345678901234567890123456789");
	assert_false(wl_buf_ok(&b));
	p = wl_buf_steal(&b, &len);
	free(p);
	assert_true(wl_buf_ok(&b));
	wl_json_obj_begin(&b);
	wl_json_kv_int(&b, "a", 1);
	wl_json_obj_end(&b);
	assert_string_equal(wl_buf_cstr(&b), "{\"a\":1}");
	wl_buf_free(&b);
}

/* Builds JSON with the writer's calls and compares the text. */
static void
expect_json(struct wl_buf *b, const char *want)
{
	assert_true(wl_buf_ok(b));
	assert_int_equal(b->depth, 0);
	assert_string_equal(wl_buf_cstr(b), want);
	wl_buf_reset(b);
}

static void
test_json_nesting(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 4096);

	wl_json_obj_begin(&b);
	wl_json_obj_end(&b);
	expect_json(&b, "{}");

	wl_json_arr_begin(&b);
	wl_json_arr_end(&b);
	expect_json(&b, "[]");

	/* Values and keys after nested containers get their commas. */
	wl_json_obj_begin(&b);
	wl_json_kv_int(&b, "a", 1);
	wl_json_key(&b, "b");
	wl_json_obj_begin(&b);
	wl_json_key(&b, "c");
	wl_json_arr_begin(&b);
	wl_json_int(&b, 1);
	wl_json_int(&b, 2);
	wl_json_obj_begin(&b);
	wl_json_kv_str(&b, "d", "x");
	wl_json_obj_end(&b);
	wl_json_arr_begin(&b);
	wl_json_arr_end(&b);
	wl_json_arr_end(&b);
	wl_json_kv_bool(&b, "e", true);
	wl_json_obj_end(&b);
	wl_json_key(&b, "f");
	wl_json_null(&b);
	wl_json_key(&b, "g");
	wl_json_arr_begin(&b);
	wl_json_arr_end(&b);
	wl_json_kv_bool(&b, "h", false);
	wl_json_obj_end(&b);
	expect_json(&b, "{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":\"x\"},[]],\"e\":true},"
			"\"f\":null,\"g\":[],\"h\":false}");

	/* An array of objects, each with keys. */
	wl_json_arr_begin(&b);
	wl_json_obj_begin(&b);
	wl_json_kv_int(&b, "a", 1);
	wl_json_kv_int(&b, "b", 2);
	wl_json_obj_end(&b);
	wl_json_obj_begin(&b);
	wl_json_obj_end(&b);
	wl_json_obj_begin(&b);
	wl_json_key(&b, "c");
	wl_json_obj_begin(&b);
	wl_json_key(&b, "d");
	wl_json_arr_begin(&b);
	wl_json_obj_begin(&b);
	wl_json_kv_str(&b, "e", NULL);
	wl_json_obj_end(&b);
	wl_json_arr_end(&b);
	wl_json_obj_end(&b);
	wl_json_kv_int(&b, "f", -1);
	wl_json_obj_end(&b);
	wl_json_arr_end(&b);
	expect_json(&b, "[{\"a\":1,\"b\":2},{},{\"c\":{\"d\":[{\"e\":null}]},\"f\":-1}]");

	/* Two objects in a row after keys (the key's marker is consumed by
	 * the container, not left for the first member inside it). */
	wl_json_obj_begin(&b);
	wl_json_key(&b, "x");
	wl_json_obj_begin(&b);
	wl_json_kv_int(&b, "p", 1);
	wl_json_obj_end(&b);
	wl_json_key(&b, "y");
	wl_json_obj_begin(&b);
	wl_json_kv_int(&b, "q", 2);
	wl_json_obj_end(&b);
	wl_json_obj_end(&b);
	expect_json(&b, "{\"x\":{\"p\":1},\"y\":{\"q\":2}}");

	/* Plain top-level scalars. */
	wl_json_int(&b, INT64_MIN);
	expect_json(&b, "-9223372036854775808");
	wl_json_str(&b, NULL);
	expect_json(&b, "null");
	wl_buf_free(&b);
}

static void
test_json_raw_numbers(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 1024);
	wl_json_obj_begin(&b);
	wl_json_kv_raw(&b, "minutes", "498.6");
	wl_json_kv_raw(&b, "eur", "8.40");
	wl_json_key(&b, "list");
	wl_json_arr_begin(&b);
	wl_json_raw(&b, "1.5");
	wl_json_raw(&b, "0");
	wl_json_arr_end(&b);
	wl_json_kv_int(&b, "max", INT64_MAX);
	wl_json_obj_end(&b);
	expect_json(&b, "{\"minutes\":498.6,\"eur\":8.40,\"list\":[1.5,0],"
			"\"max\":9223372036854775807}");
	wl_buf_free(&b);
}

static void
test_json_escaping(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "a\"b", 3, "\"a\\\"b\"" },
		{ "a\\b", 3, "\"a\\\\b\"" },
		{ "\n\r\t", 3, "\"\\n\\r\\t\"" },
		{ "\x01\x1f", 2, "\"\\u0001\\u001f\"" },
		{ "\b\f", 2, "\"\\u0008\\u000c\"" },
		{ "\x7f", 1, "\"\\u007f\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" }, /* strn keeps NULs */
		{ "</script>", 9, "\"<\\/script>\"" },
		{ "x</y", 4, "\"x<\\/y\"" },
		{ "<</", 3, "\"<<\\/\"" },
		{ "/", 1, "\"/\"" },
		{ "a/b", 3, "\"a/b\"" },
		{ "/<", 2, "\"/<\"" },
		{ "< /", 3, "\"< /\"" },
		{ "\xc3\xa4\xe2\x82\xac", 5, "\"\xc3\xa4\xe2\x82\xac\"" }, /* UTF-8 as is */
		{ "end\"", 4, "\"end\\\"\"" },
		{ "\"start", 6, "\"\\\"start\"" },
	};
	struct wl_buf b;
	size_t i;

	(void)state;
	wl_buf_init(&b, 1024);
	for (i = 0; i < NELEM(cases); i++) {
		wl_json_strn(&b, cases[i].in, cases[i].n);
		expect_json(&b, cases[i].out);
	}
	/* Every byte, alone and between others: as is unless it must be escaped
	 * (the one-copy path and the piecewise one agree). */
	for (i = 0; i < 256; i++) {
		unsigned char c = (unsigned char)i;
		char in[3] = { 'a', (char)c, 'b' }, one[8], want[16];

		if (c == '"' || c == '\\')
			snprintf(one, sizeof(one), "\\%c", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			snprintf(one, sizeof(one), "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c < 0x20 || c == 0x7f)
			snprintf(one, sizeof(one), "\\u%04x", c);
		else
			snprintf(one, sizeof(one), "%c", c);
		snprintf(want, sizeof(want), "\"a%sb\"", one);
		wl_json_strn(&b, in, 3);
		expect_json(&b, want);
		snprintf(want, sizeof(want), "\"%s\"", one);
		wl_json_strn(&b, in + 1, 1);
		expect_json(&b, want);
	}
	/* Keys are escaped the same way. */
	wl_json_obj_begin(&b);
	wl_json_kv_str(&b, "k\"</", "v\\");
	wl_json_obj_end(&b);
	expect_json(&b, "{\"k\\\"<\\/\":\"v\\\\\"}");
	wl_buf_free(&b);
}

/* wl_format_int prints what "%lld" prints. */
static void
test_format_int(void **state)
{
	static const int64_t cases[] = {
		0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN, INT64_MIN + 1
	};
	char got[24], want[24];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		snprintf(want, sizeof(want), "%lld", (long long)cases[i]);
		assert_int_equal(wl_format_int(cases[i], got), strlen(want));
		assert_string_equal(got, want);
	}
}

/* wl_format_ipv4 writes what inet_ntop writes, and says so when it does not fit. */
static void
test_format_ipv4(void **state)
{
	static const unsigned char cases[][4] = { { 127, 0, 0, 1 },       { 0, 0, 0, 0 },
						  { 255, 255, 255, 255 }, { 10, 99, 100, 9 },
						  { 192, 168, 1, 254 },   { 1, 20, 199, 200 } };
	char got[32], want[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		for (n = 1; n <= sizeof(got); n++) {
			memset(got, 'x', sizeof(got));
			memset(want, 'x', sizeof(want));
			bool fit = wl_format_ipv4(cases[i], got, n);

			assert_int_equal(fit,
					 inet_ntop(AF_INET, cases[i], want, (socklen_t)n) != NULL);
			assert_memory_equal(got, want, sizeof(got));
		}
}

static void
test_json_overflow(void **state)
{
	struct wl_buf b;
	int i;

	(void)state;
	/* A limit hit in the middle of a document. */
	wl_buf_init(&b, 12);
	wl_json_obj_begin(&b);
	wl_json_kv_str(&b, "key", "a long value");
	wl_json_kv_int(&b, "k", 1);
	wl_json_obj_end(&b);
	assert_false(wl_buf_ok(&b));
	assert_true(b.len <= 12);
	wl_buf_free(&b);

	/* A string that fits exactly, and one a byte longer: written up to
	 * the closing quote, which is refused, as piece by piece before. */
	wl_buf_init(&b, 10);
	wl_json_strn(&b, "abcdefgh", 8);
	assert_true(wl_buf_ok(&b));
	assert_string_equal(b.p, "\"abcdefgh\"");
	wl_buf_free(&b);
	wl_buf_init(&b, 10);
	wl_json_strn(&b, "abcdefghi", 9);
	assert_false(wl_buf_ok(&b));
	assert_int_equal(b.len, 10);
	assert_string_equal(b.p, "\"abcdefghi");
	wl_buf_free(&b);

	/* Nesting deeper than the writer tracks (63) is refused. */
	wl_buf_init(&b, 4096);
	for (i = 0; i < 64; i++)
		wl_json_arr_begin(&b);
	assert_false(wl_buf_ok(&b));
	wl_buf_free(&b);

	/* 63 levels are fine. */
	wl_buf_init(&b, 4096);
	for (i = 0; i < 63; i++)
		wl_json_arr_begin(&b);
	wl_json_int(&b, 1);
	wl_json_int(&b, 2);
	for (i = 0; i < 63; i++)
		wl_json_arr_end(&b);
	assert_true(wl_buf_ok(&b));
	assert_int_equal(b.depth, 0);
	assert_int_equal(b.len, 63 * 2 + 3);
	assert_memory_equal(b.p + 63, "1,2", 3);
	wl_buf_free(&b);
}

/* Keys written in one copy and keys escaped piece by piece give the same
 * text, and at every limit the document is either whole or overflowed. */
static void
test_json_keys_at_limits(void **state)
{
	const char *want = "{\"id\":\"x\",\"k\\\"q\":1,\"<\\/\":[2],\"a<\\/\":{\"b\":null},"
			   "\"caf\xc3\xa9\":\"<\\/p>\"}";
	size_t full = strlen(want);

	(void)state;
	for (size_t max = 0; max <= full + 2; max++) {
		struct wl_buf b;

		wl_buf_init(&b, max);
		wl_json_obj_begin(&b);
		wl_json_kv_str(&b, "id", "x");
		wl_json_kv_int(&b, "k\"q", 1);
		wl_json_key(&b, "</");
		wl_json_arr_begin(&b);
		wl_json_int(&b, 2);
		wl_json_arr_end(&b);
		wl_json_key(&b, "a</");
		wl_json_obj_begin(&b);
		wl_json_kv_str(&b, "b", NULL);
		wl_json_obj_end(&b);
		wl_json_kv_str(&b, "caf\xc3\xa9", "</p>");
		wl_json_obj_end(&b);
		if (max >= full)
			assert_string_equal(wl_buf_cstr(&b), want);
		else
			assert_false(wl_buf_ok(&b));
		wl_buf_free(&b);
	}
}

/* The plain prefix, eight bytes at a time, against a byte at a time: every
 * byte value at every place of strings of 0 to 24 bytes, and "</" across
 * the eight-byte steps. */
static size_t
naive_plain_prefix(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' ||
		    (c == '<' && i + 1 < n && s[i + 1] == '/'))
			return i;
	}
	return n;
}

static void
test_json_plain_prefix(void **state)
{
	unsigned char s[32];

	(void)state;
	for (size_t n = 0; n <= 24; n++)
		for (size_t at = 0; at < n; at++)
			for (unsigned c = 0; c < 256; c++) {
				memset(s, 'a', sizeof(s));
				s[at] = (unsigned char)c;
				assert_int_equal(wl_json_plain_prefix((const char *)s, n),
						 naive_plain_prefix(s, n));
				if (at + 1 < n) {
					s[at + 1] = '/';
					assert_int_equal(wl_json_plain_prefix((const char *)s, n),
							 naive_plain_prefix(s, n));
				}
			}
	/* a "<" ending the string is plain; "</" is not, wherever it falls */
	assert_int_equal(wl_json_plain_prefix("abcdefg<", 8), 8);
	assert_int_equal(wl_json_plain_prefix("abcdefg</", 9), 7);
	assert_int_equal(wl_json_plain_prefix("abcdefgh</xyz", 13), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_grow),
		cmocka_unit_test(test_printf_empty),
		cmocka_unit_test(test_overflow_is_sticky),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_json_keys_at_limits),
		cmocka_unit_test(test_json_plain_prefix),
		cmocka_unit_test(test_json_nesting),
		cmocka_unit_test(test_json_raw_numbers),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_overflow),
		cmocka_unit_test(test_format_int),
		cmocka_unit_test(test_format_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
