/*
 * test_token_bucket.c — src/core/token_bucket.c: a new bucket holds the
 * burst, each take costs one token, a refused take says when to retry,
 * the bucket refills at the rate and never past the burst, and a clock
 * that goes back or a very long pause do not break it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/token_bucket.h"

static void
test_burst_then_refused(void **state)
{
	struct wl_rate r = { 2, 4 };
	struct wl_bucket b = { 0, 0 };
	struct wl_bucket_verdict v;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		wl_bucket_take(&b, &r, 1000, &v);
		assert_true(v.granted);
		assert_int_equal(v.remaining, 3 - i);
	}
	wl_bucket_take(&b, &r, 1000, &v);
	assert_false(v.granted);
	assert_int_equal(v.remaining, 0);
	assert_int_equal(v.retry_after, 1); /* half a second, rounded up */
	assert_int_equal(v.reset_s, 2);     /* 4 tokens at 2 a second */
}

static void
test_refill(void **state)
{
	struct wl_rate r = { 2, 4 };
	struct wl_bucket b = { 0, 0 };
	struct wl_bucket_verdict v;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		wl_bucket_take(&b, &r, 5000, &v);
	wl_bucket_take(&b, &r, 5499, &v); /* 0.998 of a token */
	assert_false(v.granted);
	wl_bucket_take(&b, &r, 5500, &v); /* one token exactly */
	assert_true(v.granted);
	assert_int_equal(v.remaining, 0);
	/* a long pause fills it to the burst, not past it */
	wl_bucket_take(&b, &r, 5500 + 3600 * 1000LL * 24 * 365, &v);
	assert_true(v.granted);
	assert_int_equal(v.remaining, 3);
	assert_true(wl_bucket_full(&b, &r, 5500 + 3600 * 1000LL * 24 * 366));
}

static void
test_clock_back(void **state)
{
	struct wl_rate r = { 100, 200 };
	struct wl_bucket b = { 0, 0 };
	struct wl_bucket_verdict v;

	(void)state;
	wl_bucket_take(&b, &r, 10000, &v);
	assert_true(v.granted);
	wl_bucket_take(&b, &r, 9000, &v); /* earlier: nothing refills */
	assert_true(v.granted);
	assert_int_equal(v.remaining, 198);
	assert_false(wl_bucket_full(&b, &r, 10000));
	assert_true(wl_bucket_full(&b, &r, 10000 + 20));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_clock_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
