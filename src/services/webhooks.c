/*
 * webhooks.c — webhook endpoints (create, change, rotate, delete, read),
 * the delivery log and resend, the outbox's one way in (webhooks_emit, with
 * webhooks_targets choosing who receives an event: tool url, agent
 * webhook_url, org endpoints), and the low-balance
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
#include "services/orgcfg.h"
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
 * Who receives an event: the one place that decides (DESIGN.md: tool url →
 * agent webhook_url → org endpoints). A call's agent with a webhook_url
 * whose webhook_events has the event ("" = every event) takes it instead of
 * the org's endpoints. That URL has no secret of its own: it is signed with
 * the org's signing endpoint (its oldest), whose rotation overlap covers it
 * too, and its deliveries are listed in that endpoint's log with the URL
 * they went to (*redirect). An org without endpoints has nothing to sign
 * with: the agent's URL then receives nothing. Otherwise the targets are the
 * org's endpoints subscribed to the event.
 */
struct targets {
	struct store_wh_endpoint eps[WEBHOOKS_PER_ORG_MAX];
	int n;
	char redirect[WL_URL_LEN]; /* "" = each endpoint's own url */
};

static int
agent_url(struct store_conn *c, const char *org_id, const char *agent_id, const char *event,
	  char out[WL_URL_LEN], struct wl_error *err)
{
	struct store_agent *a;
	int rc;

	out[0] = '\0';
	if (agent_id == NULL || agent_id[0] == '\0')
		return WL_OK;
	if ((a = malloc(sizeof(*a))) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	rc = store_agent_get(c, org_id, agent_id, false, a, err);
	if (rc == WL_ENOTFOUND) { /* deleted meanwhile: the org's endpoints */
		wl_error_clear(err);
		rc = WL_OK;
	} else if (rc == WL_OK && a->webhook_url[0] != '\0' &&
		   (a->webhook_events[0] == '\0' ||
		    wl_webhook_events_has(a->webhook_events, event))) {
		snprintf(out, WL_URL_LEN, "%s", a->webhook_url);
	}
	free(a);
	return rc;
}

static int
webhooks_targets(struct store_conn *c, const char *org_id, const char *agent_id, const char *event,
		 struct targets *t, struct wl_error *err)
{
	int all = 0, i, rc;

	t->n = 0;
	rc = store_wh_list(c, org_id, 0, "", WEBHOOKS_PER_ORG_MAX, t->eps, &all, err);
	if (rc == WL_OK && t->redirect[0] == '\0')
		rc = agent_url(c, org_id, agent_id, event, t->redirect, err);
	if (rc != WL_OK)
		return rc;
	if (t->redirect[0] != '\0') {
		t->n = all > 0 ? 1 : 0; /* the signing endpoint */
		return WL_OK;
	}
	for (i = 0; i < all; i++)
		if (wl_webhook_events_has(t->eps[i].events, event))
			t->eps[t->n++] = t->eps[i];
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

/* The url of the agent's tool named tool_name, if it has one. */
struct tool_find {
	struct store_conn *c;
	const char *org_id, *name;
	char *url;
	struct wl_error *err;
	int rc;
};

static int
tool_match(const char *id, void *arg)
{
	struct tool_find *f = arg;
	struct store_tool t;
	int rc = store_tool_get(f->c, f->org_id, id, false, &t, f->err);

	if (rc == WL_ENOTFOUND) {
		wl_error_clear(f->err);
		return 0;
	}
	if (rc != WL_OK) {
		f->rc = rc;
		return 1;
	}
	if (strcmp(t.name, f->name) != 0 || t.url[0] == '\0')
		return 0;
	snprintf(f->url, WL_URL_LEN, "%s", t.url);
	return 1;
}

static int
tool_url(struct store_conn *c, const char *org_id, const char *agent_id, const char *tool_name,
	 char out[WL_URL_LEN], struct wl_error *err)
{
	struct tool_find f = { c, org_id, tool_name, out, err, WL_OK };
	struct store_agent *a;
	int rc;

	out[0] = '\0';
	if (tool_name == NULL || agent_id == NULL || agent_id[0] == '\0')
		return WL_OK;
	if ((a = malloc(sizeof(*a))) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	rc = store_agent_get(c, org_id, agent_id, false, a, err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		rc = WL_OK;
	} else if (rc == WL_OK) {
		(void)orgcfg_each_id(a->tool_ids, tool_match, &f);
		rc = f.rc;
	}
	free(a);
	return rc;
}

/* The one receiver of a synchronous event (assistant-request, tool-calls):
 * for tool-calls the url of the agent's tool named tool_name first, then
 * the first target webhooks_targets names. A tool's url is signed like an
 * agent's, with the org's signing endpoint. */
int
webhooks_sync_target(struct store_conn *c, const char *org_id, const char *agent_id,
		     const char *tool_name, const char *event, struct store_wh_endpoint *out,
		     bool *found, struct wl_error *err)
{
	struct targets *t = calloc(1, sizeof(*t));
	int rc;

	*found = false;
	if (t == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	rc = tool_url(c, org_id, agent_id, tool_name, t->redirect, err);
	if (rc == WL_OK)
		rc = webhooks_targets(c, org_id, agent_id, event, t, err);
	if (rc == WL_OK && t->n > 0) {
		*out = t->eps[0];
		if (t->redirect[0] != '\0')
			snprintf(out->url, sizeof(out->url), "%s", t->redirect);
		*found = true;
	}
	sodium_memzero(t, sizeof(*t));
	free(t);
	return rc;
}

int
webhooks_emit(struct store_conn *c, const char *org_id, const char *agent_id, const char *event,
	      webhooks_body_fn build, const void *arg, struct wl_error *err)
{
	struct targets *t;
	struct store_wh_delivery d;
	struct wl_buf body;
	int64_t now = wl_now_ms();
	int i, rc;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	wl_buf_init(&body, WL_WEBHOOK_BODY_MAX);
	rc = webhooks_targets(c, org_id, agent_id, event, t, err);
	if (rc == WL_OK && t->n > 0) {
		rc = build(c, arg, &body, err);
		if (rc == WL_OK && !wl_buf_ok(&body))
			rc = wl_fail(err, WL_EINTERNAL, "webhook body too large");
	}
	for (i = 0; rc == WL_OK && i < t->n; i++) {
		memset(&d, 0, sizeof(d));
		ids_new_uuid(d.id);
		snprintf(d.org_id, sizeof(d.org_id), "%s", org_id);
		snprintf(d.endpoint_id, sizeof(d.endpoint_id), "%s", t->eps[i].id);
		snprintf(d.event, sizeof(d.event), "%s", event);
		snprintf(d.url, sizeof(d.url), "%s", t->redirect);
		d.created_at = now;
		d.retry_until = now + WEBHOOK_RETRY_WINDOW_MS;
		rc = store_wh_delivery_insert(c, &d, wl_buf_cstr(&body), err);
	}
	wl_buf_free(&body);
	sodium_memzero(t, sizeof(*t));
	free(t);
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
