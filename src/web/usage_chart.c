/*
 * usage_chart.c — the minutes-per-day chart of the dashboards (the agency
 * dashboard's home and the client portal's), drawn on the server as SVG by
 * the template partial usage_chart.html: this file turns the daily totals
 * (services/usage_daily.h) and the geometry of core/chart.h into the
 * template's values. No script: bars carry <title> tooltips, the <svg> a
 * role and a label that says what it shows.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/chart.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/whitelabel.h"
#include "services/usage_daily.h"

/* The viewBox and the plot inside it, in px. */
#define CHART_W 720
#define CHART_H 250
#define PLOT_X 56
#define PLOT_Y 12
#define PLOT_W 648
#define PLOT_H 200
#define MAX_TICKS 5
#define MAX_LABELS 8

static void
put_centi(struct tpl_data *d, const char *name, int64_t centi)
{
	tpl_putf(d, name, "%lld.%02lld", (long long)(centi / 100), (long long)(centi % 100));
}

static void
day_text(int64_t day, char out[16], bool short_form)
{
	int64_t y;
	unsigned m, dd;

	wl_civil_from_days(day, &y, &m, &dd);
	if (short_form)
		snprintf(out, 16, "%02u-%02u", m, dd);
	else
		snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, dd);
}

static void
put_axis(struct tpl_data *d, const struct wl_chart_scale *s)
{
	struct tpl_data *t;

	tpl_put_list(d, "chart_ticks");
	for (int i = 0; i <= s->ticks; i++) {
		t = tpl_push(d, "chart_ticks");
		put_centi(t, "y",
			  (PLOT_Y + PLOT_H) * 100 -
				  wl_chart_tick_height(s, s->step_minutes * i, PLOT_H));
		tpl_putf(t, "label", "%lld", (long long)(s->step_minutes * i));
	}
}

static void
put_bars(struct tpl_data *d, const struct usage_daily *u, const struct wl_chart_scale *s)
{
	int ndays = (int)(u->to_day - u->from_day + 1);
	int every = wl_chart_label_every(ndays, MAX_LABELS);
	struct tpl_data *b;
	int64_t x, w, h;
	char date[16], minutes[32];

	tpl_put_list(d, "chart_bars");
	for (int i = 0; i < u->n; i++) {
		const struct store_usage_day *day = &u->days[i];

		wl_chart_bar_slot((int)(day->day - u->from_day), ndays, PLOT_W, &x, &w);
		h = wl_chart_bar_height(s, day->seconds, PLOT_H);
		b = tpl_push(d, "chart_bars");
		put_centi(b, "x", PLOT_X * 100 + x);
		put_centi(b, "w", w);
		put_centi(b, "y", (PLOT_Y + PLOT_H) * 100 - h);
		put_centi(b, "h", h);
		day_text(day->day, date, false);
		wl_format_minutes(day->seconds, minutes);
		tpl_put(b, "date", date);
		tpl_putf(b, "title", "%s: %s min in %lld call%s", date, minutes,
			 (long long)day->calls, day->calls == 1 ? "" : "s");
	}
	tpl_put_list(d, "chart_labels");
	for (int i = 0; i < ndays; i += every) {
		b = tpl_push(d, "chart_labels");
		wl_chart_bar_slot(i, ndays, PLOT_W, &x, &w);
		put_centi(b, "x", PLOT_X * 100 + x + w / 2);
		day_text(u->from_day + i, date, true);
		tpl_put(b, "label", date);
	}
}

static void
put_totals(struct tpl_data *d, const struct usage_daily *u)
{
	char minutes[32], cost[32], from[16], to[16];

	wl_format_minutes(u->total_seconds, minutes);
	day_text(u->from_day, from, false);
	day_text(u->to_day, to, false);
	tpl_put(d, "chart_from", from);
	tpl_put(d, "chart_to", to);
	tpl_put(d, "chart_minutes", minutes);
	tpl_putf(d, "chart_calls", "%lld", (long long)u->total_calls);
	tpl_putf(d, "chart_days", "%lld", (long long)(u->to_day - u->from_day + 1));
	if (u->cost.known) {
		wl_format_cents(u->cost.minor, cost);
		tpl_putf(d, "chart_cost", "%s%s", wl_currency_symbol(u->cost.currency), cost);
	} else {
		tpl_put(d, "chart_cost", "—");
	}
	tpl_putf(d, "chart_label", "Minutes per day from %s to %s: %s minutes in %lld calls", from,
		 to, minutes, (long long)u->total_calls);
	tpl_put_bool(d, "chart_empty", u->n == 0);
}

int
web_usage_chart(struct wl_req *req, struct tpl_data *d, int *status)
{
	struct usage_daily *u = http_alloc(req, sizeof(*u));
	struct wl_chart_scale scale;
	struct wl_error err;
	int64_t from, to, max_seconds = 0;

	wl_error_clear(&err);
	if (u == NULL)
		return wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
	if (usage_daily_range(http_query(req, "from"), http_query(req, "to"),
			      req->now_ms / WL_MS_PER_DAY, &from, &to, &err) != WL_OK) {
		tpl_put(d, "chart_error", err.message);
		*status = 400;
		wl_error_clear(&err);
	}
	if (usage_daily_read(req->conn, req->app, &req->org, from, to, u, &err) != WL_OK)
		return err.code;
	for (int i = 0; i < u->n; i++)
		if (u->days[i].seconds > max_seconds)
			max_seconds = u->days[i].seconds;
	wl_chart_scale(max_seconds, MAX_TICKS, &scale);
	tpl_putf(d, "chart_w", "%d", CHART_W);
	tpl_putf(d, "chart_h", "%d", CHART_H);
	tpl_putf(d, "plot_left", "%d", PLOT_X);
	tpl_putf(d, "plot_right", "%d", PLOT_X + PLOT_W);
	tpl_putf(d, "plot_bottom", "%d", PLOT_Y + PLOT_H);
	tpl_putf(d, "tick_x", "%d", PLOT_X - 6);
	tpl_putf(d, "label_y", "%d", PLOT_Y + PLOT_H + 18);
	tpl_putf(d, "axis_title_y", "%d", PLOT_Y + PLOT_H + 36);
	put_axis(d, &scale);
	put_bars(d, u, &scale);
	put_totals(d, u);
	return WL_OK;
}
