/*
 * apikeys.c — making, revoking and listing an organization's API keys
 * (see apikeys.h). Shared by the API, the dashboard and the client portal.
 */
#include "services/apikeys.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/validate.h"

int
apikeys_create_prepare(struct apikeys_create *k, const struct store_org *org, const char *name,
		       int64_t now, struct wl_error *err)
{
	size_t i, n = name != NULL ? strlen(name) : 0;

	memset(k, 0, sizeof(*k));
	if (n == 0 || n > APIKEYS_NAME_MAX || !wl_valid_utf8(name, n)) {
		wl_error_field(err, "name", "give the key a name of 1 to %d characters",
			       APIKEYS_NAME_MAX);
		return WL_EVALIDATION;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			wl_error_field(err, "name", "cannot hold control characters");
			return WL_EVALIDATION;
		}
	snprintf(k->org_id, sizeof(k->org_id), "%s", org->id);
	snprintf(k->agency_id, sizeof(k->agency_id), "%s", org->parent_id);
	memcpy(k->name, name, n + 1);
	k->now = now;
	ids_new_api_key(k->key, k->hash);
	return WL_OK;
}

int
apikeys_create_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct apikeys_create *k = arg;
	struct store_org org;
	struct wl_buf detail;
	int64_t n;
	int rc;

	/* the org's row lock orders two creations on two instances */
	if ((rc = store_org_get(c, k->org_id, true, &org, err)) != WL_OK)
		return rc;
	if ((rc = store_apikey_count_active(c, k->org_id, &n, err)) != WL_OK)
		return rc;
	if (n >= APIKEYS_ACTIVE_MAX)
		return wl_fail(err, WL_ECONFLICT,
			       "You have %d active API keys, the most allowed. Revoke one first.",
			       APIKEYS_ACTIVE_MAX);
	ids_new_uuid(k->id);
	rc = store_apikey_insert(c, k->id, k->org_id, k->hash, k->name, k->now, err);
	if (rc != WL_OK)
		return rc;
	trail_detail_begin(&detail);
	wl_json_kv_str(&detail, "key_id", k->id);
	wl_json_kv_str(&detail, "name", k->name);
	rc = trail_record(c, &k->actor, k->org_id, k->agency_id, TRAIL_KEY_CREATED, &detail, k->now,
			  err);
	trail_detail_free(&detail);
	return rc;
}

void
apikeys_revoke_prepare(struct apikeys_revoke *r, const struct store_org *org, const char *key_id,
		       int64_t now)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->org_id, sizeof(r->org_id), "%s", org->id);
	snprintf(r->agency_id, sizeof(r->agency_id), "%s", org->parent_id);
	snprintf(r->key_id, sizeof(r->key_id), "%s", key_id);
	r->now = now;
}

int
apikeys_revoke_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct apikeys_revoke *r = arg;
	struct wl_buf detail;
	int rc;

	if ((rc = store_apikey_revoke(c, r->org_id, r->key_id, r->now, err)) != WL_OK)
		return rc;
	if ((rc = store_apikey_get(c, r->org_id, r->key_id, &r->key, err)) != WL_OK)
		return rc;
	trail_detail_begin(&detail);
	wl_json_kv_str(&detail, "key_id", r->key.id);
	wl_json_kv_str(&detail, "name", r->key.label);
	rc = trail_record(c, &r->actor, r->org_id, r->agency_id, TRAIL_KEY_REVOKED, &detail, r->now,
			  err);
	trail_detail_free(&detail);
	return rc;
}

static int
fetch_keys(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
	   int want, void *rows, int *n, struct wl_error *err)
{
	return store_apikey_page(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
apikeys_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	     int limit, struct page *out, struct wl_error *err)
{
	assert(limit >= 1 && limit <= APIKEYS_PAGE_MAX);
	return page_fetch(c, fetch_keys, org_id, sizeof(struct store_apikey_row), limit, cursor_ms,
			  cursor_id, out, err);
}
