/*
 * provider_keys.c — bring-your-own-key, the org's own API keys of the
 * model and voice providers it pays directly:
 *   GET    /api/v1/provider-keys             every provider and whether a key is set
 *   PUT    /api/v1/provider-keys/{provider}  {"api_key"} (write-only)
 *   DELETE /api/v1/provider-keys/{provider}
 * A key is sealed with the master key before the write and never answered,
 * logged or shown again, not even in part. The rules are
 * services/billing.c's.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "services/billing.h"

#define PROVIDERS_MAX 16

static void
render_keys(struct wl_buf *b, char (*set)[32], int n)
{
	const char *name;
	bool on;
	int i, j;

	wl_json_obj_begin(b);
	wl_json_key(b, "provider_keys");
	wl_json_arr_begin(b);
	for (i = 0; (name = billing_provider_at(i)) != NULL; i++) {
		for (on = false, j = 0; j < n && !on; j++)
			on = strcmp(set[j], name) == 0;
		wl_json_obj_begin(b);
		wl_json_kv_str(b, "provider", name);
		wl_json_kv_bool(b, "set", on);
		wl_json_obj_end(b);
	}
	wl_json_arr_end(b);
	wl_json_obj_end(b);
}

void
api_provider_keys_list(struct wl_req *req)
{
	char set[PROVIDERS_MAX][32];
	struct wl_error err;
	int n = 0;

	wl_error_clear(&err);
	if (billing_provider_keys(req->conn, req->org.id, set, PROVIDERS_MAX, &n, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	render_keys(&req->out, set, n);
	http_reply_json(req, 200);
}

static void
key_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct billing_provider_key *k = arg;
	bool removed = k->sealed == NULL;

	billing_provider_key_free(k);
	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "provider", k->provider);
	wl_json_kv_bool(&req->out, "set", !removed);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

/* Wipes the plaintext key from the parsed body and the raw one. */
static void
wipe(struct wl_req *req, json_t *body)
{
	json_t *v = json_object_get(body, "api_key");

	if (json_is_string(v))
		sodium_memzero((void *)(uintptr_t)json_string_value(v), json_string_length(v));
	if (req->body.p != NULL)
		sodium_memzero(req->body.p, req->body.len);
	json_decref(body);
}

void
api_provider_key_put(struct wl_req *req)
{
	static const char *const known[] = { "api_key", NULL };
	struct billing_provider_key *k = http_alloc(req, sizeof(*k));
	struct wl_error err;
	json_t *body, *v;

	if ((body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	if (k == NULL) {
		wipe(req, body);
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	v = json_object_get(body, "api_key");
	if (api_unknown_fields_named(body, known, &err) != WL_OK) {
		/* complaints gathered: reported below */
	} else if (v == NULL || json_is_null(v) ||
		   (json_is_string(v) && json_string_length(v) == 0)) {
		wl_error_field_why(&err, "api_key", WL_FIELD_REQUIRED,
				   "is required (DELETE removes a key)");
	} else if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		wl_error_field(&err, "api_key", "must be a string");
	} else {
		billing_provider_key_prepare(req->app, req->org.id, req->params[0],
					     json_string_value(v), req->now_ms, k, &err);
	}
	wipe(req, body);
	if (err.code != WL_OK) {
		billing_provider_key_free(k);
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, billing_provider_key_run, k, key_finish);
}

void
api_provider_key_delete(struct wl_req *req)
{
	struct billing_provider_key *k = http_alloc(req, sizeof(*k));
	struct wl_error err;

	wl_error_clear(&err);
	if (k == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (billing_provider_key_prepare(req->app, req->org.id, req->params[0], NULL, req->now_ms,
					 k, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, billing_provider_key_run, k, key_finish);
}
