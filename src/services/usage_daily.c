/*
 * usage_daily.c — the chart's range rule and its read (see usage_daily.h).
 * Whole UTC days only, so the daily totals alone answer: no usage row is
 * read, whatever the history.
 */
#include "services/usage_daily.h"

#include <string.h>

#include "core/timeutil.h"

int
usage_daily_range(const char *from_text, const char *to_text, int64_t today, int64_t *from_day,
		  int64_t *to_day, struct wl_error *err)
{
	bool has_from = from_text != NULL && from_text[0] != '\0';
	bool has_to = to_text != NULL && to_text[0] != '\0';
	int64_t from = today - (USAGE_DAILY_DEFAULT - 1), to = today;

	*from_day = from;
	*to_day = to;
	if (has_to && wl_parse_date(to_text, &to) != WL_OK)
		return wl_fail(err, WL_EINVALID, "The end date must be a date (YYYY-MM-DD).");
	if (has_from && wl_parse_date(from_text, &from) != WL_OK)
		return wl_fail(err, WL_EINVALID, "The start date must be a date (YYYY-MM-DD).");
	if (has_to && !has_from)
		from = to - (USAGE_DAILY_DEFAULT - 1);
	if (from > to)
		return wl_fail(err, WL_EINVALID, "The start date must not be after the end date.");
	if (to - from + 1 > WL_CHART_MAX_DAYS)
		return wl_fail(err, WL_EINVALID, "Choose a range of at most %d days.",
			       WL_CHART_MAX_DAYS);
	*from_day = from;
	*to_day = to;
	return WL_OK;
}

int
usage_daily_read(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		 int64_t from_day, int64_t to_day, struct usage_daily *out, struct wl_error *err)
{
	int rc, i;

	memset(out, 0, sizeof(*out));
	if (from_day > to_day || to_day - from_day + 1 > WL_CHART_MAX_DAYS)
		return wl_fail(err, WL_EINVALID, "Choose a range of at most %d days.",
			       WL_CHART_MAX_DAYS);
	out->from_day = from_day;
	out->to_day = to_day;
	/* a parent's chart is what its minutes paid for, as GET /api/v1/usage */
	rc = store_usage_days(c, org->id, org->parent_id[0] == '\0', from_day, to_day,
			      WL_CHART_MAX_DAYS, out->days, &out->n, err);
	if (rc != WL_OK)
		return rc;
	for (i = 0; i < out->n; i++) {
		out->total_seconds += out->days[i].seconds;
		out->total_calls += out->days[i].calls;
	}
	return pricing_usage_cost(c, app, org, out->total_seconds, &out->cost, err);
}
