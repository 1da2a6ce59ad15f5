/*
 * webhooks.c — webhook endpoints (create, change, rotate, delete, read),
 * the delivery log and resend, the outbox's one way in (webhooks_emit, with
 * webhooks_targets choosing who receives an event), and the low-balance
 * threshold. See webhooks.h.
 */
#include "services/webhooks.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/webhook.h"
#include "services/ids.h"
#include "services/secrets.h"

int
webhooks_check(const struct webhook_input *in, bool create, struct wl_error *err)
{
	if (create && in->url == NULL)
		wl_error_field(err, "url", "is required");
	else if (in->url != NULL && !wl_webhook_url_valid(in->url, WL_URL_MAX))
		wl_error_field(err, "url",
			       "must be an http:// or https:// URL with a host, at most %d bytes",
			       WL_URL_MAX);
	if (create && (in->events == NULL || in->events[0] == '\0'))
		wl_error_field(err, "events", "must name at least one event");
	else if (in->events != NULL && in->events[0] == '\0')
		wl_error_field(err, "events", "must name at least one event");
	if (in->description != NULL && strlen(in->description) > WL_WEBHOOK_DESC_MAX)
		wl_error_field(err, "description", "must be at most %d characters",
			       WL_WEBHOOK_DESC_MAX);
	if (err->nfields > 0)
		return wl_fail(err, WL_EVALIDATION, "The webhook endpoint is not valid");
	return WL_OK;
}

/* A new secret and its sealed form. */
static int
new_secret(const struct wl_app *app, char secret[WEBHOOK_SECRET_MAX],
	   char sealed[WL_SEALED_SECRET_MAX], struct wl_error *err)
{
	memcpy(secret, WEBHOOK_SECRET_PREFIX, sizeof(WEBHOOK_SECRET_PREFIX) - 1);
	ids_random_token(secret + sizeof(WEBHOOK_SECRET_PREFIX) - 1, 32);
	if (secrets_seal_to(app->master_key, secret, sealed, WL_SEALED_SECRET_MAX, err) != WL_OK) {
		sodium_memzero(secret, WEBHOOK_SECRET_MAX);
		return err->code;
	}
	return WL_OK;
}

int
webhooks_create_prepare(const struct wl_app *app, const char *org_id,
			const struct webhook_input *in, struct webhooks_create *r,
			struct wl_error *err)
{
	struct store_wh_endpoint *e = &r->endpoint;

	if (webhooks_check(in, true, err) != WL_OK)
		return err->code;
	memset(r, 0, sizeof(*r));
	ids_new_uuid(e->id);
	snprintf(e->org_id, sizeof(e->org_id), "%s", org_id);
	snprintf(e->url, sizeof(e->url), "%s", in->url);
	snprintf(e->events, sizeof(e->events), "%s", in->events);
	snprintf(e->description, sizeof(e->description), "%s",
		 in->description != NULL ? in->description : "");
	e->created_at = e->updated_at = wl_now_ms();
	return new_secret(app, r->secret, e->secret_sealed, err);
}

int
webhooks_create_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct webhooks_create *r = arg;
	struct store_org org;
	int64_t n = 0;
	int rc;

	/* The org's row lock keeps two creates from both passing the limit. */
	if ((rc = store_org_get(c, r->endpoint.org_id, true, &org, err)) != WL_OK ||
	    (rc = store_wh_count(c, r->endpoint.org_id, &n, err)) != WL_OK)
		return rc;
	if (n >= WEBHOOKS_PER_ORG_MAX) {
		wl_error_field(err, "url", "an organization has at most %d webhook endpoints",
			       WEBHOOKS_PER_ORG_MAX);
		return wl_fail(err, WL_EVALIDATION, "Too many webhook endpoints");
	}
	return store_wh_insert(c, &r->endpoint, err);
}

int
webhooks_get(struct store_conn *c, const char *org_id, const char *id,
	     struct store_wh_endpoint *out, struct wl_error *err)
{
	int rc = store_wh_get(c, id, out, err);

	if (rc == WL_OK && strcmp(out->org_id, org_id) != 0)
		return wl_fail(err, WL_ENOTFOUND, "webhook endpoint not found");
	return rc;
}

int
webhooks_update_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct webhooks_update *r = arg;
	struct store_wh_endpoint *e = &r->endpoint;
	int rc;

	if ((rc = webhooks_get(c, r->org_id, r->id, e, err)) != WL_OK)
		return rc;
	if (r->in.url != NULL)
		snprintf(e->url, sizeof(e->url), "%s", r->in.url);
	if (r->in.events != NULL)
		snprintf(e->events, sizeof(e->events), "%s", r->in.events);
	if (r->in.description != NULL)
		snprintf(e->description, sizeof(e->description), "%s", r->in.description);
	e->updated_at = wl_now_ms();
	return store_wh_update(c, e, err);
}

int
webhooks_rotate_prepare(const struct wl_app *app, const char *org_id, const char *id,
			struct webhooks_rotate *r, struct wl_error *err)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->org_id, sizeof(r->org_id), "%s", org_id);
	snprintf(r->id, sizeof(r->id), "%s", id);
	return new_secret(app, r->secret, r->sealed, err);
}

int
webhooks_rotate_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct webhooks_rotate *r = arg;
	int64_t now = wl_now_ms();
	int rc;

	if ((rc = webhooks_get(c, r->org_id, r->id, &r->endpoint, err)) != WL_OK ||
	    (rc = store_wh_rotate(c, r->id, r->org_id, r->sealed, now + WEBHOOK_ROTATE_OVERLAP_MS,
				  now, err)) != WL_OK)
		return rc;
	return store_wh_get(c, r->id, &r->endpoint, err);
}

int
webhooks_delete_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct webhooks_delete *r = arg;

	return store_wh_delete(c, r->id, r->org_id, err);
}

static int
fetch_endpoints(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
		int want, void *rows, int *n, struct wl_error *err)
{
	return store_wh_list(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
webhooks_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	      int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_endpoints, org_id, sizeof(struct store_wh_endpoint), limit,
			  cursor_ms, cursor_id, out, err);
}

static int
fetch_deliveries(struct store_conn *c, const void *endpoint_id, int64_t cursor_ms,
		 const char *cursor_id, int want, void *rows, int *n, struct wl_error *err)
{
	return store_wh_delivery_list(c, endpoint_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
webhooks_deliveries(struct store_conn *c, const char *org_id, const char *endpoint_id,
		    int64_t cursor_ms, const char *cursor_id, int limit, struct page *out,
		    struct wl_error *err)
{
	struct store_wh_endpoint e;
	int rc = webhooks_get(c, org_id, endpoint_id, &e, err);

	if (rc != WL_OK)
		return rc;
	return page_fetch(c, fetch_deliveries, endpoint_id, sizeof(struct store_wh_delivery), limit,
			  cursor_ms, cursor_id, out, err);
}

int
webhooks_resend_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct webhooks_resend *r = arg;
	int64_t now = wl_now_ms();
	int rc = store_wh_delivery_get(c, r->id, &r->delivery, err);

	if (rc != WL_OK)
		return rc;
	free(r->delivery.body);
	r->delivery.body = NULL;
	if (strcmp(r->delivery.org_id, r->org_id) != 0)
		return wl_fail(err, WL_ENOTFOUND, "webhook delivery not found");
	if ((rc = store_wh_resend(c, r->id, now, now + WEBHOOK_RETRY_WINDOW_MS, err)) != WL_OK)
		return rc;
	snprintf(r->delivery.status, sizeof(r->delivery.status), "pending");
	r->delivery.next_attempt_at = now;
	r->delivery.retry_until = now + WEBHOOK_RETRY_WINDOW_MS;
	return WL_OK;
}

/*
 * Who receives an event: the one place that decides. Today these are the
 * org's endpoints subscribed to the event. Once agents exist, a call's
 * agent with its own webhook_url (and webhook_events filter) takes
 * precedence over the org's endpoints here (DESIGN.md: tool url → agent
 * webhook_url → org endpoints); agent_id is passed for that.
 */
static int
webhooks_targets(struct store_conn *c, const char *org_id, const char *agent_id, const char *event,
		 struct store_wh_endpoint *eps, int *n, struct wl_error *err)
{
	int all = 0, i, rc;

	(void)agent_id;
	*n = 0;
	rc = store_wh_list(c, org_id, 0, "", WEBHOOKS_PER_ORG_MAX, eps, &all, err);
	if (rc != WL_OK)
		return rc;
	for (i = 0; i < all; i++)
		if (wl_webhook_events_has(eps[i].events, event))
			eps[(*n)++] = eps[i];
	return WL_OK;
}

/* "sha256=…" with the current secret, and the previous one while a
 * rotation's overlap lasts. */
int
webhooks_sign(const struct wl_app *app, const struct store_wh_endpoint *e, int64_t ts,
	      const char *body, char out[WL_WEBHOOK_SIG_HEADER_MAX], struct wl_error *err)
{
	char *secret = NULL, one[7 + WL_WEBHOOK_SIG_HEX + 1];

	if (secrets_open(app->master_key, e->secret_sealed, &secret, err) != WL_OK)
		return err->code;
	wl_webhook_sign(secret, ts, body, strlen(body), out, WL_WEBHOOK_SIG_HEADER_MAX);
	secrets_free(secret);
	if (e->old_secret_sealed[0] == '\0' || e->old_secret_until <= wl_now_ms())
		return WL_OK;
	if (secrets_open(app->master_key, e->old_secret_sealed, &secret, err) != WL_OK)
		return err->code;
	wl_webhook_sign(secret, ts, body, strlen(body), one, sizeof(one));
	secrets_free(secret);
	snprintf(out + strlen(out), WL_WEBHOOK_SIG_HEADER_MAX - strlen(out), ",%s", one);
	return WL_OK;
}

/* The one receiver of a synchronous event (assistant-request, tool-calls):
 * the first target webhooks_targets names. When tools exist, a tool's own
 * url comes first here (tool_name names it); today it is unused. */
int
webhooks_sync_target(struct store_conn *c, const char *org_id, const char *agent_id,
		     const char *tool_name, const char *event, struct store_wh_endpoint *out,
		     bool *found, struct wl_error *err)
{
	struct store_wh_endpoint *eps = calloc(WEBHOOKS_PER_ORG_MAX, sizeof(*eps));
	int n = 0, rc;

	(void)tool_name;
	*found = false;
	if (eps == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	rc = webhooks_targets(c, org_id, agent_id, event, eps, &n, err);
	if (rc == WL_OK && n > 0) {
		*out = eps[0];
		*found = true;
	}
	sodium_memzero(eps, WEBHOOKS_PER_ORG_MAX * sizeof(*eps));
	free(eps);
	return rc;
}

int
webhooks_emit(struct store_conn *c, const char *org_id, const char *agent_id, const char *event,
	      webhooks_body_fn build, const void *arg, struct wl_error *err)
{
	struct store_wh_endpoint *eps;
	struct store_wh_delivery d;
	struct wl_buf body;
	int64_t now = wl_now_ms();
	int n = 0, i, rc;

	if ((eps = calloc(WEBHOOKS_PER_ORG_MAX, sizeof(*eps))) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	wl_buf_init(&body, WL_WEBHOOK_BODY_MAX);
	rc = webhooks_targets(c, org_id, agent_id, event, eps, &n, err);
	if (rc == WL_OK && n > 0) {
		rc = build(c, arg, &body, err);
		if (rc == WL_OK && !wl_buf_ok(&body))
			rc = wl_fail(err, WL_EINTERNAL, "webhook body too large");
	}
	for (i = 0; rc == WL_OK && i < n; i++) {
		memset(&d, 0, sizeof(d));
		ids_new_uuid(d.id);
		snprintf(d.org_id, sizeof(d.org_id), "%s", org_id);
		snprintf(d.endpoint_id, sizeof(d.endpoint_id), "%s", eps[i].id);
		snprintf(d.event, sizeof(d.event), "%s", event);
		d.created_at = now;
		d.retry_until = now + WEBHOOK_RETRY_WINDOW_MS;
		rc = store_wh_delivery_insert(c, &d, wl_buf_cstr(&body), err);
	}
	wl_buf_free(&body);
	free(eps);
	return rc;
}

int
webhooks_alerts_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct webhooks_alerts *r = arg;
	int rc = store_org_set_low_balance(c, r->org_id, r->low_balance_minutes, err);

	if (rc != WL_OK)
		return rc;
	return store_org_get(c, r->org_id, false, &r->org, err);
}

bool
webhooks_balance_low(const struct store_org *org)
{
	return org->low_balance_minutes > 0 && org->balance_seconds < org->low_balance_minutes * 60;
}
