/*
 * orgs.c — organizations, their users and API keys, written once for both
 * drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

#include <sodium.h>
#include <string.h>

#include "store/keycache.h"

static void
read_org(struct db_stmt *st, void *out)
{
	struct store_org *o = out;

	db_col_text(st, 0, o->id, sizeof(o->id));
	db_col_text(st, 1, o->name, sizeof(o->name));
	db_col_text(st, 2, o->parent_id, sizeof(o->parent_id));
	o->balance_seconds = db_col_int64(st, 3);
	o->is_demo = db_col_bool(st, 4);
	o->created_at = db_col_int64(st, 5);
	o->low_balance_minutes = db_col_int64(st, 6);
	o->low_balance_armed = db_col_bool(st, 7);
}

void
db_read_org(struct db_stmt *st, void *out)
{
	read_org(st, out);
}

int
store_org_insert(struct store_conn *c, const struct store_org *o, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_ORG_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, o->id);
	db_bind_text(st, 2, o->name);
	db_bind_text(st, 3, o->parent_id);
	db_bind_bool(st, 4, o->is_demo);
	db_bind_int64(st, 5, o->created_at);
	return db_exec(st, err);
}

/* With for_update, PostgreSQL locks the row (SQLite's single writer needs
 * no lock: its Q_ORG_GET_LOCK reads like Q_ORG_GET). The writer's
 * connection answers from the rows this transaction already locked, and
 * remembers a row it locks (batch.c). */
int
store_org_get(struct store_conn *c, const char *id, bool for_update, struct store_org *out,
	      struct wl_error *err)
{
	const struct store_org *known = batch_org(c, id);
	struct db_stmt *st;
	int rc;

	if (known != NULL) {
		*out = *known;
		return WL_OK;
	}
	if ((st = db_stmt(c, for_update ? Q_ORG_GET_LOCK : Q_ORG_GET, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	rc = db_one(st, read_org, out, WL_ENOTFOUND, "organization not found", err);
	if (rc == WL_OK && for_update)
		batch_org_put(c, out);
	return rc;
}

static void
read_key_org(struct db_stmt *st, void *out)
{
	struct store_key_org *k = out;

	read_org(st, &k->org);
	db_col_text(st, 8, k->key_id, sizeof(k->key_id));
	k->last_used_at = db_col_int64(st, 9);
	k->usage_seconds = db_col_int64(st, 10);
}

/* Answered from keycache.c while the database is unchanged (SQLite). */
int
store_apikey_org(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		 const struct store_usage_query *usage, struct store_key_org *out,
		 struct wl_error *err)
{
	struct keycache_stamp at;
	bool remember = keycache_version(c, &at);
	struct db_stmt *st;
	int rc;

	if (remember && keycache_get(c, &at, hash, usage, out))
		return WL_OK;
	if ((st = db_stmt(c, Q_KEY_ORG, err)) == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	if (usage != NULL)
		db_bind_usage_range(st, 2, usage->from_ms, usage->to_ms);
	else
		db_bind_usage_range(st, 2, 0, 0);
	db_bind_int64(st, 8, usage != NULL);
	rc = db_one(st, read_key_org, out, WL_EUNAUTHORIZED, "Invalid API key", err);
	if (rc == WL_OK && remember)
		keycache_put(c, &at, hash, usage, out);
	return rc;
}

/* One text[] literal of hex hashes: {h1,h2,...} (hex needs no quoting). */
static void
hex_array(int n, const unsigned char (*hashes)[WL_KEY_HASH_LEN], char *out, size_t size)
{
	size_t at = 0;
	int i;

	out[at++] = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			out[at++] = ',';
		assert(size - at > 2 * WL_KEY_HASH_LEN + 1);
		sodium_bin2hex(out + at, size - at, hashes[i], WL_KEY_HASH_LEN);
		at += 2 * WL_KEY_HASH_LEN;
	}
	out[at++] = '}';
	out[at] = '\0';
}

int
store_apikey_orgs(struct store_conn *c, int n, const unsigned char (*hashes)[WL_KEY_HASH_LEN],
		  const struct store_usage_query *usage, struct store_key_org *out, bool *found,
		  struct wl_error *err)
{
	char list[STORE_KEYS_MAX * (2 * WL_KEY_HASH_LEN + 1) + 2];
	struct db_stmt *st;
	enum db_step step;
	int i, rc;

	assert(n >= 0 && n <= STORE_KEYS_MAX);
	for (i = 0; i < n; i++)
		found[i] = false;
	if (n == 0)
		return WL_OK;
	if (!db_has(c, Q_KEY_ORGS)) {
		for (i = 0; i < n; i++) {
			rc = store_apikey_org(c, hashes[i], usage, &out[i], err);
			if (rc == WL_OK)
				found[i] = true;
			else if (rc != WL_EUNAUTHORIZED)
				return rc;
		}
		return WL_OK;
	}
	if ((st = db_stmt(c, Q_KEY_ORGS, err)) == NULL)
		return err->code;
	hex_array(n, hashes, list, sizeof(list));
	db_bind_text(st, 1, list);
	db_bind_usage_range(st, 2, usage->from_ms, usage->to_ms);
	/* One row per key (its hash in column 11); a key may be asked twice. */
	while ((step = db_step(st, err)) == DB_ROW) {
		unsigned char h[WL_KEY_HASH_LEN];

		if (db_col_blob(st, 11, h, sizeof(h)) != sizeof(h))
			continue;
		for (i = 0; i < n; i++)
			if (!found[i] && memcmp(hashes[i], h, WL_KEY_HASH_LEN) == 0) {
				read_key_org(st, &out[i]);
				found[i] = true;
			}
	}
	return db_finish(st, step == DB_DONE ? WL_OK : err->code);
}

int
store_balance_refused(struct store_conn *c, const char *org_id, struct wl_error *err)
{
	struct store_org o;
	int rc = store_org_get(c, org_id, false, &o, err);

	return rc != WL_OK ? rc : wl_fail(err, WL_EINSUFFICIENT, "balance would go below zero");
}

/* The conditional update refuses a negative balance without an error (the
 * CHECK constraint would abort PostgreSQL's savepoint), so the job can
 * answer "insufficient" and the batch goes on. */
int
store_org_add_balance(struct store_conn *c, const char *id, int64_t delta, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_ORG_ADD, err);
	int64_t changed;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, delta);
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	changed = db_changes(st);
	db_finish(st, WL_OK);
	c->balance_writes++;
	if (changed != 1)
		return store_balance_refused(c, id, err);
	batch_org_moved(c, id, delta);
	return WL_OK;
}

/* The org whose id statement `id` returns (bound with `arg` unless NULL). */
static int
org_by(struct store_conn *c, enum stmt_id id, const char *arg, struct store_org *out,
       struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);
	char org_id[WL_ID_LEN];
	int rc;

	if (st == NULL)
		return err->code;
	if (arg != NULL)
		db_bind_text(st, 1, arg);
	if ((rc = db_first_id(st, org_id, err)) != WL_OK)
		return rc;
	return store_org_get(c, org_id, false, out, err);
}

int
store_org_find_demo(struct store_conn *c, struct store_org *agency, struct store_org *client,
		    struct wl_error *err)
{
	int rc = org_by(c, Q_ORG_DEMO_AGENCY, NULL, agency, err);

	return rc != WL_OK ? rc : org_by(c, Q_ORG_DEMO_CLIENT, agency->id, client, err);
}

int
store_org_children(struct store_conn *c, const char *parent_id, int limit, struct store_org *out,
		   int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_ORG_CHILDREN, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, parent_id);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_org, out, sizeof(*out), limit, n, err);
}

/* ---- users ---------------------------------------------------------------------- */

static void
read_user(struct db_stmt *st, void *out)
{
	struct store_user *u = out;

	db_col_text(st, 0, u->id, sizeof(u->id));
	db_col_text(st, 1, u->org_id, sizeof(u->org_id));
	db_col_text(st, 2, u->email, sizeof(u->email));
	db_col_text(st, 3, u->password_hash, sizeof(u->password_hash));
	u->created_at = db_col_int64(st, 4);
}

static void
read_client_user(struct db_stmt *st, void *out)
{
	struct store_client_user *cu = out;

	read_user(st, &cu->user);
	cu->balance_seconds = db_col_int64(st, 5);
	cu->verified_at = db_col_int64(st, 6);
	cu->last_login_at = db_col_int64(st, 7);
	cu->purchases = db_col_int64(st, 8);
	cu->max_concurrent_calls = db_col_int64(st, 9);
	cu->monthly_minutes = db_col_int64(st, 10);
}

int
store_user_insert(struct store_conn *c, const struct store_user *u, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_USER_INSERT, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, u->id);
	db_bind_text(st, 2, u->org_id);
	db_bind_text(st, 3, u->email);
	db_bind_text(st, 4, u->password_hash);
	db_bind_int64(st, 5, u->created_at);
	rc = db_insert_once(st, err);
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "e-mail address already in use");
	return rc;
}

static int
one_user(struct store_conn *c, enum stmt_id id, const char *key, struct store_user *out,
	 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key);
	return db_one(st, read_user, out, WL_ENOTFOUND, "user not found", err);
}

int
store_user_get(struct store_conn *c, const char *user_id, struct store_user *out,
	       struct wl_error *err)
{
	return one_user(c, Q_USER_GET, user_id, out, err);
}

int
store_user_by_email(struct store_conn *c, const char *email, struct store_user *out,
		    struct wl_error *err)
{
	return one_user(c, Q_USER_BY_EMAIL, email, out, err);
}

int
store_client_users(struct store_conn *c, const char *parent_id, int64_t cursor_ms,
		   const char *cursor_id, int limit, struct store_client_user *out, int *n,
		   struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct db_stmt *st = db_stmt(c, Q_CLIENT_USERS, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, parent_id);
	/* Without a cursor, start before every row: (-1, ""). */
	db_bind_int64(st, 2, after ? cursor_ms : -1);
	db_bind_text(st, 3, after ? cursor_id : "");
	db_bind_int64(st, 4, limit);
	return db_rows(st, read_client_user, out, sizeof(*out), limit, n, err);
}

/* ---- API keys ----------------------------------------------------------------------- */

int
store_apikey_insert(struct store_conn *c, const char *id, const char *org_id,
		    const unsigned char hash[WL_KEY_HASH_LEN], const char *label,
		    int64_t created_at, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	db_bind_blob(st, 3, hash, WL_KEY_HASH_LEN);
	db_bind_text(st, 4, label);
	db_bind_int64(st, 5, created_at);
	return db_exec(st, err);
}

int
store_apikey_lookup(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		    char org_id[WL_ID_LEN], struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_LOOKUP, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	rc = db_first_id(st, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_EUNAUTHORIZED, "Invalid API key");
	return rc;
}

int
store_apikey_revoke_label(struct store_conn *c, const char *org_id, const char *label, int64_t now,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_REVOKE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, label);
	db_bind_int64(st, 3, now);
	return db_exec(st, err);
}
