/*
 * apikeys.h — an organization's API keys for the platform API: made with a
 * name and shown once (only their hash is stored), listed with when they
 * were made and last used, revoked at once. Authentication reads the key's
 * row on every request (services/accounts.c), with no cache, so a
 * revocation holds on every instance from its commit on.
 *
 * The *_run functions are writer jobs; each records its audit event
 * (services/trail.h) in the same transaction.
 */
#ifndef WL_SERVICES_APIKEYS_H
#define WL_SERVICES_APIKEYS_H

#include <stdint.h>

#include "services/ids.h"
#include "services/paging.h"
#include "services/trail.h"
#include "store/store.h"

#define APIKEYS_ACTIVE_MAX 20 /* active keys per organization */
#define APIKEYS_NAME_MAX 64
#define APIKEYS_PAGE_MAX 100

struct apikeys_create {
	/* in */
	char org_id[WL_ID_LEN];
	char agency_id[WL_ID_LEN]; /* the org's agency, "" for an agency */
	char name[APIKEYS_NAME_MAX + 1];
	int64_t now;
	struct trail_actor actor;
	unsigned char hash[WL_KEY_HASH_LEN];
	/* out */
	char id[WL_ID_LEN];
	char key[WL_API_KEY_LEN + 1]; /* shown once: wipe it once sent */
};
/* Checks the name (1..64 characters of text, no control characters) and
 * makes the key. WL_EVALIDATION naming "name". */
int apikeys_create_prepare(struct apikeys_create *k, const struct store_org *org, const char *name,
			   int64_t now, struct wl_error *err);
/* WL_ECONFLICT when the org has APIKEYS_ACTIVE_MAX active keys. */
int apikeys_create_run(struct store_conn *c, void *arg, struct wl_error *err);

struct apikeys_revoke {
	/* in */
	char org_id[WL_ID_LEN];
	char agency_id[WL_ID_LEN];
	char key_id[WL_ID_LEN];
	int64_t now;
	struct trail_actor actor;
	/* out: the key as revoked */
	struct store_apikey_row key;
};
void apikeys_revoke_prepare(struct apikeys_revoke *r, const struct store_org *org,
			    const char *key_id, int64_t now);
/* WL_ENOTFOUND when the org has no such active key. */
int apikeys_revoke_run(struct store_conn *c, void *arg, struct wl_error *err);

/* An org's keys, newest first (revoked ones too); rows are struct
 * store_apikey_row, limit 1..APIKEYS_PAGE_MAX; page_free the page. */
int apikeys_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		 int limit, struct page *out, struct wl_error *err);

#endif
