/*
 * usage_daily.h — minutes per day of an org over a range of UTC days, read
 * from the daily totals (usage_days), for the dashboards' chart: the rows
 * of GET /api/v1/usage summed by day (a parent: what its minutes paid for;
 * a client: its own calls), with the range's totals and cost.
 */
#ifndef WL_USAGE_DAILY_H
#define WL_USAGE_DAILY_H

#include "core/chart.h"
#include "services/app.h"
#include "services/pricing.h"
#include "store/store.h"

/* Without dates the chart shows the last USAGE_DAILY_DEFAULT days. */
#define USAGE_DAILY_DEFAULT 30

/* The chart's range from its form: "YYYY-MM-DD" texts (NULL or "": the
 * default, ending today), at most WL_CHART_MAX_DAYS days, not reversed.
 * On WL_EINVALID (message for people) the default range is set. */
int usage_daily_range(const char *from_text, const char *to_text, int64_t today, int64_t *from_day,
		      int64_t *to_day, struct wl_error *err);

struct usage_daily {
	int64_t from_day, to_day;
	struct store_usage_day days[WL_CHART_MAX_DAYS]; /* days with calls, in order */
	int n;
	int64_t total_seconds, total_calls;
	struct pricing_cost cost;
};
/* WL_EINVALID for a range usage_daily_range would refuse. */
int usage_daily_read(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		     int64_t from_day, int64_t to_day, struct usage_daily *out,
		     struct wl_error *err);

#endif
