/*
 * account.c — GET /api/v1/account, GET /api/v1/usage and its CSV export
 * GET /api/v1/usage.csv (streamed: services/usage_export.h).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "services/accounts.h"
#include "services/calls.h"
#include "services/usage_export.h"

void
api_account_get(struct wl_req *req)
{
	struct account_view v;
	struct wl_error err;
	char minutes[32];

	wl_error_clear(&err);
	if (req->month_known) {
		v.org = req->org;
		v.month_usage_seconds = req->month_usage_seconds;
	} else if (accounts_view(req->conn, &req->org, req->now_ms, &v, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "id", v.org.id);
	wl_json_kv_str(&req->out, "company_name", v.org.name);
	wl_format_minutes(v.org.balance_seconds, minutes);
	wl_json_kv_raw(&req->out, "minutes_balance", minutes);
	wl_format_minutes(v.month_usage_seconds, minutes);
	wl_json_kv_raw(&req->out, "monthly_usage_minutes", minutes);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

/* start_date/end_date: inclusive UTC days; default this month up to today. */
static int
usage_range(struct wl_req *req, int64_t *from_day, int64_t *to_day, struct wl_error *err)
{
	const char *s = http_query(req, "start_date");
	const char *e = http_query(req, "end_date");

	*from_day = wl_month_start_ms(req->now_ms) / 86400000LL;
	*to_day = req->now_ms / 86400000LL;
	if (s != NULL && wl_parse_date(s, from_day) != WL_OK)
		return wl_fail(err, WL_EINVALID, "start_date must be a date as YYYY-MM-DD");
	if (e != NULL && wl_parse_date(e, to_day) != WL_OK)
		return wl_fail(err, WL_EINVALID, "end_date must be a date as YYYY-MM-DD");
	if (*from_day > *to_day)
		return wl_fail(err, WL_EINVALID, "start_date must not be after end_date");
	return WL_OK;
}

/* "total_cost" and "currency" by services/pricing.h: null when the org has
 * no price (a client of an agency without a package). */
static void
kv_cost(struct wl_buf *b, const struct pricing_cost *cost)
{
	char text[32];

	if (cost->known) {
		wl_format_cents(cost->minor, text);
		wl_json_kv_raw(b, "total_cost", text);
	} else {
		wl_json_kv_str(b, "total_cost", NULL);
	}
	wl_json_kv_str(b, "currency", cost->currency);
}

void
api_usage_get(struct wl_req *req)
{
	struct usage_report rep;
	const struct store_usage *rows;
	struct wl_error err;
	int64_t from_day, to_day, cursor_ms;
	char cursor_id[64], text[WL_CURSOR_TEXT_MAX];
	int i, limit;

	wl_error_clear(&err);
	if (usage_range(req, &from_day, &to_day, &err) != WL_OK ||
	    api_page(req, 100, CALLS_PAGE_MAX, &limit, &cursor_ms, cursor_id, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (calls_usage(req->conn, req->app, &req->org, from_day, to_day, cursor_ms, cursor_id,
			limit, &rep, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	rows = usage_rows(&rep);
	wl_json_obj_begin(&req->out);
	wl_json_key(&req->out, "usage");
	wl_json_arr_begin(&req->out);
	for (i = 0; i < rep.page.n; i++) {
		const struct store_usage *u = &rows[i];

		wl_json_obj_begin(&req->out);
		wl_json_kv_str(&req->out, "id", u->id);
		wl_json_kv_int(&req->out, "duration_sec", u->duration_sec);
		wl_format_iso_ms(u->created_at, text);
		wl_json_kv_str(&req->out, "created_at", text);
		wl_json_kv_str(&req->out, "number_id", u->number_id[0] ? u->number_id : NULL);
		wl_json_obj_end(&req->out);
	}
	wl_json_arr_end(&req->out);
	wl_json_key(&req->out, "summary");
	wl_json_obj_begin(&req->out);
	wl_json_kv_int(&req->out, "total_seconds", rep.total_seconds);
	wl_format_minutes(rep.total_seconds, text);
	wl_json_kv_raw(&req->out, "total_minutes", text);
	kv_cost(&req->out, &rep.cost);
	wl_json_obj_end(&req->out);
	api_kv_next_cursor(&req->out, rep.page.more,
			   rep.page.n > 0 ? rows[rep.page.n - 1].created_at : 0,
			   rep.page.n > 0 ? rows[rep.page.n - 1].id : "");
	wl_json_obj_end(&req->out);
	usage_report_free(&rep);
	http_reply_json(req, 200);
}

static int
export_next(struct store_conn *c, void *state, struct wl_buf *out, bool *done, struct wl_error *err)
{
	return usage_export_next(c, state, out, done, err);
}

static void
export_free(void *state)
{
	usage_export_free(state);
}

/* The same rows and range as GET /api/v1/usage, every page of them: the
 * header and the first page now (so a failing read is still a JSON error),
 * the rest streamed. */
void
api_usage_csv(struct wl_req *req)
{
	struct usage_export *x;
	struct http_stream_source src = { export_next, export_free, NULL };
	struct wl_error err;
	int64_t from_day, to_day, y;
	unsigned m1, d1, m2, d2;
	char disposition[96];
	bool done;

	wl_error_clear(&err);
	if (usage_range(req, &from_day, &to_day, &err) != WL_OK ||
	    usage_export_open(req->conn, req->app, &req->org, from_day, to_day, &x, &err) !=
		    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (usage_export_next(req->conn, x, &req->out, &done, &err) != WL_OK) {
		usage_export_free(x);
		wl_buf_reset(&req->out);
		http_reply_error(req, &err);
		return;
	}
	wl_civil_from_days(from_day, &y, &m1, &d1);
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"usage-%04lld-%02u-%02u",
		 (long long)y, m1, d1);
	wl_civil_from_days(to_day, &y, &m2, &d2);
	snprintf(disposition + strlen(disposition), sizeof(disposition) - strlen(disposition),
		 "-to-%04lld-%02u-%02u.csv\"", (long long)y, m2, d2);
	http_add_header(req, "Content-Disposition", disposition);
	if (done) {
		/* One piece was all of it: no stream needed. */
		usage_export_free(x);
		http_reply_document(req, "text/csv; charset=utf-8");
		return;
	}
	src.state = x;
	http_reply_stream(req, 200, "text/csv; charset=utf-8", &src);
}
