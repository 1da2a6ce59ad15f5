/*
 * test_chart.c — unit tests for src/core/chart.c: nice axis tops and steps
 * (empty, small, exact, huge), bar heights (proportional, at least a pixel,
 * capped), slots that tile the plot, and label spacing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/chart.h"

static void
scales(void **state)
{
	struct wl_chart_scale s;

	(void)state;
	wl_chart_scale(0, 5, &s); /* empty: 0..1 min */
	assert_int_equal(s.top_minutes, 1);
	assert_int_equal(s.step_minutes, 1);
	assert_int_equal(s.ticks, 1);
	wl_chart_scale(1, 5, &s); /* 1 s rounds up to a minute */
	assert_int_equal(s.top_minutes, 1);
	wl_chart_scale(300, 5, &s); /* 5 min */
	assert_int_equal(s.top_minutes, 5);
	assert_int_equal(s.step_minutes, 1);
	wl_chart_scale(301, 5, &s); /* 6 min: steps of 2 */
	assert_int_equal(s.step_minutes, 2);
	assert_int_equal(s.top_minutes, 6);
	assert_int_equal(s.ticks, 3);
	wl_chart_scale(47 * 60, 5, &s);
	assert_int_equal(s.step_minutes, 10);
	assert_int_equal(s.top_minutes, 50);
	wl_chart_scale(1234567 * 60LL, 4, &s);
	assert_int_equal(s.step_minutes, 500000);
	assert_int_equal(s.top_minutes, 1500000);
	assert_int_equal(s.ticks, 3);
	wl_chart_scale(INT64_MAX, 5, &s); /* no overflow */
	assert_true(s.top_minutes >= INT64_MAX / 60);
	assert_true(s.ticks >= 1 && s.ticks <= 5);
}

static void
heights(void **state)
{
	struct wl_chart_scale s;

	(void)state;
	wl_chart_scale(100 * 60, 5, &s); /* top 100 min */
	assert_int_equal(s.top_minutes, 100);
	assert_int_equal(wl_chart_bar_height(&s, 0, 200), 0);
	assert_int_equal(wl_chart_bar_height(&s, 100 * 60, 200), 20000);
	assert_int_equal(wl_chart_bar_height(&s, 50 * 60, 200), 10000);
	assert_int_equal(wl_chart_bar_height(&s, 1, 200), 100); /* at least a pixel */
	assert_int_equal(wl_chart_tick_height(&s, 20, 200), 4000);
	/* one huge day: it fills the plot, a small one keeps its pixel */
	wl_chart_scale(1000000000LL * 60, 5, &s);
	assert_int_equal(wl_chart_bar_height(&s, 1000000000LL * 60, 200), 20000);
	assert_int_equal(wl_chart_bar_height(&s, 60, 200), 100);
	assert_int_equal(wl_chart_bar_height(&s, INT64_MAX, 200), 20000);
}

static void
slots(void **state)
{
	int64_t x, w, prev_end = 0;

	(void)state;
	wl_chart_bar_slot(0, 1, 600, &x, &w);
	assert_int_equal(w, 48000);
	assert_int_equal(x, 6000);
	for (int i = 0; i < 366; i++) {
		wl_chart_bar_slot(i, 366, 600, &x, &w);
		assert_true(w > 0);
		assert_true(x >= prev_end);
		prev_end = x + w;
	}
	assert_true(prev_end <= 60000);
	assert_int_equal(wl_chart_label_every(30, 10), 3);
	assert_int_equal(wl_chart_label_every(7, 10), 1);
	assert_int_equal(wl_chart_label_every(366, 8), 46);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scales),
		cmocka_unit_test(heights),
		cmocka_unit_test(slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
