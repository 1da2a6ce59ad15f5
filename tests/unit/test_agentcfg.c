/*
 * test_agentcfg.c — unit tests for src/core/agentcfg.c: language tags,
 * function names, event names, outbound URLs (private and loopback
 * literals), thousandths, ETags and If-Match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/agentcfg.h"

static void
test_bcp47(void **state)
{
	static const char *const good[] = {
		"en",         "nl",       "fil",           "en-US",
		"pt-BR",      "zh-Hant",  "zh-Hant-TW",    "es-419",
		"de-CH-1996", "sl-rozaj", "en-US-x-twain", "en-a-bbb-x-a-ccc",
		NULL
	};
	static const char *const bad[] = { "",
					   "e",
					   "english",
					   "en_US",
					   "en-",
					   "-en",
					   "en--US",
					   "en-US-",
					   "en-x",
					   "en-a-x-b",
					   "1en",
					   "en-U$",
					   "en-ABCDEFGHI",
					   "aaa-bbbbbbbb-cccccccc-dddddddd-eee",
					   NULL };
	size_t i;

	(void)state;
	for (i = 0; good[i] != NULL; i++)
		assert_true(wl_valid_bcp47(good[i]));
	for (i = 0; bad[i] != NULL; i++)
		if (wl_valid_bcp47(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_false(wl_valid_bcp47(NULL));
}

static void
test_names(void **state)
{
	char long_name[80];

	(void)state;
	assert_true(wl_valid_function_name("get_weather"));
	assert_true(wl_valid_function_name("book-appointment2"));
	assert_false(wl_valid_function_name("-x"));
	assert_false(wl_valid_function_name("has space"));
	assert_false(wl_valid_function_name(""));
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_false(wl_valid_function_name(long_name));
	long_name[64] = '\0';
	assert_true(wl_valid_function_name(long_name));
	assert_true(wl_valid_call_event("tool-calls"));
	assert_true(wl_valid_call_event("end-of-call-report"));
	assert_false(wl_valid_call_event("balance.low"));
	assert_false(wl_valid_call_event(NULL));
}

static void
test_urls(void **state)
{
	static const char *const private_urls[] = {
		"http://127.0.0.1/",
		"http://127.1/",
		"http://2130706433/",
		"http://10.0.0.1:8080/x",
		"https://172.16.5.4/",
		"http://172.31.255.255/",
		"http://192.168.0.1/",
		"http://169.254.169.254/latest/meta-data",
		"http://0.0.0.0/",
		"http://100.64.1.1/",
		"http://[::1]/",
		"http://[::]/",
		"http://[fe80::1]/",
		"http://[fd00::1]:81/",
		"http://[::ffff:127.0.0.1]/",
		"http://localhost/",
		"http://LOCALHOST:9/",
		"http://api.localhost/",
		"http://localhost./",
		"http://224.0.0.1/",
		NULL,
	};
	char long_url[2100];
	size_t i;

	(void)state;
	assert_null(wl_url_problem("https://hooks.example.com/a?b=c", false));
	assert_null(wl_url_problem("http://203.0.113.7:8080/hook", false));
	assert_null(wl_url_problem("http://172.32.0.1/", false));
	assert_null(wl_url_problem("http://[2001:db8::1]/", false));
	for (i = 0; private_urls[i] != NULL; i++) {
		if (wl_url_problem(private_urls[i], false) == NULL)
			fail_msg("accepted %s", private_urls[i]);
		if (wl_url_problem(private_urls[i], true) != NULL)
			fail_msg("refused %s with private addresses allowed", private_urls[i]);
	}
	assert_non_null(wl_url_problem("ftp://example.com/", false));
	assert_non_null(wl_url_problem("example.com/hook", false));
	assert_non_null(wl_url_problem("https:///nohost", false));
	assert_non_null(wl_url_problem("https://a b.com/", false));
	assert_non_null(wl_url_problem("https://user:pw@example.com/", false));
	assert_non_null(wl_url_problem("http://[::1/", true));
	assert_non_null(wl_url_problem("", false));
	memcpy(long_url, "https://example.com/", 20);
	memset(long_url + 20, 'a', 2029);
	long_url[2049] = '\0';
	assert_non_null(wl_url_problem(long_url, false));
	long_url[2048] = '\0';
	assert_null(wl_url_problem(long_url, false));
}

static void
test_thousandths(void **state)
{
	int64_t v = -1;
	char out[32];

	(void)state;
	assert_true(wl_thousandths_from_double(0.7, 0, 2000, &v));
	assert_int_equal(v, 700);
	assert_true(wl_thousandths_from_double(1.005, 0, 2000, &v));
	assert_int_equal(v, 1005);
	assert_true(wl_thousandths_from_double(2, 0, 2000, &v));
	assert_int_equal(v, 2000);
	assert_false(wl_thousandths_from_double(2.001, 0, 2000, &v));
	assert_false(wl_thousandths_from_double(0.1234, 0, 2000, &v));
	assert_false(wl_thousandths_from_double(-0.001, 0, 2000, &v));
	wl_format_thousandths(700, out);
	assert_string_equal(out, "0.7");
	wl_format_thousandths(1250, out);
	assert_string_equal(out, "1.25");
	wl_format_thousandths(2000, out);
	assert_string_equal(out, "2");
	wl_format_thousandths(5, out);
	assert_string_equal(out, "0.005");
	wl_format_thousandths(-1500, out);
	assert_string_equal(out, "-1.5");
}

static void
test_if_match(void **state)
{
	char etag[32];

	(void)state;
	wl_etag(1700000000123, etag);
	assert_string_equal(etag, "\"1700000000123\"");
	assert_true(wl_if_match("\"1700000000123\"", 1700000000123));
	assert_true(wl_if_match("W/\"1700000000123\"", 1700000000123));
	assert_true(wl_if_match("1700000000123", 1700000000123));
	assert_true(wl_if_match("*", 1));
	assert_true(wl_if_match("\"1\", \"1700000000123\"", 1700000000123));
	assert_true(wl_if_match("2023-11-14T22:13:20.123Z", 1700000000123));
	assert_false(wl_if_match("2023-11-14T22:13:20.124Z", 1700000000123));
	assert_false(wl_if_match("\"1700000000122\"", 1700000000123));
	assert_false(wl_if_match("", 1700000000123));
	assert_false(wl_if_match(NULL, 1700000000123));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcp47),    cmocka_unit_test(test_names),
		cmocka_unit_test(test_urls),     cmocka_unit_test(test_thousandths),
		cmocka_unit_test(test_if_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
