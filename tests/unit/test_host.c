/*
 * test_host.c — unit tests for src/core/host.c: lowercasing with bounds,
 * the Host header's name, local bases, names under the base, the
 * platform's own names and portal hosts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/host.h"

static void
test_lower(void **state)
{
	char out[8];

	(void)state;
	assert_true(wl_host_lower("AbC.De", 6, out, sizeof(out)));
	assert_string_equal(out, "abc.de");
	assert_false(wl_host_lower("", 0, out, sizeof(out)));
	assert_false(wl_host_lower("abcdefgh", 8, out, sizeof(out))); /* no room for NUL */
	assert_true(wl_host_lower("abcdefg", 7, out, sizeof(out)));
}

static void
test_header(void **state)
{
	char out[32];

	(void)state;
	assert_true(wl_host_from_header("Acme.Portal.Example.COM:8080", out, sizeof(out)));
	assert_string_equal(out, "acme.portal.example.com");
	assert_false(wl_host_from_header(NULL, out, sizeof(out)));
	assert_false(wl_host_from_header(":80", out, sizeof(out)));
	assert_false(wl_host_from_header("a-very-long-name.example.com.more", out, sizeof(out)));
}

static void
test_bases(void **state)
{
	(void)state;
	assert_true(wl_base_is_local("localhost"));
	assert_true(wl_base_is_local("dev.localhost"));
	assert_false(wl_base_is_local("xlocalhost"));
	assert_false(wl_base_is_local("example.com"));

	assert_true(wl_host_under("example.com", "example.com"));
	assert_true(wl_host_under("a.b.example.com", "example.com"));
	assert_false(wl_host_under("myexample.com", "example.com"));
	assert_false(wl_host_under("example.com.evil", "example.com"));

	assert_true(wl_host_is_platform("example.com", "example.com"));
	assert_true(wl_host_is_platform("portal.example.com", "example.com"));
	assert_false(wl_host_is_platform("acme.portal.example.com", "example.com"));
	assert_false(wl_host_is_platform("www.example.com", "example.com"));
}

static void
test_portal_slug(void **state)
{
	(void)state;
	assert_int_equal(wl_host_portal_slug("acme.portal.example.com", "example.com"), 4);
	assert_int_equal(wl_host_portal_slug("a.portal.localhost", "localhost"), 1);
	assert_int_equal(wl_host_portal_slug("portal.example.com", "example.com"), 0);
	assert_int_equal(wl_host_portal_slug(".portal.example.com", "example.com"), 0);
	assert_int_equal(wl_host_portal_slug("a.b.portal.example.com", "example.com"), 0);
	assert_int_equal(wl_host_portal_slug("acme.portal.example.org", "example.com"), 0);
	assert_int_equal(wl_host_portal_slug("acme.other.example.com", "example.com"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lower),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_bases),
		cmocka_unit_test(test_portal_slug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
