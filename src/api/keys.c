/*
 * keys.c — an organization's API keys (GET/POST /api/v1/api-keys, DELETE
 * /api/v1/api-keys/{id}) and the limits an agency sets on a client
 * (GET/PUT /api/v1/clients/{org_id}/limits).
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"
#include "services/apikeys.h"
#include "services/limits.h"

static void
kv_time(struct wl_buf *b, const char *key, int64_t ms)
{
	char t[32];

	if (ms <= 0) {
		wl_json_kv_str(b, key, NULL);
		return;
	}
	wl_format_iso_ms(ms, t);
	wl_json_kv_str(b, key, t);
}

static void
render_key(struct wl_buf *b, const void *row)
{
	const struct store_apikey_row *k = row;

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", k->id);
	wl_json_kv_str(b, "name", k->label);
	kv_time(b, "created_at", k->created_at);
	kv_time(b, "last_used_at", k->last_used_at);
	kv_time(b, "revoked_at", k->revoked_at);
	wl_json_obj_end(b);
}

static void
key_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_apikey_row *k = row;

	*ms = k->created_at;
	*id = k->id;
}

void
api_keys_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "api_keys", render_key, key_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_page(req, APIKEYS_PAGE_MAX, APIKEYS_PAGE_MAX, &limit, &cursor_ms, cursor_id,
		     &err) != WL_OK ||
	    apikeys_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

static void
created(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct apikeys_create *k = arg;
	char t[32];

	if (rc != WL_OK) {
		sodium_memzero(k->key, sizeof(k->key));
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "id", k->id);
	wl_json_kv_str(&req->out, "name", k->name);
	wl_json_kv_str(&req->out, "key", k->key); /* the only time it is shown */
	wl_format_iso_ms(k->now, t);
	wl_json_kv_str(&req->out, "created_at", t);
	wl_json_kv_str(&req->out, "last_used_at", NULL);
	wl_json_kv_str(&req->out, "revoked_at", NULL);
	wl_json_obj_end(&req->out);
	sodium_memzero(k->key, sizeof(k->key));
	http_reply_json(req, 201);
}

void
api_keys_create(struct wl_req *req)
{
	static const char *const known[] = { "name", NULL };
	struct apikeys_create *k;
	struct wl_error err;
	const char *name = NULL;
	json_t *body = api_body_object(req);

	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (api_unknown_fields_named(body, known, &err) != WL_OK ||
	    api_string(body, "name", true, 4 * APIKEYS_NAME_MAX, &name, &err) < 0)
		goto bad;
	if ((k = http_alloc(req, sizeof(*k))) == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto bad;
	}
	if (apikeys_create_prepare(k, &req->org, name, req->now_ms, &err) != WL_OK)
		goto bad;
	json_decref(body);
	http_actor(req, &k->actor);
	http_submit(req, apikeys_create_run, k, created);
	return;
bad:
	json_decref(body);
	http_reply_error(req, &err);
}

static void
revoked(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct apikeys_revoke *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_key(&req->out, &r->key);
	http_reply_json(req, 200);
}

void
api_keys_revoke(struct wl_req *req)
{
	struct apikeys_revoke *r;

	if (!wl_valid_uuid(req->params[0])) {
		http_reply_fail(req, WL_ENOTFOUND, "no such API key");
		return;
	}
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	apikeys_revoke_prepare(r, &req->org, req->params[0], req->now_ms);
	http_actor(req, &r->actor);
	http_submit(req, apikeys_revoke_run, r, revoked);
}

/* ---- a client's limits ---- */

static void
kv_limit(struct wl_buf *b, const char *key, int64_t v)
{
	wl_json_key(b, key);
	if (v == STORE_NO_LIMIT)
		wl_json_null(b);
	else
		wl_json_int(b, v);
}

static void
render_limits(struct wl_req *req, const char *org_id, const struct store_limits *l)
{
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "org_id", org_id);
	kv_limit(&req->out, "max_concurrent_calls", l->max_concurrent_calls);
	kv_limit(&req->out, "monthly_minutes", l->monthly_minutes);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

static bool
client_param_ok(struct wl_req *req)
{
	if (wl_valid_uuid(req->params[0]))
		return true;
	http_reply_fail(req, WL_ENOTFOUND, "client organization not found");
	return false;
}

void
api_limits_get(struct wl_req *req)
{
	struct store_limits l;
	struct wl_error err;

	wl_error_clear(&err);
	if (!client_param_ok(req))
		return;
	if (limits_read(req->conn, req->org.id, req->params[0], &l, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	render_limits(req, req->params[0], &l);
}

/* null → no limit, a whole number 0..max, absent → unchanged (*set false). */
static void
take_limit(json_t *body, const char *field, int64_t max, bool *set, int64_t *out,
	   struct wl_error *err)
{
	json_t *v = json_object_get(body, field);

	*set = v != NULL;
	if (v == NULL)
		return;
	if (json_is_null(v)) {
		*out = STORE_NO_LIMIT;
		return;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
		wl_error_field(err, field,
			       "must be null (no limit) or a whole number from 0 to %lld",
			       (long long)max);
		return;
	}
	*out = json_integer_value(v);
}

static void
limits_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct limits_put *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_limits(req, r->org_id, &r->result);
}

void
api_limits_put(struct wl_req *req)
{
	static const char *const known[] = { "max_concurrent_calls", "monthly_minutes", NULL };
	struct limits_put *r;
	struct wl_error err;
	json_t *body;

	wl_error_clear(&err);
	if (!client_param_ok(req) || (body = api_body_object(req)) == NULL)
		return;
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		json_decref(body);
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	memset(r, 0, sizeof(*r));
	(void)api_unknown_fields_named(body, known, &err);
	take_limit(body, "max_concurrent_calls", LIMITS_CONCURRENT_MAX, &r->set_concurrent,
		   &r->want.max_concurrent_calls, &err);
	take_limit(body, "monthly_minutes", LIMITS_MONTHLY_MAX, &r->set_monthly,
		   &r->want.monthly_minutes, &err);
	json_decref(body);
	if (err.nfields > 0) {
		http_reply_error(req, &err);
		return;
	}
	snprintf(r->agency_id, sizeof(r->agency_id), "%s", req->org.id);
	memcpy(r->org_id, req->params[0], WL_ID_LEN); /* a UUID: checked above */
	http_actor(req, &r->actor);
	http_submit(req, limits_put_run, r, limits_finish);
}
