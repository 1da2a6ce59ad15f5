/*
 * store_pg_int.h — what the three files of the PostgreSQL backend share, and
 * nothing else includes: the statement ids (their SQL text is in pg_sql.h),
 * the connection struct, bound-parameter and result helpers, and the
 * operations each file provides to the table in store_pg.c.
 *
 *   store_pg.c         pool, errors, running statements, migrations,
 *                      transactions, the table of operations
 *   store_pg_ledger.c  organizations, users and keys, ledger, calls, usage
 *   store_pg_web.c     whitelabel settings, portal users, sessions, rate limits
 *   store_pg_recon.c   stale calls, reconciliation, idempotency fingerprints,
 *                      installation values (the master key's check value)
 */
#ifndef WL_STORE_PG_INT_H
#define WL_STORE_PG_INT_H

#include "store/store_impl.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS 24

enum stmt_id {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_BEGIN_SNAPSHOT,
	Q_ORG_INSERT, Q_ORG_GET, Q_ORG_GET_LOCK, Q_ORG_ADD, Q_ORG_DEMO_AGENCY, Q_ORG_DEMO_CLIENT,
	Q_USER_INSERT, Q_KEY_INSERT, Q_KEY_LOOKUP, Q_KEY_REVOKE,
	Q_LEDGER_INSERT, Q_LEDGER_APPLY, Q_AUDIT, Q_AUDIT_COUNT,
	Q_CALL_INSERT, Q_CALL_GET, Q_CALL_GET_LOCK, Q_CALL_UPDATE, Q_CALL_LIST, Q_CALL_LIST_AFTER,
	Q_NUMBER_ORG,
	Q_USAGE_INSERT, Q_USAGE_LIST_ORG, Q_USAGE_LIST_BILLED, Q_USAGE_SUM_ORG, Q_USAGE_SUM_BILLED,
	Q_WL_GET, Q_WL_GET_LOCK, Q_WL_PUT, Q_WL_BY_SLUG, Q_WL_BY_DOMAIN,
	Q_SLUG_OWNER, Q_SLUG_RECORD, Q_WL_DOMAINS,
	Q_USER_GET, Q_USER_BY_EMAIL, Q_CLIENT_USERS, Q_ORG_CHILDREN,
	Q_SESSION_INSERT, Q_SESSION_GET, Q_SESSION_DELETE, Q_SESSION_PURGE, Q_LOGIN_GET, Q_LOGIN_ADD,
	Q_LOGIN_CLEAR, Q_LOGIN_PURGE,
	Q_CALL_STALE, Q_RECON_UNSETTLED, Q_RECON_STALE, Q_RECON_COUNT, Q_IDEM_INSERT, Q_IDEM_GET,
	Q_META_GET, Q_META_INSERT, Q_SEALED_SAMPLE,
	Q_COUNT
};

/* A connection belongs to the pool; a thread holds it between acquire and
 * release and is its only user meanwhile. */
struct pg_conn {
	struct store_conn base;
	PGconn *db;
	bool prepared[Q_COUNT];  /* statement i is prepared in this session */
	bool retryable;          /* last failure: serialization failure or deadlock */
	struct pg_conn *next;    /* idle list */
};

/* ---- parameters (all sent as text, except byte strings) ------------------------ */

struct params {
	int n;
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	char numbers[PG_MAX_PARAMS][24];
};

static inline void
p_text(struct params *p, const char *s)
{
	p->values[p->n] = s != NULL ? s : "";
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

static inline void
p_int(struct params *p, int64_t v)
{
	snprintf(p->numbers[p->n], sizeof(p->numbers[p->n]), "%" PRId64, v);
	p_text(p, p->numbers[p->n]);
}

static inline void
p_bool(struct params *p, bool v)
{
	p_text(p, v ? "true" : "false");
}

static inline void
p_bytes(struct params *p, const unsigned char *b, int len)
{
	p->values[p->n] = (const char *)b;
	p->lengths[p->n] = len;
	p->formats[p->n] = 1;
	p->n++;
}

/* ---- results ---------------------------------------------------------------------- */

static inline void
col_copy(const PGresult *r, int row, int col, char *out, size_t n)
{
	snprintf(out, n, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static inline int64_t
col_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static inline bool
col_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static inline bool
changed_rows(const PGresult *r)
{
	const char *n = PQcmdTuples((PGresult *)(uintptr_t)r);

	return n[0] != '\0' && strcmp(n, "0") != 0;
}

/* ---- running statements (store_pg.c) ------------------------------------------------ */

/* The result of a prepared statement (to PQclear), or NULL with err filled. */
PGresult *pg_run(struct pg_conn *c, enum stmt_id id, const struct params *p,
		 struct wl_error *err, const char *what);
/* A statement whose rows do not matter. */
int pg_exec(struct pg_conn *c, enum stmt_id id, const struct params *p, struct wl_error *err,
	    const char *what);
/* An INSERT … ON CONFLICT DO NOTHING: WL_ECONFLICT when no row went in. */
int pg_insert_once(struct pg_conn *c, enum stmt_id id, const struct params *p,
		   struct wl_error *err, const char *what);
/* The first column of the first row as an id, WL_ENOTFOUND without rows. */
int pg_first_id(struct pg_conn *c, enum stmt_id id, const struct params *p,
		char out[WL_ID_LEN], struct wl_error *err);
void pg_rollback(struct store_conn *b);

/* ---- store_pg_ledger.c -------------------------------------------------------------------- */

int pg_org_insert(struct store_conn *, const struct store_org *, struct wl_error *);
int pg_org_get(struct store_conn *, const char *, bool, struct store_org *, struct wl_error *);
int pg_org_add_balance(struct store_conn *, const char *, int64_t, struct wl_error *);
int pg_org_find_demo(struct store_conn *, struct store_org *, struct store_org *,
		     struct wl_error *);
int pg_user_insert(struct store_conn *, const struct store_user *, struct wl_error *);
int pg_apikey_insert(struct store_conn *, const char *, const char *, const unsigned char *,
		     const char *, int64_t, struct wl_error *);
int pg_apikey_lookup(struct store_conn *, const unsigned char *, char *, struct wl_error *);
int pg_apikey_revoke_label(struct store_conn *, const char *, const char *, int64_t,
			   struct wl_error *);
int pg_ledger_insert(struct store_conn *, const struct store_entry *, struct wl_error *);
int pg_ledger_apply(struct store_conn *, const struct store_entry *, struct wl_error *);
int pg_audit(struct store_conn *, void (*)(const struct store_audit_row *, void *), void *,
	     int64_t *, int64_t *, struct wl_error *);
int pg_call_insert(struct store_conn *, const struct store_call *, struct wl_error *);
int pg_call_get(struct store_conn *, const char *, bool, struct store_call *, struct wl_error *);
int pg_call_update(struct store_conn *, const struct store_call *, struct wl_error *);
int pg_call_list(struct store_conn *, const char *, int64_t, const char *, int,
		 struct store_call *, int *, struct wl_error *);
int pg_number_org(struct store_conn *, const char *, char *, struct wl_error *);
int pg_usage_insert(struct store_conn *, const struct store_usage *, struct wl_error *);
int pg_usage_list(struct store_conn *, const struct store_usage_query *, int64_t, const char *,
		  int, struct store_usage *, int *, struct wl_error *);
int pg_usage_sum(struct store_conn *, const struct store_usage_query *, int64_t *, int64_t *,
		 struct wl_error *);

/* A row of CALL_COLS as a call. */
void pg_read_call(const PGresult *r, int i, struct store_call *o);

/* ---- store_pg_recon.c ----------------------------------------------------------------------- */

int pg_call_stale(struct store_conn *, int64_t, int, struct store_call *, int *, struct wl_error *);
int pg_reconcile(struct store_conn *, int64_t, const struct store_recon_hooks *, int64_t *,
		 struct wl_error *);
int pg_idem_claim(struct store_conn *, const char *, const char *, const char *, int64_t,
		  struct wl_error *);
int pg_meta_get(struct store_conn *, const char *, char *, size_t, struct wl_error *);
int pg_meta_put_once(struct store_conn *, const char *, const char *, struct wl_error *);
int pg_sealed_sample(struct store_conn *, char *, size_t, struct wl_error *);

/* ---- store_pg_web.c ------------------------------------------------------------------------ */

int pg_wl_get(struct store_conn *, const char *, bool, struct store_whitelabel *,
	      struct wl_error *);
int pg_wl_put(struct store_conn *, const struct store_whitelabel *, struct wl_error *);
int pg_wl_find(struct store_conn *, const char *, const char *, struct store_whitelabel *,
	       struct wl_error *);
int pg_slug_owner(struct store_conn *, const char *, char *, struct wl_error *);
int pg_wl_domains(struct store_conn *, const char *, int, struct store_whitelabel *, int *,
		  struct wl_error *);
int pg_user_get(struct store_conn *, const char *, struct store_user *, struct wl_error *);
int pg_user_by_email(struct store_conn *, const char *, struct store_user *, struct wl_error *);
int pg_client_users(struct store_conn *, const char *, int64_t, const char *, int,
		    struct store_client_user *, int *, struct wl_error *);
int pg_org_children(struct store_conn *, const char *, int, struct store_org *, int *,
		    struct wl_error *);
int pg_session_insert(struct store_conn *, const unsigned char *, const struct store_session *,
		      struct wl_error *);
int pg_session_get(struct store_conn *, const unsigned char *, int64_t, struct store_session *,
		   struct wl_error *);
int pg_session_delete(struct store_conn *, const unsigned char *, struct wl_error *);
int pg_login_get(struct store_conn *, const char *, struct store_login_failures *,
		 struct wl_error *);
int pg_login_add(struct store_conn *, const char *, int64_t, int64_t, int64_t, struct wl_error *);
int pg_login_clear(struct store_conn *, const char *, struct wl_error *);
int pg_login_purge(struct store_conn *, int64_t, struct wl_error *);

#endif
