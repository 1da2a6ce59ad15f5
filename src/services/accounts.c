/*
 * accounts.c — organizations, keys, grants, authentication and the account
 * view. Writes go through the writer as jobs; reads take a connection.
 */
#include "services/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"
#include "services/ledger.h"

struct create_job {
	const struct accounts_new_org *in;
	char password_hash[160];
	unsigned char key_hash[WL_KEY_HASH_LEN];
	struct accounts_created *out;
};

static int
create_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct create_job *j = arg;
	const struct accounts_new_org *in = j->in;
	struct store_org org, parent;
	struct store_user user;
	char key_id[WL_ID_LEN];
	int64_t now = wl_now_ms();
	int rc;

	memset(&org, 0, sizeof(org));
	memcpy(org.id, j->out->org_id, WL_ID_LEN);
	snprintf(org.name, sizeof(org.name), "%s", in->name);
	if (in->parent_id != NULL && in->parent_id[0] != '\0') {
		rc = store_org_get(c, in->parent_id, true, &parent, err);
		if (rc != WL_OK)
			return rc == WL_ENOTFOUND
				       ? wl_fail(err, WL_ENOTFOUND,
						 "parent organization %s not found", in->parent_id)
				       : rc;
		if (parent.parent_id[0] != '\0')
			return wl_fail(
				err, WL_EFORBIDDEN,
				"organization %s is itself a client org and cannot have clients",
				in->parent_id);
		snprintf(org.parent_id, sizeof(org.parent_id), "%s", parent.id);
	}
	org.is_demo = in->is_demo;
	org.created_at = now;
	if ((rc = store_org_insert(c, &org, err)) != WL_OK)
		return rc;

	memset(&user, 0, sizeof(user));
	memcpy(user.id, j->out->user_id, WL_ID_LEN);
	memcpy(user.org_id, org.id, WL_ID_LEN);
	snprintf(user.email, sizeof(user.email), "%s", in->email);
	wl_email_normalize(user.email);
	snprintf(user.password_hash, sizeof(user.password_hash), "%s", j->password_hash);
	user.created_at = now;
	if ((rc = store_user_insert(c, &user, err)) != WL_OK)
		return rc;

	ids_new_uuid(key_id);
	rc = store_apikey_insert(c, key_id, org.id, j->key_hash,
				 in->key_label != NULL ? in->key_label : "default", now, err);
	if (rc != WL_OK)
		return rc;
	if (in->seconds > 0) {
		rc = ledger_apply(c, org.id, in->seconds, "grant", "initial",
				  org.parent_id[0] != '\0' ? "Initial credits" : "Initial minutes",
				  now, err);
		if (rc < 0)
			return rc;
	}
	return WL_OK;
}

int
accounts_create_org(struct wl_app *app, const struct accounts_new_org *in,
		    struct accounts_created *out, struct wl_error *err)
{
	struct create_job j;
	int rc;

	if (in->name == NULL || in->name[0] == '\0' || strlen(in->name) > WL_NAME_MAX ||
	    !wl_valid_utf8(in->name, strlen(in->name)))
		return wl_fail(err, WL_EINVALID, "name must be 1 to %d characters of text",
			       WL_NAME_MAX);
	if (in->email == NULL || !wl_valid_email(in->email))
		return wl_fail(err, WL_EINVALID, "email is not a valid e-mail address");
	if (in->password == NULL || strlen(in->password) < 8 || strlen(in->password) > 200)
		return wl_fail(err, WL_EINVALID, "password must be 8 to 200 characters");
	if (in->seconds < 0)
		return wl_fail(err, WL_EINVALID, "minutes must not be negative");

	memset(&j, 0, sizeof(j));
	j.in = in;
	j.out = out;
	if (ids_hash_password(in->password, j.password_hash, sizeof(j.password_hash)) != WL_OK)
		return wl_fail(err, WL_EINTERNAL, "password hashing failed");
	ids_new_uuid(out->org_id);
	ids_new_uuid(out->user_id);
	ids_new_api_key(out->api_key, j.key_hash);
	rc = writer_run(app->writer, create_run, &j, err);
	sodium_memzero(j.key_hash, sizeof(j.key_hash));
	if (rc != WL_OK)
		sodium_memzero(out->api_key, sizeof(out->api_key));
	return rc;
}

struct grant_job {
	const char *org_id;
	int64_t seconds;
	const char *reference;
	const char *description;
	struct accounts_grant_result *out;
};

static int
grant_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct grant_job *j = arg;
	struct store_org org;
	int rc;

	rc = store_org_get(c, j->org_id, true, &org, err);
	if (rc != WL_OK)
		return rc;
	rc = ledger_apply(c, j->org_id, j->seconds, "grant", j->reference, j->description,
			  wl_now_ms(), err);
	if (rc < 0)
		return rc;
	j->out->applied = rc == LEDGER_APPLIED;
	j->out->balance_seconds = org.balance_seconds + (j->out->applied ? j->seconds : 0);
	return WL_OK;
}

int
accounts_grant(struct wl_app *app, const char *org_id, int64_t seconds, const char *reference,
	       const char *description, struct accounts_grant_result *out, struct wl_error *err)
{
	struct grant_job j = { org_id, seconds, reference, description, out };

	if (!wl_valid_uuid(org_id))
		return wl_fail(err, WL_EINVALID, "org must be an organization id (a UUID)");
	if (seconds <= 0)
		return wl_fail(err, WL_EINVALID, "minutes must be greater than zero");
	if (!wl_valid_token(reference, WL_REF_MAX))
		return wl_fail(err, WL_EINVALID,
			       "reference must be 1 to %d characters of letters, digits and ._:-",
			       WL_REF_MAX);
	return writer_run(app->writer, grant_run, &j, err);
}

int
accounts_authenticate(struct store_conn *c, const char *key, size_t n, char org_id[WL_ID_LEN],
		      struct wl_error *err)
{
	unsigned char hash[WL_KEY_HASH_LEN];

	if (ids_hash_api_key(key, n, hash) != WL_OK)
		return wl_fail(err, WL_EUNAUTHORIZED, "Invalid API key");
	return store_apikey_lookup(c, hash, org_id, err);
}

#define KEY_USE_EVERY_MS 60000

struct key_touch {
	struct wl_job job;
	unsigned char hash[WL_KEY_HASH_LEN];
	int64_t now;
};

static int
key_touch_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct key_touch *t = arg;

	return store_apikey_touch(c, t->hash, t->now, t->now - KEY_USE_EVERY_MS + 1, err);
}

static void
key_touch_done(struct wl_job *job)
{
	free(job);
}

/* The month that accounts_view counts. */
static struct store_usage_query
month_query(const struct store_org *org, int64_t now_ms)
{
	return (struct store_usage_query){
		.org_id = org->id,
		.by_billed_org = org->parent_id[0] == '\0',
		.from_ms = wl_month_start_ms(now_ms),
		.to_ms = INT64_MAX,
	};
}

static void
note_key_use(struct wl_app *app, const unsigned char hash[WL_KEY_HASH_LEN], int64_t now,
	     int64_t last)
{
	struct key_touch *t;

	if (now - last < KEY_USE_EVERY_MS || app->writer == NULL)
		return;
	/* Best effort: a refused or failed touch loses one "last used". */
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return;
	memcpy(t->hash, hash, WL_KEY_HASH_LEN);
	t->now = now;
	t->job.run = key_touch_run;
	t->job.done = key_touch_done;
	t->job.arg = t;
	if (writer_submit(app->writer, &t->job) != WL_OK)
		free(t);
}

/* What a found key says: its org (acted on unless X-Organization-Id says
 * otherwise) and, when asked for, the org's usage this month. */
static void
key_found(const struct store_key_org *k, bool with_month, struct api_auth *out)
{
	memcpy(out->key_org_id, k->org.id, WL_ID_LEN);
	memcpy(out->key_id, k->key_id, WL_ID_LEN);
	out->org = k->org;
	if (with_month) {
		out->month_known = true;
		out->month_usage_seconds = k->usage_seconds;
	}
}

int
accounts_api_auth(struct wl_app *app, struct store_conn *c, const char *key, size_t n, int64_t now,
		  const char *requested, bool with_month, struct api_auth *out,
		  struct wl_error *err)
{
	unsigned char hash[WL_KEY_HASH_LEN];
	struct store_org none = { 0 };
	struct store_usage_query month = month_query(&none, now);
	struct store_key_org k;
	bool own = requested == NULL || requested[0] == '\0';
	int rc;

	memset(out, 0, sizeof(*out));
	if (ids_hash_api_key(key, n, hash) != WL_OK)
		return wl_fail(err, WL_EUNAUTHORIZED, "Invalid API key");
	rc = store_apikey_org(c, hash, with_month && own ? &month : NULL, &k, err);
	if (rc != WL_OK)
		return rc;
	note_key_use(app, hash, now, k.last_used_at);
	key_found(&k, with_month && own, out);
	if (own || strcmp(requested, k.org.id) == 0)
		return WL_OK;
	return accounts_acting_org(c, out->key_org_id, requested, &out->org, err);
}

void
accounts_api_auth_many(struct wl_app *app, struct store_conn *c, int n, const char *const *keys,
		       const size_t *lens, int64_t now, struct api_auth *out, int *rc,
		       struct wl_error *errs)
{
	unsigned char hashes[STORE_KEYS_MAX][WL_KEY_HASH_LEN];
	struct store_key_org rows[STORE_KEYS_MAX];
	bool found[STORE_KEYS_MAX];
	int at[STORE_KEYS_MAX], m = 0, i, j, r;
	struct store_org none = { 0 };
	struct store_usage_query month = month_query(&none, now);
	struct wl_error err;

	assert(n >= 0 && n <= STORE_KEYS_MAX);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		wl_error_clear(&errs[i]);
		rc[i] = WL_OK;
		if (ids_hash_api_key(keys[i], lens[i], hashes[m]) != WL_OK)
			rc[i] = wl_fail(&errs[i], WL_EUNAUTHORIZED, "Invalid API key");
		else
			at[m++] = i;
	}
	wl_error_clear(&err);
	r = store_apikey_orgs(c, m, (const unsigned char(*)[WL_KEY_HASH_LEN])hashes, &month, rows,
			      found, &err);
	for (j = 0; j < m; j++) {
		i = at[j];
		if (r != WL_OK) {
			errs[i] = err;
			rc[i] = r;
		} else if (!found[j]) {
			rc[i] = wl_fail(&errs[i], WL_EUNAUTHORIZED, "Invalid API key");
		} else {
			note_key_use(app, hashes[j], now, rows[j].last_used_at);
			key_found(&rows[j], true, &out[i]);
		}
	}
}

int
accounts_acting_org(struct store_conn *c, const char *key_org_id, const char *requested,
		    struct store_org *out, struct wl_error *err)
{
	int rc;

	if (requested == NULL || requested[0] == '\0' || strcmp(requested, key_org_id) == 0)
		return store_org_get(c, key_org_id, false, out, err);
	if (!wl_valid_uuid(requested))
		return wl_fail(err, WL_EINVALID, "X-Organization-Id must be an organization id");
	rc = store_org_get(c, requested, false, out, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && strcmp(out->parent_id, key_org_id) != 0))
		return wl_fail(err, WL_EFORBIDDEN, "This key may not act on organization %s",
			       requested);
	return rc;
}

int
accounts_view(struct store_conn *c, const struct store_org *org, int64_t now_ms,
	      struct account_view *out, struct wl_error *err)
{
	struct store_usage_query q = month_query(org, now_ms);
	int64_t rows;

	out->org = *org;
	return store_usage_sum(c, &q, &out->month_usage_seconds, &rows, err);
}

static int
fetch_client_users(struct store_conn *c, const void *parent_id, int64_t cursor_ms,
		   const char *cursor_id, int want, void *rows, int *n, struct wl_error *err)
{
	return store_client_users(c, parent_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
accounts_client_users(struct store_conn *c, const char *parent_id, int64_t cursor_ms,
		      const char *cursor_id, int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_client_users, parent_id, sizeof(struct store_client_user), limit,
			  cursor_ms, cursor_id, out, err);
}

/* ---- demo ------------------------------------------------------------------ */

struct rekey_job {
	const char *org_id;
	unsigned char hash[WL_KEY_HASH_LEN];
};

static int
rekey_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct rekey_job *j = arg;
	char key_id[WL_ID_LEN];
	int64_t now = wl_now_ms();
	int rc;

	rc = store_apikey_revoke_label(c, j->org_id, "demo", now, err);
	if (rc != WL_OK)
		return rc;
	ids_new_uuid(key_id);
	return store_apikey_insert(c, key_id, j->org_id, j->hash, "demo", now, err);
}

static int
rekey(struct wl_app *app, const char *org_id, char key[WL_API_KEY_LEN + 1], struct wl_error *err)
{
	struct rekey_job j;

	j.org_id = org_id;
	ids_new_api_key(key, j.hash);
	return writer_run(app->writer, rekey_run, &j, err);
}

int
accounts_ensure_demo(struct wl_app *app, struct accounts_demo *out, struct wl_error *err)
{
	struct store_org agency, client;
	struct store_conn *c = store_acquire(app->store, err);
	struct accounts_created made;
	int rc;

	if (c == NULL)
		return err->code;
	rc = store_org_find_demo(c, &agency, &client, err);
	store_release(c);
	memset(out, 0, sizeof(*out));
	if (rc == WL_OK) {
		memcpy(out->agency_id, agency.id, WL_ID_LEN);
		memcpy(out->client_id, client.id, WL_ID_LEN);
		if ((rc = rekey(app, agency.id, out->agency_key, err)) != WL_OK)
			return rc;
		return rekey(app, client.id, out->client_key, err);
	}
	if (rc != WL_ENOTFOUND)
		return rc;
	wl_error_clear(err);
	{
		struct accounts_new_org a = {
			.name = "Demo Agency",
			.email = DEMO_AGENCY_EMAIL,
			.password = DEMO_AGENCY_PASSWORD,
			.seconds = 1000 * 60,
			.is_demo = true,
			.key_label = "demo",
		};
		if ((rc = accounts_create_org(app, &a, &made, err)) != WL_OK)
			return rc;
	}
	memcpy(out->agency_id, made.org_id, WL_ID_LEN);
	memcpy(out->agency_key, made.api_key, sizeof(out->agency_key));
	{
		struct accounts_new_org cl = {
			.name = "Demo Client",
			.email = DEMO_CLIENT_EMAIL,
			.password = DEMO_CLIENT_PASSWORD,
			.parent_id = out->agency_id,
			.seconds = 100 * 60,
			.is_demo = true,
			.key_label = "demo",
		};
		if ((rc = accounts_create_org(app, &cl, &made, err)) != WL_OK)
			return rc;
	}
	memcpy(out->client_id, made.org_id, WL_ID_LEN);
	memcpy(out->client_key, made.api_key, sizeof(out->client_key));
	out->created = true;
	return WL_OK;
}

void
accounts_chrome_read(struct store_conn *c, const char *user_id, const char *session_org_id,
		     const struct store_org *acting, struct accounts_chrome *out)
{
	struct store_user user;
	struct store_org *children;
	struct wl_error err;
	int n = 0, i;

	memset(out, 0, sizeof(*out));
	wl_error_clear(&err);
	if (store_user_get(c, user_id, &user, &err) == WL_OK)
		memcpy(out->user_email, user.email, sizeof(out->user_email));
	wl_error_clear(&err);
	if (store_org_get(c, session_org_id, false, &out->session_org, &err) != WL_OK)
		out->session_org = *acting;
	if (out->session_org.parent_id[0] != '\0')
		return;
	children = calloc(ACCOUNTS_SWITCHER_MAX, sizeof(*children));
	wl_error_clear(&err);
	if (children != NULL && store_org_children(c, out->session_org.id, ACCOUNTS_SWITCHER_MAX,
						   children, &n, &err) == WL_OK) {
		for (i = 0; i < n; i++) {
			memcpy(out->children[i].id, children[i].id, WL_ID_LEN);
			memcpy(out->children[i].name, children[i].name,
			       sizeof(out->children[i].name));
		}
		out->nchildren = n;
	}
	free(children);
}
