/*
 * webhooks.c — the webhook endpoints of the acting org (/api/v1/webhooks),
 * their delivery log and resend, and the low-balance alert threshold
 * (/api/v1/account/alerts). The rules are the service's
 * (services/webhooks.c); a secret is answered once, when made or rotated.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "core/webhook.h"
#include "services/webhooks.h"

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

static void
endpoint_fields(struct wl_buf *b, const struct store_wh_endpoint *e)
{
	const char *p = e->events;

	wl_json_kv_str(b, "id", e->id);
	wl_json_kv_str(b, "org_id", e->org_id);
	wl_json_kv_str(b, "url", e->url);
	wl_json_key(b, "events");
	wl_json_arr_begin(b);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		wl_json_strn(b, p, n);
		p += n + (p[n] == ',');
	}
	wl_json_arr_end(b);
	wl_json_kv_str(b, "description", e->description);
	kv_time(b, "previous_secret_valid_until",
		e->old_secret_sealed[0] != '\0' ? e->old_secret_until : 0);
	kv_time(b, "created_at", e->created_at);
	kv_time(b, "updated_at", e->updated_at);
}

static void
render_endpoint(struct wl_buf *b, const void *row)
{
	wl_json_obj_begin(b);
	endpoint_fields(b, row);
	wl_json_obj_end(b);
}

/* The endpoint, and its new secret this once. */
static void
render_with_secret(struct wl_buf *b, const struct store_wh_endpoint *e, const char *secret)
{
	wl_json_obj_begin(b);
	endpoint_fields(b, e);
	wl_json_kv_str(b, "secret", secret);
	wl_json_obj_end(b);
}

static void
endpoint_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_wh_endpoint *e = row;

	*ms = e->created_at;
	*id = e->id;
}

static void
render_delivery(struct wl_buf *b, const void *row)
{
	const struct store_wh_delivery *d = row;

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", d->id);
	wl_json_kv_str(b, "endpoint_id", d->endpoint_id);
	wl_json_kv_str(b, "event", d->event);
	/* an agent's webhook_url, when it went there instead of the endpoint's */
	wl_json_kv_str(b, "url", d->url[0] != '\0' ? d->url : NULL);
	wl_json_kv_str(b, "status", d->status);
	wl_json_kv_int(b, "attempts", d->attempts);
	kv_time(b, "next_attempt_at", strcmp(d->status, "pending") == 0 ? d->next_attempt_at : 0);
	wl_json_key(b, "last_status_code");
	if (d->last_status_code > 0)
		wl_json_int(b, d->last_status_code);
	else
		wl_json_null(b);
	wl_json_kv_int(b, "last_duration_ms", d->last_duration_ms);
	wl_json_kv_str(b, "last_error", d->last_error[0] != '\0' ? d->last_error : NULL);
	wl_json_kv_str(b, "response", d->last_response);
	kv_time(b, "created_at", d->created_at);
	kv_time(b, "updated_at", d->updated_at);
	wl_json_obj_end(b);
}

static void
delivery_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_wh_delivery *d = row;

	*ms = d->created_at;
	*id = d->id;
}

static const char *const endpoint_known[] = { "url", "events", "description", NULL };

/* Reads {url, events[], description} into in (strings in request memory). */
static int
read_input(struct wl_req *req, json_t *body, struct webhook_input *in, struct wl_error *err)
{
	json_t *events = json_object_get(body, "events"), *v;
	char *list;
	size_t i;

	memset(in, 0, sizeof(*in));
	if (api_unknown_fields_named(body, endpoint_known, err) != WL_OK)
		return err->code;
	if (api_take_string(req, body, "url", "url", WL_URL_MAX, &in->url, err) != WL_OK ||
	    api_take_string(req, body, "description", "description", WL_WEBHOOK_DESC_MAX,
			    &in->description, err) != WL_OK)
		return err->code;
	if (in->url != NULL && in->url[0] == '\0')
		in->url = NULL, wl_error_field(err, "url", "must not be null");
	if (events != NULL) {
		if ((list = http_alloc(req, WL_WEBHOOK_EVENTS_MAX + 1)) == NULL)
			return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
		list[0] = '\0';
		in->events = list;
		if (!json_is_array(events) || json_array_size(events) > 16)
			wl_error_field(err, "events", "must be an array of event names");
		else
			json_array_foreach (events, i, v) {
				struct wl_error e2;

				wl_error_clear(&e2);
				if (!json_is_string(v) ||
				    wl_webhook_events_add(list, WL_WEBHOOK_EVENTS_MAX + 1,
							  json_string_value(v), &e2) != WL_OK) {
					wl_error_field(err, "events",
						       "must name events of: status-update, "
						       "end-of-call-report, balance.low");
					break;
				}
			}
	}
	return WL_OK;
}

static bool
valid_id(struct wl_req *req, const char *what)
{
	if (wl_valid_uuid(req->params[0]))
		return true;
	http_reply_fail(req, WL_ENOTFOUND, "%s not found", what);
	return false;
}

void
api_webhooks_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "webhooks", render_endpoint, endpoint_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_page(req, 100, PAGE_MAX, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    webhooks_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) !=
		    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

static void
created(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_create *r = arg;

	if (rc == WL_OK) {
		render_with_secret(&req->out, &r->endpoint, r->secret);
		http_reply_json(req, 201);
	} else {
		http_reply_error(req, err);
	}
	sodium_memzero(r->secret, sizeof(r->secret));
}

void
api_webhooks_create(struct wl_req *req)
{
	struct webhooks_create *r = http_alloc(req, sizeof(*r));
	struct webhook_input in;
	struct wl_error err;
	json_t *body = api_body_object(req);

	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (r == NULL)
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
	else if (read_input(req, body, &in, &err) == WL_OK &&
		 webhooks_check(&in, true, &err) == WL_OK)
		webhooks_create_prepare(req->app, req->org.id, &in, r, &err);
	json_decref(body);
	if (err.code != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, webhooks_create_run, r, created);
}

void
api_webhooks_get(struct wl_req *req)
{
	struct store_wh_endpoint e;
	struct wl_error err;

	wl_error_clear(&err);
	if (!valid_id(req, "webhook endpoint"))
		return;
	if (webhooks_get(req->conn, req->org.id, req->params[0], &e, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	render_endpoint(&req->out, &e);
	http_reply_json(req, 200);
}

static void
updated(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_update *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_endpoint(&req->out, &r->endpoint);
	http_reply_json(req, 200);
}

void
api_webhooks_update(struct wl_req *req)
{
	struct webhooks_update *r = http_alloc(req, sizeof(*r));
	struct wl_error err;
	json_t *body;

	if (!valid_id(req, "webhook endpoint") || (body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	if (r == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
	} else {
		memset(r, 0, sizeof(*r));
		memcpy(r->org_id, req->org.id, WL_ID_LEN);
		memcpy(r->id, req->params[0], WL_ID_LEN);
		if (read_input(req, body, &r->in, &err) == WL_OK)
			webhooks_check(&r->in, false, &err);
	}
	json_decref(body);
	if (err.code != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, webhooks_update_run, r, updated);
}

static void
deleted(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_delete *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "id", r->id);
	wl_json_kv_bool(&req->out, "deleted", true);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

void
api_webhooks_delete(struct wl_req *req)
{
	struct webhooks_delete *r = http_alloc(req, sizeof(*r));

	if (!valid_id(req, "webhook endpoint"))
		return;
	if (r == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	memcpy(r->id, req->params[0], WL_ID_LEN);
	http_submit(req, webhooks_delete_run, r, deleted);
}

static void
rotated(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_rotate *r = arg;

	if (rc == WL_OK) {
		render_with_secret(&req->out, &r->endpoint, r->secret);
		http_reply_json(req, 200);
	} else {
		http_reply_error(req, err);
	}
	sodium_memzero(r->secret, sizeof(r->secret));
}

void
api_webhooks_rotate(struct wl_req *req)
{
	struct webhooks_rotate *r = http_alloc(req, sizeof(*r));
	struct wl_error err;

	if (!valid_id(req, "webhook endpoint"))
		return;
	wl_error_clear(&err);
	if (r == NULL)
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
	else
		webhooks_rotate_prepare(req->app, req->org.id, req->params[0], r, &err);
	if (err.code != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, webhooks_rotate_run, r, rotated);
}

void
api_webhooks_deliveries(struct wl_req *req)
{
	static const struct api_list_shape shape = { "deliveries", render_delivery,
						     delivery_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	if (!valid_id(req, "webhook endpoint"))
		return;
	wl_error_clear(&err);
	if (api_page(req, 50, 200, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    webhooks_deliveries(req->conn, req->org.id, req->params[0], cursor_ms, cursor_id, limit,
				&pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

static void
resent(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_resend *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_delivery(&req->out, &r->delivery);
	http_reply_json(req, 202);
}

void
api_webhooks_resend(struct wl_req *req)
{
	struct webhooks_resend *r = http_alloc(req, sizeof(*r));

	if (!valid_id(req, "webhook delivery"))
		return;
	if (r == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	memcpy(r->id, req->params[0], WL_ID_LEN);
	http_submit(req, webhooks_resend_run, r, resent);
}

/* ---- the low-balance alert ---------------------------------------------------------- */

static void
render_alerts(struct wl_buf *b, const struct store_org *org)
{
	char minutes[32];

	wl_json_obj_begin(b);
	wl_json_key(b, "low_balance_minutes");
	if (org->low_balance_minutes > 0)
		wl_json_int(b, org->low_balance_minutes);
	else
		wl_json_null(b);
	wl_format_minutes(org->balance_seconds, minutes);
	wl_json_kv_raw(b, "minutes_balance", minutes);
	wl_json_kv_bool(b, "balance_low", webhooks_balance_low(org));
	wl_json_obj_end(b);
}

void
api_alerts_get(struct wl_req *req)
{
	render_alerts(&req->out, &req->org);
	http_reply_json(req, 200);
}

static void
alerts_saved(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_alerts *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_alerts(&req->out, &r->org);
	http_reply_json(req, 200);
}

static const char *const alerts_known[] = { "low_balance_minutes", NULL };

void
api_alerts_put(struct wl_req *req)
{
	struct webhooks_alerts *r = http_alloc(req, sizeof(*r));
	struct wl_error err;
	json_t *body = api_body_object(req);
	int64_t minutes = 0;

	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (r == NULL)
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
	else if (api_unknown_fields_named(body, alerts_known, &err) == WL_OK &&
		 json_object_get(body, "low_balance_minutes") == NULL)
		wl_error_field(&err, "low_balance_minutes", "is required (a number, or null: off)");
	else if (err.code == WL_OK)
		api_int(body, "low_balance_minutes", false, 1, 10000000, &minutes, &err);
	json_decref(body);
	if (err.code != WL_OK) {
		if (err.code == WL_EINVALID)
			err.code = WL_EVALIDATION;
		http_reply_error(req, &err);
		return;
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	r->low_balance_minutes = minutes;
	http_submit(req, webhooks_alerts_run, r, alerts_saved);
}
