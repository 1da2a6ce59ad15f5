/*
 * stripe.c — the agency's Stripe lists in the API: its purchases
 * (GET /api/v1/whitelabel/purchases) and its Stripe events log, every
 * webhook delivery received (GET /api/v1/whitelabel/stripe-events), both
 * newest first and paged like every list (limit, cursor). Parent orgs only.
 */
#include "api/api.h"

#include "core/cursor.h"
#include "core/timeutil.h"
#include "services/purchases.h"
#include "services/whitelabel.h"

static bool
agency_page(struct wl_req *req, int *limit, int64_t *cursor_ms, char cursor_id[64])
{
	struct wl_error err;

	wl_error_clear(&err);
	if (whitelabel_require_parent(&req->org, &err) != WL_OK ||
	    api_page(req, 50, PAGE_MAX, limit, cursor_ms, cursor_id, &err) != WL_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

static void
render_purchase(struct wl_buf *b, const void *row)
{
	const struct store_purchase *p = row;
	char t[WL_CURSOR_TEXT_MAX];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", p->id);
	wl_json_kv_str(b, "org_id", p->org_id);
	wl_json_kv_str(b, "user_id", p->user_id[0] ? p->user_id : NULL);
	wl_json_kv_str(b, "email", p->email[0] ? p->email : NULL);
	wl_json_kv_str(b, "status", p->status);
	wl_json_kv_int(b, "credits", p->credits);
	wl_json_kv_int(b, "amount_cents", p->amount_cents);
	wl_json_kv_str(b, "currency", p->currency);
	wl_json_kv_str(b, "stripe_session_id", p->session_id);
	wl_json_kv_str(b, "stripe_event_id", p->event_id[0] ? p->event_id : NULL);
	wl_format_iso_ms(p->created_at, t);
	wl_json_kv_str(b, "created_at", t);
	if (p->paid_at > 0) {
		wl_format_iso_ms(p->paid_at, t);
		wl_json_kv_str(b, "paid_at", t);
	} else {
		wl_json_kv_str(b, "paid_at", NULL);
	}
	wl_json_obj_end(b);
}

static void
purchase_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_purchase *p = row;

	*ms = p->created_at;
	*id = p->id;
}

void
api_whitelabel_purchases(struct wl_req *req)
{
	static const struct api_list_shape shape = { "purchases", render_purchase,
						     purchase_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	if (!agency_page(req, &limit, &cursor_ms, cursor_id))
		return;
	wl_error_clear(&err);
	if (purchases_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) !=
	    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

static void
render_event(struct wl_buf *b, const void *row)
{
	const struct store_stripe_event *e = row;
	char t[WL_CURSOR_TEXT_MAX];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", e->id);
	wl_format_iso_ms(e->received_at, t);
	wl_json_kv_str(b, "received_at", t);
	wl_json_kv_str(b, "event_id", e->event_id[0] ? e->event_id : NULL);
	wl_json_kv_str(b, "type", e->type[0] ? e->type : NULL);
	wl_json_kv_str(b, "signature", e->signature);
	wl_json_kv_str(b, "outcome", e->outcome);
	wl_json_kv_str(b, "org_id", e->org_id[0] ? e->org_id : NULL);
	wl_json_kv_str(b, "session_id", e->session_id[0] ? e->session_id : NULL);
	wl_json_kv_str(b, "detail", e->detail);
	wl_json_obj_end(b);
}

static void
event_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_stripe_event *e = row;

	*ms = e->received_at;
	*id = e->id;
}

void
api_whitelabel_stripe_events(struct wl_req *req)
{
	static const struct api_list_shape shape = { "events", render_event, event_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	if (!agency_page(req, &limit, &cursor_ms, cursor_id))
		return;
	wl_error_clear(&err);
	if (purchases_events_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) !=
	    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}
