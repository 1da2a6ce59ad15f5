/*
 * chart.h — the geometry of the minutes-per-day bar chart, pure: the value
 * axis (a "nice" top and tick step), bar heights and slots, and how many
 * day labels fit. Units: seconds in, centi-pixels (1/100 px of the SVG's
 * viewBox) out, integers throughout. src/web/usage_chart.c draws it.
 */
#ifndef WL_CORE_CHART_H
#define WL_CORE_CHART_H

#include <stdint.h>

/* The longest range a chart draws (a leap year). */
#define WL_CHART_MAX_DAYS 366

struct wl_chart_scale {
	int64_t top_minutes;  /* the axis's top: step * ticks, >= 1 */
	int64_t step_minutes; /* 1, 2 or 5 times a power of ten */
	int ticks;            /* gridlines above zero, 1..max_ticks */
};

/* The smallest axis of 1/2/5 x 10^k steps whose top holds max_seconds (in
 * whole minutes, rounded up) with at most max_ticks (>= 1) steps. An empty
 * range (0) gets the axis 0..1 minute. */
void wl_chart_scale(int64_t max_seconds, int max_ticks, struct wl_chart_scale *out);
/* The height of a bar of `seconds` on a plot plot_h px high, in centi-px:
 * proportional to the top, never above the plot, and at least 1 px when
 * seconds > 0 (a small day beside a huge one stays visible). */
int64_t wl_chart_bar_height(const struct wl_chart_scale *s, int64_t seconds, int plot_h);
/* The height of value `minutes` (a tick) on that plot, in centi-px. */
int64_t wl_chart_tick_height(const struct wl_chart_scale *s, int64_t minutes, int plot_h);
/* Bar i of n (0 <= i < n) across plot_w px: its left edge from the plot's
 * and its width, in centi-px; a fifth of each slot is the gap. */
void wl_chart_bar_slot(int i, int n, int plot_w, int64_t *x_centi, int64_t *w_centi);
/* Label every k-th day so that n days carry at most max_labels labels. */
int wl_chart_label_every(int n, int max_labels);

#endif
