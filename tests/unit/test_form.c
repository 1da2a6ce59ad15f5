/*
 * test_form.c — unit tests for src/core/form.c: urlencoded bodies (escapes,
 * '+', empty and valueless pairs, limits, bad input), Cookie headers and
 * URL encoding.
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

#include "core/error.h"
#include "core/form.h"

static int
parse(const char *body, struct wl_form *f)
{
	return wl_form_parse(body, strlen(body), f);
}

static void
test_basic(void **state)
{
	struct wl_form f;

	(void)state;
	assert_int_equal(parse("email=a%40b.test&password=p+w%21&empty=&flag&&x=1", &f), WL_OK);
	assert_int_equal(f.n, 5);
	assert_string_equal(wl_form_get(&f, "email"), "a@b.test");
	assert_string_equal(wl_form_get(&f, "password"), "p w!");
	assert_string_equal(wl_form_get(&f, "empty"), "");
	assert_string_equal(wl_form_get(&f, "flag"), "");
	assert_string_equal(wl_form_get(&f, "x"), "1");
	assert_null(wl_form_get(&f, "nope"));
	assert_null(wl_form_get(&f, "Email"));
	wl_form_free(&f);
	assert_int_equal(f.n, 0);
	assert_null(f.text);
	wl_form_free(&f); /* twice is fine */
	wl_form_free(NULL);
}

static void
test_first_value_wins_and_utf8(void **state)
{
	struct wl_form f;

	(void)state;
	assert_int_equal(parse("a=1&a=2&name=Caf%C3%A9+%E2%82%AC&n%61me2=%3d%26", &f), WL_OK);
	assert_string_equal(wl_form_get(&f, "a"), "1");
	assert_string_equal(wl_form_get(&f, "name"), "Caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(wl_form_get(&f, "name2"), "=&");
	assert_int_equal(f.fields[3].value_len, 2);
	wl_form_free(&f);
}

static void
test_empty_body(void **state)
{
	struct wl_form f;

	(void)state;
	assert_int_equal(wl_form_parse("", 0, &f), WL_OK);
	assert_int_equal(f.n, 0);
	wl_form_free(&f);
	assert_int_equal(parse("&&&", &f), WL_OK);
	assert_int_equal(f.n, 0);
	wl_form_free(&f);
}

static void
test_not_nul_terminated(void **state)
{
	struct wl_form f;
	char body[8];

	(void)state;
	memcpy(body, "a=12345X", 8);
	assert_int_equal(wl_form_parse(body, 4, &f), WL_OK);
	assert_string_equal(wl_form_get(&f, "a"), "12");
	wl_form_free(&f);
	/* an escape cut off by the length */
	memcpy(body, "a=%41XXX", 8);
	assert_int_equal(wl_form_parse(body, 4, &f), WL_EINVALID);
}

static void
test_bad_input(void **state)
{
	static const char *const bad[] = {
		"a=%", "a=%4",     "a=%G1", "a=%00", "=value",
		"%=1", "a=%C3%28", "a=%FF", "a=x%2", "%00=1",
	};
	struct wl_form f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &f), WL_EINVALID);
		assert_int_equal(f.n, 0);
		assert_null(f.text);
	}
	assert_int_equal(wl_form_parse("a=b\0c", 5, &f), WL_EINVALID);
}

static void
test_limits(void **state)
{
	char body[4096], name[200];
	struct wl_form f;
	size_t used = 0;
	int i;

	(void)state;
	for (i = 0; i < WL_FORM_FIELDS_MAX; i++)
		used += (size_t)snprintf(body + used, sizeof(body) - used, "f%d=%d&", i, i);
	assert_int_equal(wl_form_parse(body, used, &f), WL_OK);
	assert_int_equal(f.n, WL_FORM_FIELDS_MAX);
	assert_string_equal(wl_form_get(&f, "f63"), "63");
	wl_form_free(&f);
	used += (size_t)snprintf(body + used, sizeof(body) - used, "one=more");
	assert_int_equal(wl_form_parse(body, used, &f), WL_EINVALID);

	memset(name, 'n', sizeof(name));
	snprintf(name + WL_FORM_NAME_MAX, sizeof(name) - WL_FORM_NAME_MAX, "=1");
	assert_int_equal(parse(name, &f), WL_OK);
	wl_form_free(&f);
	name[WL_FORM_NAME_MAX] = 'n';
	snprintf(name + WL_FORM_NAME_MAX + 1, sizeof(name) - WL_FORM_NAME_MAX - 1, "=1");
	assert_int_equal(parse(name, &f), WL_EINVALID);
}

static void
test_cookies(void **state)
{
	char v[64];

	(void)state;
	assert_true(wl_cookie_get("a=1; wl_session=abc_DEF-1; b=2", "wl_session", v, sizeof(v)));
	assert_string_equal(v, "abc_DEF-1");
	assert_true(wl_cookie_get("wl_session=\"q\"", "wl_session", v, sizeof(v)));
	assert_string_equal(v, "q");
	assert_true(wl_cookie_get("x=1;wl_session=z", "wl_session", v, sizeof(v)));
	assert_string_equal(v, "z");
	assert_false(wl_cookie_get("xwl_session=1; wl_sessionx=2", "wl_session", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(wl_cookie_get(NULL, "wl_session", v, sizeof(v)));
	assert_false(wl_cookie_get("wl_session=0123456789", "wl_session", v, 5));
	assert_true(wl_cookie_get("wl_session=", "wl_session", v, sizeof(v)));
	assert_string_equal(v, "");
}

static void
test_url_encode(void **state)
{
	char out[64];

	(void)state;
	assert_true(wl_url_encode("/dashboard/users?org=a b&x=é", out, sizeof(out)));
	assert_string_equal(out, "%2Fdashboard%2Fusers%3Forg%3Da%20b%26x%3D%C3%A9");
	assert_true(wl_url_encode("AZaz09-._~", out, sizeof(out)));
	assert_string_equal(out, "AZaz09-._~");
	assert_false(wl_url_encode("////", out, 12));
	assert_string_equal(out, "");
	assert_true(wl_url_encode("", out, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),      cmocka_unit_test(test_first_value_wins_and_utf8),
		cmocka_unit_test(test_empty_body), cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_bad_input),  cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cookies),    cmocka_unit_test(test_url_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
