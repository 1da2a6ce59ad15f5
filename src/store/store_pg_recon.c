/*
 * store_pg_recon.c — PostgreSQL's side of what keeps the books closed: open
 * calls that went silent (for the reaper), the reconciliation of calls with
 * their usage rows (for `wlportal audit`), the fingerprints of idempotent
 * requests, and named values of the installation (the master key's check
 * value). The SQL text is in pg_sql.h.
 */
#include "store/store_pg_int.h"

int
pg_call_stale(struct store_conn *b, int64_t before_ms, int limit, struct store_call *out, int *n,
	      struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_int(&p, before_ms);
	p_int(&p, limit);
	res = pg_run((struct pg_conn *)b, Q_CALL_STALE, &p, err, "stale calls");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++)
		pg_read_call(res, i, &out[(*n)++]);
	PQclear(res);
	return WL_OK;
}

static int
each_call(struct pg_conn *c, enum stmt_id id, const struct params *p,
	  void (*each)(const struct store_call *, void *), void *arg, struct wl_error *err)
{
	PGresult *res = pg_run(c, id, p, err, "reconciliation");
	struct store_call call;
	int i;

	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res); i++) {
		pg_read_call(res, i, &call);
		each(&call, arg);
	}
	PQclear(res);
	return WL_OK;
}

static int
reconcile_read(struct pg_conn *c, int64_t stale_before_ms, const struct store_recon_hooks *hooks,
	       int64_t *calls, struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int rc;

	if ((rc = each_call(c, Q_RECON_UNSETTLED, NULL, hooks->unsettled, hooks->arg, err)) != WL_OK)
		return rc;
	p_int(&p, stale_before_ms);
	if ((rc = each_call(c, Q_RECON_STALE, &p, hooks->stale, hooks->arg, err)) != WL_OK)
		return rc;
	if ((res = pg_run(c, Q_RECON_COUNT, NULL, err, "reconciliation")) == NULL)
		return err->code;
	*calls = PQntuples(res) == 1 ? col_int(res, 0, 0) : 0;
	PQclear(res);
	return WL_OK;
}

/* Both reads in one snapshot, like the ledger audit. */
int
pg_reconcile(struct store_conn *b, int64_t stale_before_ms, const struct store_recon_hooks *hooks,
	     int64_t *calls, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	int rc;

	if (pg_exec(c, Q_BEGIN_SNAPSHOT, NULL, err, "reconciliation") != WL_OK)
		return err->code;
	rc = reconcile_read(c, stale_before_ms, hooks, calls, err);
	if (rc == WL_OK)
		rc = pg_exec(c, Q_COMMIT, NULL, err, "reconciliation");
	else
		pg_rollback(b);
	return rc;
}

/* The first column of the first row as text, WL_ENOTFOUND without rows. */
static int
first_text(struct pg_conn *c, enum stmt_id id, const struct params *p, char *out, size_t n,
	   struct wl_error *err)
{
	PGresult *res = pg_run(c, id, p, err, "lookup");
	int rc = WL_OK;

	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		rc = wl_fail(err, WL_ENOTFOUND, "not found");
	else
		col_copy(res, 0, 0, out, n);
	PQclear(res);
	return rc;
}

/* Insert, and only when the key was there already read what it was
 * recorded with: a second statement sees a row another instance committed
 * while the insert waited for it. */
int
pg_idem_claim(struct store_conn *b, const char *scope, const char *key, const char *fingerprint,
	      int64_t now, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct params p = { 0 }, q = { 0 };
	char stored[WL_FINGERPRINT_LEN];
	int rc;

	p_text(&p, scope);
	p_text(&p, key);
	p_text(&p, fingerprint);
	p_int(&p, now);
	rc = pg_insert_once(c, Q_IDEM_INSERT, &p, err, "idempotency key");
	if (rc != WL_ECONFLICT)
		return rc;
	wl_error_clear(err);
	p_text(&q, scope);
	p_text(&q, key);
	if ((rc = first_text(c, Q_IDEM_GET, &q, stored, sizeof(stored), err)) != WL_OK)
		return rc;
	if (strcmp(stored, fingerprint) != 0)
		return wl_fail(err, WL_ECONFLICT, "idempotency key used for another request");
	return WL_OK;
}

int
pg_meta_get(struct store_conn *b, const char *name, char *out, size_t n, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, name);
	return first_text((struct pg_conn *)b, Q_META_GET, &p, out, n, err);
}

int
pg_meta_put_once(struct store_conn *b, const char *name, const char *value, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, name);
	p_text(&p, value);
	return pg_exec((struct pg_conn *)b, Q_META_INSERT, &p, err, "installation value");
}

int
pg_sealed_sample(struct store_conn *b, char *out, size_t n, struct wl_error *err)
{
	return first_text((struct pg_conn *)b, Q_SEALED_SAMPLE, NULL, out, n, err);
}
