/*
 * domains.c — the agency's custom domain in the API: claim, remove and
 * Refresh Status (POST/DELETE /api/v1/whitelabel/domain, POST …/refresh),
 * and the custom_domain object of the whitelabel settings with both records
 * to create. The rules are in services/domains.c.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "services/domains.h"
#include "services/whitelabel.h"

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

/* The live claim with both records to create, or null (none, or expired). */
void
api_render_domain(const struct wl_app *app, struct wl_buf *b, const struct store_whitelabel *s)
{
	char name[300], value[100];

	if (!domains_claim_live(app, s, wl_now_ms())) {
		wl_json_null(b);
		return;
	}
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "domain", s->custom_domain);
	wl_json_kv_str(b, "status", s->domain_status);
	wl_json_kv_str(b, "reason", s->domain_reason[0] ? s->domain_reason : NULL);
	kv_time(b, "checked_at", s->domain_checked_at);
	kv_time(b, "verified_at", s->domain_verified_at);
	kv_time(b, "expires_at", domains_claim_expires_at(app, s));
	wl_json_key(b, "record");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "type", "CNAME");
	whitelabel_record_name(s->custom_domain, name, sizeof(name));
	wl_json_kv_str(b, "name", name);
	wl_json_kv_str(b, "value", app->cname_target);
	wl_json_obj_end(b);
	wl_json_key(b, "verification");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "type", "TXT");
	domains_txt_name(s->custom_domain, name, sizeof(name));
	wl_json_kv_str(b, "name", name);
	domains_txt_value(s->domain_token, value, sizeof(value));
	wl_json_kv_str(b, "value", value);
	wl_json_obj_end(b);
	wl_json_obj_end(b);
}

/* ---- custom domain ---------------------------------------------------------------- */

static void
domain_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct domains_job *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	api_render_whitelabel(req->app, &req->out, &r->result);
	http_reply_json(req, 200);
}

void
api_whitelabel_domain_set(struct wl_req *req)
{
	struct domains_job *r;
	struct wl_error err;
	const char *domain = NULL;
	json_t *body;

	if (!api_parent_only(req))
		return;
	if ((body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto bad;
	}
	if (api_string(body, "domain", true, 253, &domain, &err) < 0 ||
	    domains_claim_prepare(req->app, req->org.id, domain, r, &err) != WL_OK)
		goto bad;
	json_decref(body);
	http_actor(req, &r->actor);
	http_submit(req, domains_run, r, domain_finish);
	return;
bad:
	json_decref(body);
	http_reply_error(req, &err);
}

void
api_whitelabel_domain_delete(struct wl_req *req)
{
	struct domains_job *r;

	if (!api_parent_only(req))
		return;
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	domains_remove_prepare(req->app, req->org.id, r);
	http_actor(req, &r->actor);
	http_submit(req, domains_run, r, domain_finish);
}

/* On a worker: ask DNS, then record the verdict through the writer. */
static void
refresh_work(struct wl_req *req, void *arg)
{
	struct domains_job *r = arg;
	struct wl_error err;

	wl_error_clear(&err);
	if (domains_refresh_check(req->app, r, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_actor(req, &r->actor);
	http_submit(req, domains_run, r, domain_finish);
}

void
api_whitelabel_domain_refresh(struct wl_req *req)
{
	struct domains_job *r;
	struct wl_error err;

	if (!api_parent_only(req))
		return;
	wl_error_clear(&err);
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (domains_refresh_prepare(req->conn, req->app, req->org.id, r, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_offload(req, refresh_work, r);
}
