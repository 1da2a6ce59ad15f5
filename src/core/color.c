/*
 * color.c — luminance and contrast of brand colours (see color.h).
 */
#include "core/color.h"
#include "core/validate.h"

#include <math.h>
#include <stddef.h>

/* sRGB channel 0..255 to linear light. */
static double
linear(int v)
{
	double c = v / 255.0;

	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

bool
wl_color_luminance(const char *s, double *out)
{
	int ch[3], i;

	if (s == NULL || s[0] != '#')
		return false;
	for (i = 0; i < 3; i++) {
		int hi = wl_hex_digit(s[1 + 2 * i]), lo = hi < 0 ? -1 : wl_hex_digit(s[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return false;
		ch[i] = hi * 16 + lo;
	}
	if (s[7] != '\0')
		return false;
	*out = 0.2126 * linear(ch[0]) + 0.7152 * linear(ch[1]) + 0.0722 * linear(ch[2]);
	return true;
}

double
wl_contrast_ratio(double l1, double l2)
{
	double hi = l1 > l2 ? l1 : l2, lo = l1 > l2 ? l2 : l1;

	return (hi + 0.05) / (lo + 0.05);
}

const char *
wl_readable_text(const char *bg)
{
	double l, dark, light;

	if (!wl_color_luminance(bg, &l))
		return WL_TEXT_LIGHT;
	(void)wl_color_luminance(WL_TEXT_DARK, &dark);
	light = 1.0;
	return wl_contrast_ratio(l, dark) > wl_contrast_ratio(l, light) ? WL_TEXT_DARK
									: WL_TEXT_LIGHT;
}
