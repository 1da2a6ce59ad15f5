/*
 * store_sqlite_int.h — what the SQLite backend's files share: the statement
 * ids, a connection, and the small helpers around prepared statements.
 * Only src/store/store_sqlite*.c include this.
 */
#ifndef WL_STORE_SQLITE_INT_H
#define WL_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_impl.h"

enum stmt_id {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_ORG_INSERT, Q_ORG_GET, Q_ORG_ADD, Q_ORG_DEMO_AGENCY, Q_ORG_DEMO_CLIENT,
	Q_USER_INSERT, Q_KEY_INSERT, Q_KEY_LOOKUP, Q_KEY_REVOKE,
	Q_LEDGER_INSERT, Q_AUDIT, Q_AUDIT_COUNT,
	Q_CALL_INSERT, Q_CALL_GET, Q_CALL_UPDATE, Q_CALL_LIST, Q_CALL_LIST_AFTER, Q_NUMBER_EXISTS,
	Q_USAGE_INSERT, Q_USAGE_LIST_ORG, Q_USAGE_LIST_BILLED, Q_USAGE_SUM_ORG, Q_USAGE_SUM_BILLED,
	Q_WL_GET, Q_WL_PUT, Q_WL_BY_SLUG, Q_WL_BY_DOMAIN,
	Q_SLUG_OWNER, Q_SLUG_RECORD, Q_WL_DOMAINS,
	Q_USER_GET, Q_USER_BY_EMAIL, Q_CLIENT_USERS, Q_ORG_CHILDREN,
	Q_SESSION_INSERT, Q_SESSION_GET, Q_SESSION_DELETE, Q_SESSION_PURGE, Q_LOGIN_GET, Q_LOGIN_ADD,
	Q_LOGIN_CLEAR, Q_LOGIN_PURGE,
	Q_CALL_STALE, Q_RECON_UNSETTLED, Q_RECON_STALE, Q_RECON_COUNT, Q_IDEM_INSERT, Q_IDEM_GET,
	Q_META_GET, Q_META_INSERT, Q_SEALED_SAMPLE,
	Q_COUNT
};

struct sq_conn {
	struct store_conn base;
	sqlite3 *db;
	sqlite3_stmt *stmt[Q_COUNT];
	struct sq_conn *next;
};

/* An error from SQLite as a wl_error: unique violations are WL_ECONFLICT,
 * busy/locked WL_EUNAVAILABLE, the rest WL_EINTERNAL. */
int sq_err(sqlite3 *db, int rc, struct wl_error *err, const char *what);
/* The connection's prepared statement `id`, reset and unbound; NULL on error. */
sqlite3_stmt *sq_stmt(struct sq_conn *c, enum stmt_id id, struct wl_error *err);
void sq_bind_text(sqlite3_stmt *st, int i, const char *s);
void sq_col_copy(sqlite3_stmt *st, int i, char *out, size_t n);
/* Steps a statement that returns no rows (or ignores them) and resets it. */
int sq_exec(struct sq_conn *c, sqlite3_stmt *st, struct wl_error *err, const char *what);
/* The first column of the first row as an id, WL_ENOTFOUND if no row. */
int sq_first_id(struct sq_conn *c, sqlite3_stmt *st, char out[WL_ID_LEN], struct wl_error *err);

/* A row of CALL_COLS as a call. */
void sq_read_call(sqlite3_stmt *st, struct store_call *o);

/* store_sqlite_recon.c: stale calls, reconciliation, idempotency, installation values. */
int sq_call_stale(struct store_conn *b, int64_t before_ms, int limit, struct store_call *out, int *n, struct wl_error *err);
int sq_reconcile(struct store_conn *b, int64_t stale_before_ms, const struct store_recon_hooks *hooks, int64_t *calls, struct wl_error *err);
int sq_idem_claim(struct store_conn *b, const char *scope, const char *key, const char *fingerprint, int64_t now, struct wl_error *err);
int sq_meta_get(struct store_conn *b, const char *name, char *out, size_t n, struct wl_error *err);
int sq_meta_put_once(struct store_conn *b, const char *name, const char *value, struct wl_error *err);
int sq_sealed_sample(struct store_conn *b, char *out, size_t n, struct wl_error *err);

/* store_sqlite_web.c: whitelabel settings, users, sessions, rate limits. */
int sq_wl_get(struct store_conn *b, const char *org_id, bool for_update, struct store_whitelabel *out, struct wl_error *err);
int sq_wl_find(struct store_conn *b, const char *slug, const char *domain, struct store_whitelabel *out, struct wl_error *err);
int sq_wl_put(struct store_conn *b, const struct store_whitelabel *w, struct wl_error *err);
int sq_slug_owner(struct store_conn *b, const char *slug, char *org_id, struct wl_error *err);
int sq_wl_domains(struct store_conn *b, const char *after, int limit, struct store_whitelabel *out, int *n, struct wl_error *err);
int sq_user_get(struct store_conn *b, const char *user_id, struct store_user *out, struct wl_error *err);
int sq_user_by_email(struct store_conn *b, const char *email, struct store_user *out, struct wl_error *err);
int sq_client_users(struct store_conn *b, const char *parent_id, int64_t cursor_ms, const char *cursor_id, int limit, struct store_client_user *out, int *n, struct wl_error *err);
int sq_org_children(struct store_conn *b, const char *parent_id, int limit, struct store_org *out, int *n, struct wl_error *err);
int sq_session_insert(struct store_conn *b, const unsigned char *hash, const struct store_session *s, struct wl_error *err);
int sq_session_get(struct store_conn *b, const unsigned char *hash, int64_t now, struct store_session *out, struct wl_error *err);
int sq_session_delete(struct store_conn *b, const unsigned char *hash, struct wl_error *err);
int sq_login_get(struct store_conn *b, const char *bucket, struct store_login_failures *out, struct wl_error *err);
int sq_login_add(struct store_conn *b, const char *bucket, int64_t delta, int64_t now, int64_t forget_before, struct wl_error *err);
int sq_login_clear(struct store_conn *b, const char *bucket, struct wl_error *err);
int sq_login_purge(struct store_conn *b, int64_t before, struct wl_error *err);

#endif
