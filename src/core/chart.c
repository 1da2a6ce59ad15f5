/*
 * chart.c — the bar chart's scales and slots (see chart.h). Widened to 128
 * bits where a product of seconds and pixels could pass 64.
 */
#include "core/chart.h"

#include <assert.h>

typedef __int128 wide_t;

void
wl_chart_scale(int64_t max_seconds, int max_ticks, struct wl_chart_scale *out)
{
	static const int64_t mult[] = { 1, 2, 5 };
	int64_t minutes, power = 1;

	assert(max_ticks >= 1);
	minutes = max_seconds <= 0 ? 1 : max_seconds / 60 + (max_seconds % 60 != 0);
	for (;;) {
		for (int k = 0; k < 3; k++) {
			int64_t step = mult[k] * power;
			int64_t ticks = minutes / step + (minutes % step != 0);

			if (ticks <= max_ticks) {
				out->step_minutes = step;
				out->ticks = (int)ticks;
				out->top_minutes = step * ticks;
				return;
			}
		}
		power *= 10; /* minutes < 2^57, so a step fits long before overflow */
	}
}

int64_t
wl_chart_tick_height(const struct wl_chart_scale *s, int64_t minutes, int plot_h)
{
	return (int64_t)((wide_t)minutes * plot_h * 100 / s->top_minutes);
}

int64_t
wl_chart_bar_height(const struct wl_chart_scale *s, int64_t seconds, int plot_h)
{
	wide_t h;

	if (seconds <= 0)
		return 0;
	h = (wide_t)seconds * plot_h * 100 / ((wide_t)s->top_minutes * 60);
	if (h < 100)
		h = 100;
	if (h > (wide_t)plot_h * 100)
		h = (wide_t)plot_h * 100;
	return (int64_t)h;
}

void
wl_chart_bar_slot(int i, int n, int plot_w, int64_t *x_centi, int64_t *w_centi)
{
	int64_t left, right;

	assert(n >= 1 && i >= 0 && i < n);
	left = (int64_t)plot_w * 100 * i / n;
	right = (int64_t)plot_w * 100 * (i + 1) / n;
	*w_centi = (right - left) * 4 / 5;
	*x_centi = left + (right - left - *w_centi) / 2;
}

int
wl_chart_label_every(int n, int max_labels)
{
	assert(max_labels >= 1);
	if (n <= max_labels)
		return 1;
	return (n + max_labels - 1) / max_labels;
}
