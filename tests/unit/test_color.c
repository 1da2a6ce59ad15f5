/*
 * test_color.c — unit tests for src/core/color.c: WCAG luminance of brand
 * colours, contrast ratios, and the readable text colour a portal puts on
 * its brand colours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/color.h"

static void
luminance_of_black_white_and_bad_input(void **state)
{
	double l = -1;

	(void)state;
	assert_true(wl_color_luminance("#000000", &l));
	assert_true(l < 1e-9);
	assert_true(wl_color_luminance("#FFFFFF", &l));
	assert_true(l > 0.999999);
	assert_false(wl_color_luminance("#fff", &l));
	assert_false(wl_color_luminance("ffffff", &l));
	assert_false(wl_color_luminance("#12345g", &l));
	assert_false(wl_color_luminance("#1234567", &l));
	assert_false(wl_color_luminance(NULL, &l));
}

static void
contrast_ratio_bounds(void **state)
{
	(void)state;
	assert_true(wl_contrast_ratio(1.0, 0.0) > 20.99 && wl_contrast_ratio(1.0, 0.0) < 21.01);
	assert_true(wl_contrast_ratio(0.5, 0.5) == 1.0);
	assert_true(wl_contrast_ratio(0.0, 1.0) == wl_contrast_ratio(1.0, 0.0));
}

static void
readable_text_on_brand_colours(void **state)
{
	(void)state;
	/* dark brand colours get white text, light ones dark text */
	assert_string_equal(wl_readable_text("#1E3A8A"), WL_TEXT_LIGHT);
	assert_string_equal(wl_readable_text("#000000"), WL_TEXT_LIGHT);
	assert_string_equal(wl_readable_text("#B91C1C"), WL_TEXT_LIGHT);
	assert_string_equal(wl_readable_text("#FFFFFF"), WL_TEXT_DARK);
	assert_string_equal(wl_readable_text("#FDE047"), WL_TEXT_DARK);
	assert_string_equal(wl_readable_text("#F59E0B"), WL_TEXT_DARK);
	assert_string_equal(wl_readable_text("#a3e635"), WL_TEXT_DARK);
	/* not a colour: the default bar is dark enough for white */
	assert_string_equal(wl_readable_text("blue"), WL_TEXT_LIGHT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(luminance_of_black_white_and_bad_input),
		cmocka_unit_test(contrast_ratio_bounds),
		cmocka_unit_test(readable_text_on_brand_colours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
