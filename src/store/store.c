/*
 * store.c — picks a backend from the database URL and forwards every call
 * of store.h to it. `sqlite:PATH` (or a plain path) opens SQLite;
 * `postgres://…` / `postgresql://…` opens PostgreSQL.
 */
#include "store/store_impl.h"

#include <string.h>

struct store *
store_open(const char *url, struct wl_error *err)
{
	if (url == NULL || url[0] == '\0') {
		wl_fail(err, WL_EINVALID, "empty database URL");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0)
		return store_sqlite_open(url + 7, err);
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
#ifdef WL_WITH_POSTGRES
		return store_pg_open(url, err);
#else
		wl_fail(err, WL_EINVALID, "this build has no PostgreSQL backend");
		return NULL;
#endif
	}
	if (strstr(url, "://") != NULL) {
		wl_fail(err, WL_EINVALID, "unsupported database URL scheme (use sqlite:PATH or postgres://…)");
		return NULL;
	}
	return store_sqlite_open(url, err);
}

void store_close(struct store *s) { if (s != NULL) s->ops->close(s); }
enum store_kind store_kind(const struct store *s) { return s->kind; }
int store_migrate(struct store *s, struct wl_error *err) { return s->ops->migrate(s, err); }
static _Thread_local bool acquire_forbidden;

void store_forbid_acquire(bool on) { acquire_forbidden = on; }

struct store_conn *
store_acquire(struct store *s, struct wl_error *err)
{
	if (acquire_forbidden) {
		wl_fail(err, WL_EINTERNAL, "no database access here (a write's finish)");
		return NULL;
	}
	return s->ops->acquire(s, err);
}
void store_release(struct store_conn *c) { if (c != NULL) c->ops->release(c); }

int store_begin(struct store_conn *c, struct wl_error *err) { return c->ops->begin(c, err); }
int store_commit(struct store_conn *c, struct wl_error *err) { return c->ops->commit(c, err); }
void store_rollback(struct store_conn *c) { c->ops->rollback(c); }
int store_savepoint(struct store_conn *c, struct wl_error *err) { return c->ops->savepoint(c, err); }
int store_savepoint_release(struct store_conn *c, struct wl_error *err) { return c->ops->savepoint_release(c, err); }
int store_savepoint_rollback(struct store_conn *c, struct wl_error *err) { return c->ops->savepoint_rollback(c, err); }
bool store_retryable(struct store_conn *c) { return c->ops->retryable(c); }

int
store_org_insert(struct store_conn *c, const struct store_org *org, struct wl_error *err)
{
	return c->ops->org_insert(c, org, err);
}

int
store_org_get(struct store_conn *c, const char *id, bool for_update, struct store_org *out,
	      struct wl_error *err)
{
	return c->ops->org_get(c, id, for_update, out, err);
}

int
store_org_add_balance(struct store_conn *c, const char *id, int64_t delta, struct wl_error *err)
{
	return c->ops->org_add_balance(c, id, delta, err);
}

int
store_org_find_demo(struct store_conn *c, struct store_org *agency, struct store_org *client,
		    struct wl_error *err)
{
	return c->ops->org_find_demo(c, agency, client, err);
}

int
store_user_insert(struct store_conn *c, const struct store_user *u, struct wl_error *err)
{
	return c->ops->user_insert(c, u, err);
}

int
store_apikey_insert(struct store_conn *c, const char *id, const char *org_id,
		    const unsigned char hash[WL_KEY_HASH_LEN], const char *label, int64_t created_at,
		    struct wl_error *err)
{
	return c->ops->apikey_insert(c, id, org_id, hash, label, created_at, err);
}

int
store_apikey_lookup(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		    char org_id[WL_ID_LEN], struct wl_error *err)
{
	return c->ops->apikey_lookup(c, hash, org_id, err);
}

int
store_apikey_revoke_label(struct store_conn *c, const char *org_id, const char *label, int64_t now,
			  struct wl_error *err)
{
	return c->ops->apikey_revoke_label(c, org_id, label, now, err);
}

int
store_ledger_insert(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	return c->ops->ledger_insert(c, e, err);
}

int
store_ledger_apply(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	int rc;

	if (c->ops->ledger_apply != NULL)
		return c->ops->ledger_apply(c, e, err);
	rc = c->ops->ledger_insert(c, e, err);
	if (rc != WL_OK)
		return rc;
	return c->ops->org_add_balance(c, e->org_id, e->delta_seconds, err);
}

int
store_audit(struct store_conn *c, void (*mismatch)(const struct store_audit_row *, void *),
	    void *arg, int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	return c->ops->audit(c, mismatch, arg, orgs, entries, err);
}

int
store_call_insert(struct store_conn *c, const struct store_call *call, struct wl_error *err)
{
	return c->ops->call_insert(c, call, err);
}

int
store_call_get(struct store_conn *c, const char *id, bool for_update, struct store_call *out,
	       struct wl_error *err)
{
	return c->ops->call_get(c, id, for_update, out, err);
}

int
store_call_update(struct store_conn *c, const struct store_call *call, struct wl_error *err)
{
	return c->ops->call_update(c, call, err);
}

int
store_call_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		int limit, struct store_call *out, int *n, struct wl_error *err)
{
	return c->ops->call_list(c, org_id, cursor_ms, cursor_id, limit, out, n, err);
}

int
store_number_org(struct store_conn *c, const char *number_id, char org_id[WL_ID_LEN],
		 struct wl_error *err)
{
	return c->ops->number_org(c, number_id, org_id, err);
}

int
store_usage_insert(struct store_conn *c, const struct store_usage *u, struct wl_error *err)
{
	return c->ops->usage_insert(c, u, err);
}

int
store_usage_list(struct store_conn *c, const struct store_usage_query *q, int64_t cursor_ms,
		 const char *cursor_id, int limit, struct store_usage *out, int *n,
		 struct wl_error *err)
{
	return c->ops->usage_list(c, q, cursor_ms, cursor_id, limit, out, n, err);
}

int
store_usage_sum(struct store_conn *c, const struct store_usage_query *q, int64_t *total_seconds,
		int64_t *rows, struct wl_error *err)
{
	return c->ops->usage_sum(c, q, total_seconds, rows, err);
}

int
store_call_stale(struct store_conn *c, int64_t before_ms, int limit, struct store_call *out,
		 int *n, struct wl_error *err)
{
	return c->ops->call_stale(c, before_ms, limit, out, n, err);
}

int
store_reconcile(struct store_conn *c, int64_t stale_before_ms, const struct store_recon_hooks *hooks,
		int64_t *calls, struct wl_error *err)
{
	return c->ops->reconcile(c, stale_before_ms, hooks, calls, err);
}

int
store_idem_claim(struct store_conn *c, const char *scope, const char *key, const char *fingerprint,
		 int64_t now, struct wl_error *err)
{
	return c->ops->idem_claim(c, scope, key, fingerprint, now, err);
}

int
store_meta_get(struct store_conn *c, const char *name, char *out, size_t n, struct wl_error *err)
{
	return c->ops->meta_get(c, name, out, n, err);
}

int
store_meta_put_once(struct store_conn *c, const char *name, const char *value,
		    struct wl_error *err)
{
	return c->ops->meta_put_once(c, name, value, err);
}

int
store_sealed_sample(struct store_conn *c, char *out, size_t n, struct wl_error *err)
{
	return c->ops->sealed_sample(c, out, n, err);
}

/* Operations a backend does not provide yet answer plainly instead of crashing. */
#define MISSING(c) wl_fail(err, WL_EINTERNAL, "the %s store cannot do this yet", (c)->ops->name)

int
store_wl_get(struct store_conn *c, const char *org_id, bool for_update,
	     struct store_whitelabel *out, struct wl_error *err)
{
	return c->ops->wl_get ? c->ops->wl_get(c, org_id, for_update, out, err) : MISSING(c);
}

int
store_wl_put(struct store_conn *c, const struct store_whitelabel *wl, struct wl_error *err)
{
	return c->ops->wl_put ? c->ops->wl_put(c, wl, err) : MISSING(c);
}

int
store_wl_find(struct store_conn *c, const char *slug, const char *domain,
	      struct store_whitelabel *out, struct wl_error *err)
{
	return c->ops->wl_find ? c->ops->wl_find(c, slug, domain, out, err) : MISSING(c);
}

int
store_slug_owner(struct store_conn *c, const char *slug, char org_id[WL_ID_LEN],
		 struct wl_error *err)
{
	return c->ops->slug_owner ? c->ops->slug_owner(c, slug, org_id, err) : MISSING(c);
}

int
store_wl_domains(struct store_conn *c, const char *after_org_id, int limit,
		 struct store_whitelabel *out, int *n, struct wl_error *err)
{
	return c->ops->wl_domains ? c->ops->wl_domains(c, after_org_id, limit, out, n, err)
				  : MISSING(c);
}

int
store_user_get(struct store_conn *c, const char *user_id, struct store_user *out,
	       struct wl_error *err)
{
	return c->ops->user_get ? c->ops->user_get(c, user_id, out, err) : MISSING(c);
}

int
store_user_by_email(struct store_conn *c, const char *email, struct store_user *out,
		    struct wl_error *err)
{
	return c->ops->user_by_email ? c->ops->user_by_email(c, email, out, err) : MISSING(c);
}

int
store_client_users(struct store_conn *c, const char *parent_id, int64_t cursor_ms,
		   const char *cursor_id, int limit, struct store_client_user *out, int *n,
		   struct wl_error *err)
{
	return c->ops->client_users
		       ? c->ops->client_users(c, parent_id, cursor_ms, cursor_id, limit, out, n, err)
		       : MISSING(c);
}

int
store_org_children(struct store_conn *c, const char *parent_id, int limit, struct store_org *out,
		   int *n, struct wl_error *err)
{
	return c->ops->org_children ? c->ops->org_children(c, parent_id, limit, out, n, err)
				    : MISSING(c);
}

int
store_session_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		     const struct store_session *s, struct wl_error *err)
{
	return c->ops->session_insert ? c->ops->session_insert(c, hash, s, err) : MISSING(c);
}

int
store_session_get(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN], int64_t now,
		  struct store_session *out, struct wl_error *err)
{
	return c->ops->session_get ? c->ops->session_get(c, hash, now, out, err) : MISSING(c);
}

int
store_session_delete(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		     struct wl_error *err)
{
	return c->ops->session_delete ? c->ops->session_delete(c, hash, err) : MISSING(c);
}

int
store_login_failures_get(struct store_conn *c, const char *bucket,
			 struct store_login_failures *out, struct wl_error *err)
{
	return c->ops->login_get ? c->ops->login_get(c, bucket, out, err) : MISSING(c);
}

int
store_login_failures_add(struct store_conn *c, const char *bucket, int64_t delta, int64_t now,
			 int64_t forget_before, struct wl_error *err)
{
	return c->ops->login_add ? c->ops->login_add(c, bucket, delta, now, forget_before, err)
				 : MISSING(c);
}

int
store_login_failures_clear(struct store_conn *c, const char *bucket, struct wl_error *err)
{
	return c->ops->login_clear ? c->ops->login_clear(c, bucket, err) : MISSING(c);
}

int
store_login_failures_purge(struct store_conn *c, int64_t before, struct wl_error *err)
{
	return c->ops->login_purge ? c->ops->login_purge(c, before, err) : MISSING(c);
}
