/*
 * test_webhook.c — unit tests for src/core/webhook.c: which addresses a
 * delivery may connect to (IPv4 and IPv6 private, loopback, link-local,
 * CGNAT, unique-local, v4-mapped, unspecified, multicast), the URL's shape,
 * event lists, the signature, and the cleaner of a receiver's answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "core/webhook.h"

/* Whether the literal address (IPv4 or IPv6) is public. */
static bool
public_addr(const char *text)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, text, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		return wl_addr_public((const struct sockaddr *)&in4);
	}
	assert_int_equal(inet_pton(AF_INET6, text, &in6.sin6_addr), 1);
	in6.sin6_family = AF_INET6;
	return wl_addr_public((const struct sockaddr *)&in6);
}

static void
ipv4_classes(void **state)
{
	const char *refused[] = {
		"127.0.0.1",  "127.255.255.254", "10.0.0.1",        "10.255.255.255",
		"172.16.0.1", "172.31.255.255",  "192.168.1.1",     "169.254.169.254",
		"100.64.0.1", "100.127.255.254", "0.0.0.0",         "0.1.2.3",
		"224.0.0.1",  "239.255.255.250", "255.255.255.255", "192.0.0.8",
		"198.18.0.1", "198.19.255.255",
	};
	const char *allowed[] = { "8.8.8.8",        "1.1.1.1",     "172.15.255.255", "172.32.0.1",
				  "100.63.255.255", "100.128.0.1", "192.169.0.1",    "169.253.0.1",
				  "198.17.0.1",     "198.20.0.1",  "223.255.255.254" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (public_addr(refused[i]))
			fail_msg("%s must be refused", refused[i]);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!public_addr(allowed[i]))
			fail_msg("%s must be allowed", allowed[i]);
}

static void
ipv6_classes(void **state)
{
	const char *refused[] = {
		"::1",
		"::",
		"fc00::1",
		"fd12:3456::1",
		"fe80::1",
		"febf::1",
		"fec0::1",
		"ff02::1",
		"ff05::2",
		"::ffff:127.0.0.1",
		"::ffff:10.1.2.3",
		"::ffff:192.168.0.1",
		"::ffff:169.254.169.254",
		"::ffff:100.64.0.1",
		"::ffff:0.0.0.0",
		"::127.0.0.1",
	};
	const char *allowed[] = { "2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8",
				  "fbff::1", "fe00::1" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (public_addr(refused[i]))
			fail_msg("%s must be refused", refused[i]);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!public_addr(allowed[i]))
			fail_msg("%s must be allowed", allowed[i]);
}

static void
other_families_refused(void **state)
{
	struct sockaddr sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	assert_false(wl_addr_public(&sa));
}

static void
url_shape(void **state)
{
	char long_url[3000];

	(void)state;
	assert_true(wl_webhook_url_valid("https://example.com/hook", 2048));
	assert_true(wl_webhook_url_valid("HTTP://example.com", 2048));
	assert_true(wl_webhook_url_valid("http://127.0.0.1:8080/x?y=1", 2048));
	assert_true(wl_webhook_url_valid("https://[2001:db8::1]/h", 2048));
	assert_false(wl_webhook_url_valid("ftp://example.com/", 2048));
	assert_false(wl_webhook_url_valid("file:///etc/passwd", 2048));
	assert_false(wl_webhook_url_valid("gopher://example.com/", 2048));
	assert_false(wl_webhook_url_valid("https://", 2048));
	assert_false(wl_webhook_url_valid("https:///path", 2048));
	assert_false(wl_webhook_url_valid("https://:443/", 2048));
	assert_false(wl_webhook_url_valid("https://user:pw@example.com/", 2048));
	assert_false(wl_webhook_url_valid("https://user@example.com/", 2048));
	assert_false(wl_webhook_url_valid("https://exa mple.com/", 2048));
	assert_false(wl_webhook_url_valid("https://example.com/\x01", 2048));
	assert_false(wl_webhook_url_valid("https://example.com/\x7f", 2048));
	assert_false(wl_webhook_url_valid("example.com/hook", 2048));
	memset(long_url, 'a', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	memcpy(long_url, "https://", 8);
	assert_false(wl_webhook_url_valid(long_url, 2048));
	assert_true(wl_webhook_url_valid(long_url, sizeof(long_url)));
}

static void
event_lists(void **state)
{
	char list[64] = "";
	struct wl_error err;

	(void)state;
	wl_error_clear(&err);
	assert_true(wl_webhook_event_known("tool-calls"));
	assert_true(wl_webhook_event_known("assistant-request"));
	assert_false(wl_webhook_event_known("status"));
	assert_int_equal(wl_webhook_events_add(list, sizeof(list), "status-update", &err), WL_OK);
	assert_int_equal(wl_webhook_events_add(list, sizeof(list), "status-update", &err), WL_OK);
	assert_int_equal(wl_webhook_events_add(list, sizeof(list), "balance.low", &err), WL_OK);
	assert_string_equal(list, "status-update,balance.low");
	assert_int_equal(wl_webhook_events_add(list, sizeof(list), "nope", &err), WL_EINVALID);
	assert_true(wl_webhook_events_has(list, "balance.low"));
	assert_false(wl_webhook_events_has(list, "status"));
	assert_false(wl_webhook_events_has(list, "balance.lo"));
	assert_int_equal(wl_webhook_events_add(list, 30, "end-of-call-report", &err), WL_EINVALID);
}

static void
signature(void **state)
{
	char out[WL_WEBHOOK_SIG_HEADER_MAX];

	(void)state;
	/* HMAC-SHA256("secret", "1700000000.{}"), computed with Python's hmac */
	wl_webhook_sign("secret", 1700000000, "{}", 2, out, sizeof(out));
	assert_int_equal(strlen(out), 7 + WL_WEBHOOK_SIG_HEX);
	assert_memory_equal(out, "sha256=", 7);
	assert_string_equal(
		out, "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
}

static void
text_cleaner(void **state)
{
	char out[32];

	(void)state;
	wl_text_sanitize("ok\tline\nend", 11, out, 20);
	assert_string_equal(out, "ok\tline\nend");
	wl_text_sanitize("a\x01"
			 "b\x7f"
			 "c\r",
			 6, out, 20);
	assert_string_equal(out, "a?b?c?");
	wl_text_sanitize("nul\0byte", 8, out, 20);
	assert_string_equal(out, "nul?byte");
	wl_text_sanitize("caf\xc3\xa9", 5, out, 20);
	assert_string_equal(out, "caf\xc3\xa9");
	wl_text_sanitize("bad\xff\xfe", 5, out, 20);
	assert_string_equal(out, "bad??");
	wl_text_sanitize("\xc0\xaf", 2, out, 20); /* overlong '/' */
	assert_string_equal(out, "??");
	wl_text_sanitize("\xed\xa0\x80", 3, out, 20); /* a UTF-16 surrogate */
	assert_string_equal(out, "???");
	/* a sequence cut by the limit is dropped, not turned into '?' */
	wl_text_sanitize("abc\xe2\x82\xac", 6, out, 5);
	assert_string_equal(out, "abc");
	wl_text_sanitize("abcdefgh", 8, out, 4);
	assert_string_equal(out, "abcd");
	wl_text_sanitize("", 0, out, 4);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_classes),
		cmocka_unit_test(ipv6_classes),
		cmocka_unit_test(other_families_refused),
		cmocka_unit_test(url_shape),
		cmocka_unit_test(event_lists),
		cmocka_unit_test(signature),
		cmocka_unit_test(text_cleaner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
