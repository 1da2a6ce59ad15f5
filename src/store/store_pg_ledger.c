/*
 * store_pg_ledger.c — the PostgreSQL side of organizations, users and API
 * keys, the ledger, calls and usage: bind the parameters, run the prepared
 * statement (store_pg.c), read the rows. The SQL text is in pg_sql.h.
 */
#include "store/store_pg_int.h"

/* ---- organizations ------------------------------------------------------------------- */

int
pg_org_insert(struct store_conn *b, const struct store_org *o, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, o->id);
	p_text(&p, o->name);
	p_text(&p, o->parent_id);
	p_bool(&p, o->is_demo);
	p_int(&p, o->created_at);
	return pg_exec((struct pg_conn *)b, Q_ORG_INSERT, &p, err, "organization");
}

int
pg_org_get(struct store_conn *b, const char *id, bool for_update, struct store_org *out,
	   struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	p_text(&p, id);
	res = pg_run((struct pg_conn *)b, for_update ? Q_ORG_GET_LOCK : Q_ORG_GET, &p, err,
		     "organization");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return wl_fail(err, WL_ENOTFOUND, "organization not found");
	}
	col_copy(res, 0, 0, out->id, sizeof(out->id));
	col_copy(res, 0, 1, out->name, sizeof(out->name));
	col_copy(res, 0, 2, out->parent_id, sizeof(out->parent_id));
	out->balance_seconds = col_int(res, 0, 3);
	out->is_demo = col_bool(res, 0, 4);
	out->created_at = col_int(res, 0, 5);
	PQclear(res);
	return WL_OK;
}

/* The conditional update refuses a negative balance without an error (the
 * CHECK constraint would abort the savepoint), so the job can answer
 * "insufficient" and the batch goes on. */
int
pg_org_add_balance(struct store_conn *b, const char *id, int64_t delta, struct wl_error *err)
{
	struct params p = { 0 };
	struct store_org o;
	PGresult *res;
	bool changed;
	int rc;

	p_text(&p, id);
	p_int(&p, delta);
	res = pg_run((struct pg_conn *)b, Q_ORG_ADD, &p, err, "balance");
	if (res == NULL)
		return err->code;
	changed = changed_rows(res);
	PQclear(res);
	if (changed)
		return WL_OK;
	rc = pg_org_get(b, id, false, &o, err);
	if (rc != WL_OK)
		return rc;
	return wl_fail(err, WL_EINSUFFICIENT, "balance would go below zero");
}


int
pg_org_find_demo(struct store_conn *b, struct store_org *agency, struct store_org *client,
		 struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct params p = { 0 };
	char id[WL_ID_LEN];
	int rc;

	if ((rc = pg_first_id(c, Q_ORG_DEMO_AGENCY, NULL, id, err)) != WL_OK)
		return rc;
	if ((rc = pg_org_get(b, id, false, agency, err)) != WL_OK)
		return rc;
	p_text(&p, agency->id);
	if ((rc = pg_first_id(c, Q_ORG_DEMO_CLIENT, &p, id, err)) != WL_OK)
		return rc;
	return pg_org_get(b, id, false, client, err);
}

/* ---- users and keys ---------------------------------------------------------------------- */

int
pg_user_insert(struct store_conn *b, const struct store_user *u, struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	p_text(&p, u->id);
	p_text(&p, u->org_id);
	p_text(&p, u->email);
	p_text(&p, u->password_hash);
	p_int(&p, u->created_at);
	rc = pg_insert_once((struct pg_conn *)b, Q_USER_INSERT, &p, err, "user");
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "e-mail address already in use");
	return rc;
}

int
pg_apikey_insert(struct store_conn *b, const char *id, const char *org_id,
		 const unsigned char *hash, const char *label, int64_t created_at,
		 struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, id);
	p_text(&p, org_id);
	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	p_text(&p, label);
	p_int(&p, created_at);
	return pg_exec((struct pg_conn *)b, Q_KEY_INSERT, &p, err, "api key");
}

int
pg_apikey_lookup(struct store_conn *b, const unsigned char *hash, char *org_id,
		 struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	rc = pg_first_id((struct pg_conn *)b, Q_KEY_LOOKUP, &p, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_EUNAUTHORIZED, "Invalid API key");
	return rc;
}

int
pg_apikey_revoke_label(struct store_conn *b, const char *org_id, const char *label, int64_t now,
		       struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, org_id);
	p_text(&p, label);
	p_int(&p, now);
	return pg_exec((struct pg_conn *)b, Q_KEY_REVOKE, &p, err, "api key");
}

/* ---- ledger ---------------------------------------------------------------------------------- */

int
pg_ledger_insert(struct store_conn *b, const struct store_entry *e, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, e->org_id);
	p_int(&p, e->delta_seconds);
	p_text(&p, e->kind);
	p_text(&p, e->reference);
	p_text(&p, e->description);
	p_int(&p, e->created_at);
	return pg_insert_once((struct pg_conn *)b, Q_LEDGER_INSERT, &p, err, "ledger entry");
}

int
pg_ledger_apply(struct store_conn *b, const struct store_entry *e, struct wl_error *err)
{
	struct params p = { 0 };
	struct store_org o;
	PGresult *res;
	int64_t inserted, updated;
	int rc;

	p_text(&p, e->org_id);
	p_int(&p, e->delta_seconds);
	p_text(&p, e->kind);
	p_text(&p, e->reference);
	p_text(&p, e->description);
	p_int(&p, e->created_at);
	res = pg_run((struct pg_conn *)b, Q_LEDGER_APPLY, &p, err, "ledger entry");
	if (res == NULL)
		return err->code;
	inserted = col_int(res, 0, 0);
	updated = col_int(res, 0, 1);
	PQclear(res);
	if (inserted == 0)
		return wl_fail(err, WL_ECONFLICT, "ledger entry: already exists");
	if (updated == 1)
		return WL_OK;
	rc = pg_org_get(b, e->org_id, false, &o, err);
	if (rc != WL_OK)
		return rc;
	return wl_fail(err, WL_EINSUFFICIENT, "balance would go below zero");
}

static int
audit_read(struct pg_conn *c, void (*mismatch)(const struct store_audit_row *, void *),
	   void *arg, int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	struct store_audit_row row;
	PGresult *res;
	int i;

	if ((res = pg_run(c, Q_AUDIT, NULL, err, "audit")) == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res); i++) {
		col_copy(res, i, 0, row.org_id, sizeof(row.org_id));
		row.balance_seconds = col_int(res, i, 1);
		row.entries_sum = col_int(res, i, 2);
		mismatch(&row, arg);
	}
	PQclear(res);
	if ((res = pg_run(c, Q_AUDIT_COUNT, NULL, err, "audit")) == NULL)
		return err->code;
	*orgs = col_int(res, 0, 0);
	*entries = col_int(res, 0, 1);
	PQclear(res);
	return WL_OK;
}

/* Balances and entries come from one snapshot, so a debit committing halfway
 * through cannot show up as a mismatch. */
int
pg_audit(struct store_conn *b, void (*mismatch)(const struct store_audit_row *, void *), void *arg,
	 int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	int rc;

	if (pg_exec(c, Q_BEGIN_SNAPSHOT, NULL, err, "audit") != WL_OK)
		return err->code;
	rc = audit_read(c, mismatch, arg, orgs, entries, err);
	if (rc == WL_OK)
		rc = pg_exec(c, Q_COMMIT, NULL, err, "audit");
	else
		pg_rollback(b);
	return rc;
}

/* ---- calls and usage ------------------------------------------------------------------------- */

void
pg_read_call(const PGresult *r, int i, struct store_call *o)
{
	col_copy(r, i, 0, o->id, sizeof(o->id));
	col_copy(r, i, 1, o->org_id, sizeof(o->org_id));
	col_copy(r, i, 2, o->billed_org_id, sizeof(o->billed_org_id));
	col_copy(r, i, 3, o->direction, sizeof(o->direction));
	col_copy(r, i, 4, o->status, sizeof(o->status));
	col_copy(r, i, 5, o->from_number, sizeof(o->from_number));
	col_copy(r, i, 6, o->to_number, sizeof(o->to_number));
	col_copy(r, i, 7, o->number_id, sizeof(o->number_id));
	col_copy(r, i, 8, o->agent_id, sizeof(o->agent_id));
	o->elapsed_sec = col_int(r, i, 9);
	o->billed_seconds = col_int(r, i, 10);
	o->cut_off = col_bool(r, i, 11);
	col_copy(r, i, 12, o->ended_reason, sizeof(o->ended_reason));
	o->created_at = col_int(r, i, 13);
	o->ended_at = col_int(r, i, 14);
	o->last_event_at = col_int(r, i, 15);
}

int
pg_call_insert(struct store_conn *b, const struct store_call *o, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, o->id);
	p_text(&p, o->org_id);
	p_text(&p, o->billed_org_id);
	p_text(&p, o->direction);
	p_text(&p, o->status);
	p_text(&p, o->from_number);
	p_text(&p, o->to_number);
	p_text(&p, o->number_id);
	p_text(&p, o->agent_id);
	p_int(&p, o->elapsed_sec);
	p_int(&p, o->billed_seconds);
	p_bool(&p, o->cut_off);
	p_text(&p, o->ended_reason);
	p_int(&p, o->created_at);
	p_int(&p, o->ended_at);
	p_int(&p, o->last_event_at);
	return pg_exec((struct pg_conn *)b, Q_CALL_INSERT, &p, err, "call");
}

int
pg_call_get(struct store_conn *b, const char *id, bool for_update, struct store_call *out,
	    struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	p_text(&p, id);
	res = pg_run((struct pg_conn *)b, for_update ? Q_CALL_GET_LOCK : Q_CALL_GET, &p, err, "call");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return wl_fail(err, WL_ENOTFOUND, "call not found");
	}
	pg_read_call(res, 0, out);
	PQclear(res);
	return WL_OK;
}

int
pg_call_update(struct store_conn *b, const struct store_call *o, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, o->id);
	p_text(&p, o->status);
	p_int(&p, o->elapsed_sec);
	p_int(&p, o->billed_seconds);
	p_bool(&p, o->cut_off);
	p_text(&p, o->ended_reason);
	p_int(&p, o->ended_at);
	p_int(&p, o->last_event_at);
	return pg_exec((struct pg_conn *)b, Q_CALL_UPDATE, &p, err, "call");
}

int
pg_call_list(struct store_conn *b, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	     int limit, struct store_call *out, int *n, struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, org_id);
	p_int(&p, limit);
	if (after) {
		p_int(&p, cursor_ms);
		p_text(&p, cursor_id);
	}
	res = pg_run((struct pg_conn *)b, after ? Q_CALL_LIST_AFTER : Q_CALL_LIST, &p, err, "calls");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++)
		pg_read_call(res, i, &out[(*n)++]);
	PQclear(res);
	return WL_OK;
}

int
pg_number_org(struct store_conn *b, const char *number_id, char *org_id, struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	p_text(&p, number_id);
	rc = pg_first_id((struct pg_conn *)b, Q_NUMBER_ORG, &p, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_ENOTFOUND, "phone number not found");
	return rc;
}

int
pg_usage_insert(struct store_conn *b, const struct store_usage *u, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, u->id);
	p_text(&p, u->org_id);
	p_text(&p, u->billed_org_id);
	p_text(&p, u->call_id);
	p_int(&p, u->duration_sec);
	p_text(&p, u->number_id);
	p_int(&p, u->created_at);
	return pg_exec((struct pg_conn *)b, Q_USAGE_INSERT, &p, err, "usage");
}

int
pg_usage_list(struct store_conn *b, const struct store_usage_query *q, int64_t cursor_ms,
	      const char *cursor_id, int limit, struct store_usage *out, int *n,
	      struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, q->org_id);
	p_int(&p, q->from_ms);
	p_int(&p, q->to_ms);
	/* Without a cursor, start before every row: (from - 1, ""). */
	p_int(&p, after ? cursor_ms : q->from_ms - 1);
	p_text(&p, after ? cursor_id : "");
	p_int(&p, limit);
	res = pg_run((struct pg_conn *)b, q->by_billed_org ? Q_USAGE_LIST_BILLED : Q_USAGE_LIST_ORG,
		     &p, err, "usage");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++) {
		struct store_usage *u = &out[(*n)++];

		col_copy(res, i, 0, u->id, sizeof(u->id));
		col_copy(res, i, 1, u->org_id, sizeof(u->org_id));
		col_copy(res, i, 2, u->billed_org_id, sizeof(u->billed_org_id));
		col_copy(res, i, 3, u->call_id, sizeof(u->call_id));
		u->duration_sec = col_int(res, i, 4);
		col_copy(res, i, 5, u->number_id, sizeof(u->number_id));
		u->created_at = col_int(res, i, 6);
	}
	PQclear(res);
	return WL_OK;
}

int
pg_usage_sum(struct store_conn *b, const struct store_usage_query *q, int64_t *total_seconds,
	     int64_t *rows, struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	p_text(&p, q->org_id);
	p_int(&p, q->from_ms);
	p_int(&p, q->to_ms);
	res = pg_run((struct pg_conn *)b, q->by_billed_org ? Q_USAGE_SUM_BILLED : Q_USAGE_SUM_ORG, &p,
		     err, "usage");
	if (res == NULL)
		return err->code;
	*total_seconds = col_int(res, 0, 0);
	*rows = col_int(res, 0, 1);
	PQclear(res);
	return WL_OK;
}
