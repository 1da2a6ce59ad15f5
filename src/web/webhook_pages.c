/*
 * webhook_pages.c — the dashboard's Webhooks pages for the org acted on (the
 * organization switcher's choice, carried as ?org= and the forms' "org"
 * field): the endpoints (made with a secret shown once on the answer page,
 * rotated the same way, deleted), each endpoint's delivery log paged 50 at
 * a time with a Resend button per delivery, and the low-balance threshold.
 * Every rule is services/webhooks.c's; a finish never queries the database
 * (the page chrome is read before the write is queued).
 */
#include "web/web.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "core/webhook.h"
#include "services/webhooks.h"

#define LOG_PAGE 50

static void
put_when(struct tpl_data *d, const char *name, int64_t ms)
{
	char t[32];

	wl_format_iso_ms(ms, t);
	t[19] = '\0';
	t[10] = ' ';
	tpl_putf(d, name, "%s UTC", t);
}

/* "/dashboard/webhooks[/{id}][?org=…][&flash]" */
static void
back_to(struct wl_req *req, const char *endpoint_id, const char *flash)
{
	char loc[200];
	const char *q = web_org_query(req);

	snprintf(loc, sizeof(loc), "/dashboard/webhooks%s%s%s%s%s", endpoint_id[0] ? "/" : "",
		 endpoint_id, q, q[0] ? "&" : "?", flash);
	http_redirect(req, loc);
}

/* The event checkboxes, `chosen` (a comma-separated list) ticked. */
static void
put_event_choices(struct tpl_data *d, const char *chosen)
{
	struct tpl_data *row;
	size_t i;

	tpl_put_list(d, "event_choices");
	for (i = 0; wl_webhook_events[i] != NULL; i++) {
		row = tpl_push(d, "event_choices");
		tpl_put(row, "name", wl_webhook_events[i]);
		tpl_put_bool(row, "checked", wl_webhook_events_has(chosen, wl_webhook_events[i]));
	}
}

static void
put_endpoint(struct tpl_data *row, const struct store_wh_endpoint *e)
{
	tpl_put(row, "id", e->id);
	tpl_put(row, "url", e->url);
	tpl_put(row, "events", e->events);
	tpl_put(row, "description", e->description);
	put_when(row, "created", e->created_at);
}

/* The list page: endpoints, the create form, the threshold form. */
static void
list_page(struct wl_req *req, const struct accounts_chrome *chrome, int status,
	  const struct page *pg, const struct wl_error *err)
{
	struct tpl_data *d = chrome != NULL
				     ? web_page_data_with(req, chrome, "Webhooks", "webhooks")
				     : web_page_data(req, "Webhooks", "webhooks");
	const struct store_wh_endpoint *rows = pg != NULL ? pg->rows : NULL;
	struct tpl_data *row;
	int i;

	if (d == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	tpl_put_bool(d, "deleted", http_query(req, "deleted") != NULL);
	tpl_put_bool(d, "alerts_saved", http_query(req, "alerts") != NULL);
	put_event_choices(d, err != NULL ? "" : "status-update,end-of-call-report");
	if (err != NULL) {
		tpl_put(d, "form_error", err->message);
		for (i = 0; i < err->nfields; i++) {
			row = tpl_push(d, "field_errors");
			tpl_put(row, "field", err->fields[i].name);
			tpl_put(row, "message", err->fields[i].message);
		}
	}
	tpl_put_list(d, "endpoints");
	for (i = 0; pg != NULL && i < pg->n; i++) {
		row = tpl_push(d, "endpoints");
		put_endpoint(row, &rows[i]);
		tpl_put_bool(row, "signing", i == 0);
	}
	if (req->org.low_balance_minutes > 0)
		tpl_putf(d, "low_balance_minutes", "%lld", (long long)req->org.low_balance_minutes);
	tpl_put_bool(d, "balance_low", webhooks_balance_low(&req->org));
	web_render(req, status, "webhooks", d);
}

void
web_webhooks(struct wl_req *req)
{
	struct wl_error err;
	struct page pg;

	wl_error_clear(&err);
	if (webhooks_list(req->conn, req->org.id, 0, "", WEBHOOKS_PER_ORG_MAX, &pg, &err) !=
	    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	list_page(req, NULL, 200, &pg, NULL);
	page_free(&pg);
}

/* A secret to show once: made with an endpoint, or by a rotation. */
struct secret_job {
	union {
		struct webhooks_create create;
		struct webhooks_rotate rotate;
	} u; /* first: the job's argument */
	struct accounts_chrome chrome;
	bool rotated;
};

static void
secret_page(struct wl_req *req, struct secret_job *j, const struct store_wh_endpoint *e,
	    const char *secret)
{
	struct tpl_data *d = web_page_data_with(
		req, &j->chrome, j->rotated ? "New signing secret" : "Webhook created", "webhooks");

	if (d != NULL) {
		tpl_put_bool(d, "rotated", j->rotated);
		put_endpoint(d, e);
		tpl_put(d, "secret", secret);
	}
	web_render(req, j->rotated ? 200 : 201, "webhook_secret", d);
}

static void
created(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct secret_job *j = arg;

	if (rc == WL_OK)
		secret_page(req, j, &j->u.create.endpoint, j->u.create.secret);
	else if (rc == WL_EVALIDATION)
		list_page(req, &j->chrome, 422, NULL, err);
	else
		http_reply_error(req, err);
	sodium_memzero(j->u.create.secret, sizeof(j->u.create.secret));
}

void
web_webhook_create(struct wl_req *req)
{
	struct secret_job *j = http_alloc(req, sizeof(*j));
	char *events = http_alloc(req, WL_WEBHOOK_EVENTS_MAX + 1);
	struct webhook_input in;
	struct wl_error err;
	char name[48];
	size_t i;

	wl_error_clear(&err);
	if (j == NULL || events == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memset(j, 0, sizeof(*j));
	events[0] = '\0';
	for (i = 0; wl_webhook_events[i] != NULL; i++) {
		snprintf(name, sizeof(name), "event_%s", wl_webhook_events[i]);
		if (http_form(req, name) != NULL)
			(void)wl_webhook_events_add(events, WL_WEBHOOK_EVENTS_MAX + 1,
						    wl_webhook_events[i], &err);
	}
	in.url = http_form(req, "url") != NULL ? http_form(req, "url") : "";
	in.events = events;
	in.description = http_form(req, "description");
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, &j->chrome);
	if (webhooks_create_prepare(req->app, req->org.id, &in, &j->u.create, &err) != WL_OK) {
		created(req, j, err.code, &err);
		return;
	}
	http_submit(req, webhooks_create_run, &j->u.create, created);
}

static void
rotated(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct secret_job *j = arg;

	if (rc == WL_OK)
		secret_page(req, j, &j->u.rotate.endpoint, j->u.rotate.secret);
	else
		http_reply_error(req, err);
	sodium_memzero(j->u.rotate.secret, sizeof(j->u.rotate.secret));
}

void
web_webhook_rotate(struct wl_req *req)
{
	struct secret_job *j = http_alloc(req, sizeof(*j));
	struct wl_error err;

	wl_error_clear(&err);
	if (!wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That webhook is not in this organization.");
		return;
	}
	if (j == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memset(j, 0, sizeof(*j));
	j->rotated = true;
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, &j->chrome);
	if (webhooks_rotate_prepare(req->app, req->org.id, req->params[0], &j->u.rotate, &err) !=
	    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, webhooks_rotate_run, &j->u.rotate, rotated);
}

static void
deleted(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	if (rc != WL_OK && rc != WL_ENOTFOUND) {
		http_reply_error(req, err);
		return;
	}
	back_to(req, "", "deleted=1");
}

void
web_webhook_delete(struct wl_req *req)
{
	struct webhooks_delete *r = http_alloc(req, sizeof(*r));

	if (!wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That webhook is not in this organization.");
		return;
	}
	if (r == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	memcpy(r->id, req->params[0], WL_ID_LEN);
	http_submit(req, webhooks_delete_run, r, deleted);
}

/* ---- the delivery log ---------------------------------------------------------- */

static void
put_delivery(struct tpl_data *row, const struct store_wh_delivery *d)
{
	tpl_put(row, "id", d->id);
	put_when(row, "when", d->created_at);
	tpl_put(row, "event", d->event);
	tpl_put(row, "status", d->status);
	if (d->last_status_code > 0)
		tpl_putf(row, "code", "%lld", (long long)d->last_status_code);
	else
		tpl_put(row, "code", "—");
	tpl_putf(row, "duration", "%lld ms", (long long)d->last_duration_ms);
	tpl_putf(row, "attempts", "%lld", (long long)d->attempts);
	if (strcmp(d->status, "pending") == 0)
		put_when(row, "next_retry", d->next_attempt_at);
	else
		tpl_put(row, "next_retry", "—");
	tpl_put(row, "url", d->url);
	tpl_put(row, "error", d->last_error);
	tpl_put(row, "response", d->last_response); /* escaped by the template */
}

void
web_webhook_log(struct wl_req *req)
{
	const char *after = http_query(req, "after");
	const struct store_wh_delivery *rows;
	struct store_wh_endpoint e;
	struct tpl_data *d, *row;
	struct wl_error err;
	struct page pg;
	int64_t cursor_ms = 0;
	char cursor_id[64] = "", next[WL_CURSOR_TEXT_MAX];
	int i;

	wl_error_clear(&err);
	if (!wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That webhook is not in this organization.");
		return;
	}
	if (after == NULL || wl_cursor_decode(after, &cursor_ms, cursor_id) != WL_OK)
		after = "";
	if (webhooks_get(req->conn, req->org.id, req->params[0], &e, &err) != WL_OK ||
	    webhooks_deliveries(req->conn, req->org.id, e.id, cursor_ms, cursor_id, LOG_PAGE, &pg,
				&err) != WL_OK) {
		sodium_memzero(&e, sizeof(e));
		http_reply_error(req, &err);
		return;
	}
	if ((d = web_page_data(req, "Webhook deliveries", "webhooks")) == NULL) {
		page_free(&pg);
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	put_endpoint(d, &e);
	sodium_memzero(&e, sizeof(e));
	tpl_put_bool(d, "resent", http_query(req, "resent") != NULL);
	rows = pg.rows;
	tpl_put_list(d, "deliveries");
	for (i = 0; i < pg.n; i++)
		put_delivery(row = tpl_push(d, "deliveries"), &rows[i]);
	tpl_put(d, "after", after);
	if (pg.more && wl_cursor_encode(rows[pg.n - 1].created_at, rows[pg.n - 1].id, next,
					sizeof(next)) == WL_OK)
		tpl_put(d, "next_after", next);
	page_free(&pg);
	web_render(req, 200, "webhook_log", d);
}

static void
resent(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct webhooks_resend *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	back_to(req, r->delivery.endpoint_id, "resent=1");
}

void
web_webhook_resend(struct wl_req *req)
{
	struct webhooks_resend *r = http_alloc(req, sizeof(*r));

	if (!wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That delivery is not in this organization.");
		return;
	}
	if (r == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	memcpy(r->id, req->params[0], WL_ID_LEN);
	http_submit(req, webhooks_resend_run, r, resent);
}

/* ---- the low-balance threshold --------------------------------------------------- */

static void
alerts_saved(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	back_to(req, "", "alerts=1");
}

void
web_webhook_alerts(struct wl_req *req)
{
	struct webhooks_alerts *r = http_alloc(req, sizeof(*r));
	const char *v = http_form(req, "low_balance_minutes");
	char *end = NULL;
	long long minutes = 0;

	if (r == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	if (v != NULL && v[0] != '\0')
		minutes = strtoll(v, &end, 10);
	if (v != NULL && v[0] != '\0' && (*end != '\0' || minutes < 0 || minutes > 10000000)) {
		web_error_page(req, 422, NULL,
			       "The threshold is a whole number of minutes from 0 (off) to "
			       "10000000.");
		return;
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	r->low_balance_minutes = minutes;
	http_submit(req, webhooks_alerts_run, r, alerts_saved);
}
