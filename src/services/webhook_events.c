/*
 * webhook_events.c — the bodies of status-update, end-of-call-report and
 * balance.low (snake_case, under "message"), queued with webhooks_emit.
 */
#include "services/webhook_events.h"

#include <string.h>

#include "core/buf.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "services/pricing.h"
#include "services/webhooks.h"

struct call_event {
	const struct wl_app *app;
	const struct store_call *call;
	const char *type;
	const char *status;
	const struct webhook_call_extras *x;
};

static void
kv_opt(struct wl_buf *b, const char *key, const char *s)
{
	wl_json_kv_str(b, key, s != NULL && s[0] != '\0' ? s : NULL);
}

static void
kv_time(struct wl_buf *b, const char *key, int64_t ms)
{
	char t[32];

	if (ms > 0) {
		wl_format_iso_ms(ms, t);
		wl_json_kv_str(b, key, t);
	} else {
		wl_json_kv_str(b, key, NULL);
	}
}

void
webhook_events_head(struct wl_buf *b, const char *type, const struct store_call *call)
{
	bool inbound = strcmp(call->direction, "inbound") == 0;

	wl_json_kv_str(b, "type", type);
	kv_time(b, "timestamp", wl_now_ms());
	wl_json_key(b, "call");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", call->id);
	wl_json_kv_str(b, "org_id", call->org_id);
	wl_json_kv_str(b, "type", inbound ? "inbound_phone_call" : "outbound_phone_call");
	wl_json_kv_str(b, "status", call->status);
	kv_opt(b, "from", call->from_number);
	kv_opt(b, "to", call->to_number);
	kv_opt(b, "agent_id", call->agent_id);
	kv_time(b, "created_at", call->created_at);
	kv_time(b, "ended_at", call->ended_at);
	wl_json_obj_end(b);
	wl_json_key(b, "phone_number");
	if (call->number_id[0] != '\0') {
		wl_json_obj_begin(b);
		wl_json_kv_str(b, "id", call->number_id);
		wl_json_obj_end(b);
	} else {
		wl_json_null(b);
	}
	wl_json_key(b, "customer");
	wl_json_obj_begin(b);
	kv_opt(b, "number", inbound ? call->from_number : call->to_number);
	wl_json_obj_end(b);
	wl_json_key(b, "agent");
	if (call->agent_id[0] != '\0') {
		wl_json_obj_begin(b);
		wl_json_kv_str(b, "id", call->agent_id);
		wl_json_obj_end(b);
	} else {
		wl_json_null(b);
	}
}

static int
build_status(struct store_conn *c, const void *arg, struct wl_buf *b, struct wl_error *err)
{
	const struct call_event *e = arg;

	(void)c;
	(void)err;
	wl_json_obj_begin(b);
	wl_json_key(b, "message");
	wl_json_obj_begin(b);
	webhook_events_head(b, e->type, e->call);
	wl_json_kv_str(b, "status", e->status);
	if (strncmp(e->status, "ended", 5) == 0)
		kv_opt(b, "ended_reason", e->call->ended_reason);
	if (strcmp(e->status, "ended-with-error") == 0)
		kv_opt(b, "error", e->x != NULL ? e->x->error : NULL);
	wl_json_obj_end(b);
	wl_json_obj_end(b);
	return WL_OK;
}

int
webhook_events_status(struct store_conn *c, const struct store_call *call, const char *status,
		      const struct webhook_call_extras *x, struct wl_error *err)
{
	struct call_event e = { NULL, call, "status-update", status, x };

	return webhooks_emit(c, call->org_id, call->agent_id, "status-update", build_status, &e,
			     err);
}

static int
build_report(struct store_conn *c, const void *arg, struct wl_buf *b, struct wl_error *err)
{
	const struct call_event *e = arg;
	const struct webhook_call_extras *x = e->x;
	struct pricing_cost cost;
	struct store_org org;
	char text[32];
	int rc;

	if ((rc = store_org_get(c, e->call->org_id, false, &org, err)) != WL_OK ||
	    (rc = pricing_usage_cost(c, e->app, &org, e->call->billed_seconds, &cost, err)) !=
		    WL_OK)
		return rc;
	wl_json_obj_begin(b);
	wl_json_key(b, "message");
	wl_json_obj_begin(b);
	webhook_events_head(b, e->type, e->call);
	kv_opt(b, "ended_reason", e->call->ended_reason);
	wl_json_kv_int(b, "duration_seconds", e->call->elapsed_sec);
	wl_json_kv_int(b, "billed_seconds", e->call->billed_seconds);
	if (cost.known) {
		wl_format_cents(cost.minor, text);
		wl_json_kv_raw(b, "cost", text);
	} else {
		wl_json_kv_str(b, "cost", NULL);
	}
	wl_json_kv_str(b, "currency", cost.currency);
	kv_opt(b, "summary", x != NULL ? x->summary : NULL);
	kv_opt(b, "transcript", x != NULL ? x->transcript : NULL);
	if (x != NULL && x->analysis != NULL)
		wl_json_kv_raw(b, "analysis", x->analysis);
	wl_json_obj_end(b);
	wl_json_obj_end(b);
	return WL_OK;
}

int
webhook_events_report(struct store_conn *c, const struct wl_app *app, const struct store_call *call,
		      const struct webhook_call_extras *x, struct wl_error *err)
{
	struct call_event e = { app, call, "end-of-call-report", "ended", x };

	return webhooks_emit(c, call->org_id, call->agent_id, "end-of-call-report", build_report,
			     &e, err);
}

struct low_event {
	const char *org_id;
	int64_t balance_seconds, minutes;
};

static int
build_low(struct store_conn *c, const void *arg, struct wl_buf *b, struct wl_error *err)
{
	const struct low_event *e = arg;
	char text[32];

	(void)c;
	(void)err;
	wl_json_obj_begin(b);
	wl_json_key(b, "message");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "type", "balance.low");
	kv_time(b, "timestamp", wl_now_ms());
	wl_json_key(b, "organization");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", e->org_id);
	wl_json_obj_end(b);
	wl_format_minutes(e->balance_seconds, text);
	wl_json_kv_raw(b, "balance_minutes", text);
	wl_json_kv_int(b, "threshold_minutes", e->minutes);
	wl_json_obj_end(b);
	wl_json_obj_end(b);
	return WL_OK;
}

int
webhook_events_balance_low(struct store_conn *c, const char *org_id, int64_t balance_seconds,
			   int64_t threshold_minutes, struct wl_error *err)
{
	struct low_event e = { org_id, balance_seconds, threshold_minutes };

	return webhooks_emit(c, org_id, "", "balance.low", build_low, &e, err);
}
