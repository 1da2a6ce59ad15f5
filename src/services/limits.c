/*
 * limits.c — a client's limits: checked when a call is created, set by its
 * agency (see limits.h).
 */
#include "services/limits.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"

int
limits_check(struct store_conn *c, const char *org_id, int64_t now, struct wl_error *err)
{
	struct store_limits l;
	int64_t n;
	int rc;

	if ((rc = store_limits_get(c, org_id, &l, err)) != WL_OK)
		return rc;
	if (l.max_concurrent_calls != STORE_NO_LIMIT) {
		if ((rc = store_calls_open(c, org_id, &n, err)) != WL_OK)
			return rc;
		if (n >= l.max_concurrent_calls)
			return wl_fail(err, WL_ECONCURRENCY,
				       "This organization may have at most %lld calls at once; "
				       "wait for one to end",
				       (long long)l.max_concurrent_calls);
	}
	if (l.monthly_minutes != STORE_NO_LIMIT) {
		if ((rc = store_billed_since(c, org_id, wl_month_start_ms(now), &n, err)) != WL_OK)
			return rc;
		if (n >= l.monthly_minutes * 60)
			return wl_fail(err, WL_EMONTHLY,
				       "This organization has used its %lld minutes for this month",
				       (long long)l.monthly_minutes);
	}
	return WL_OK;
}

/* The client org, locked, when it is agency_id's client. */
static int
client_of(struct store_conn *c, const char *agency_id, const char *org_id, bool lock,
	  struct wl_error *err)
{
	struct store_org org;
	int rc = store_org_get(c, org_id, lock, &org, err);

	if (rc == WL_ENOTFOUND || (rc == WL_OK && strcmp(org.parent_id, agency_id) != 0))
		return wl_fail(err, WL_ENOTFOUND, "client organization not found");
	return rc;
}

int
limits_read(struct store_conn *c, const char *agency_id, const char *org_id,
	    struct store_limits *out, struct wl_error *err)
{
	int rc = client_of(c, agency_id, org_id, false, err);

	return rc != WL_OK ? rc : store_limits_get(c, org_id, out, err);
}

static void
detail_limit(struct wl_buf *b, const char *key, int64_t v)
{
	wl_json_key(b, key);
	if (v == STORE_NO_LIMIT)
		wl_json_null(b);
	else
		wl_json_int(b, v);
}

int
limits_put_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct limits_put *r = arg;
	struct store_limits before;
	struct wl_buf detail;
	int64_t now = wl_now_ms();
	int rc;

	r->changed = false;
	/* the same lock a call's creation takes: a change waits for it */
	if ((rc = client_of(c, r->agency_id, r->org_id, true, err)) != WL_OK)
		return rc;
	if ((rc = store_limits_get(c, r->org_id, &before, err)) != WL_OK)
		return rc;
	r->result = before;
	if (r->set_concurrent)
		r->result.max_concurrent_calls = r->want.max_concurrent_calls;
	if (r->set_monthly)
		r->result.monthly_minutes = r->want.monthly_minutes;
	if (r->result.max_concurrent_calls == before.max_concurrent_calls &&
	    r->result.monthly_minutes == before.monthly_minutes)
		return WL_OK;
	if ((rc = store_limits_put(c, r->org_id, &r->result, now, err)) != WL_OK)
		return rc;
	trail_detail_begin(&detail);
	if (r->result.max_concurrent_calls != before.max_concurrent_calls)
		detail_limit(&detail, "max_concurrent_calls", r->result.max_concurrent_calls);
	if (r->result.monthly_minutes != before.monthly_minutes)
		detail_limit(&detail, "monthly_minutes", r->result.monthly_minutes);
	rc = trail_record(c, &r->actor, r->org_id, r->agency_id, TRAIL_LIMITS, &detail, now, err);
	trail_detail_free(&detail);
	r->changed = rc == WL_OK;
	return rc;
}
