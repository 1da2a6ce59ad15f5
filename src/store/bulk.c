/*
 * bulk.c — writes many ended calls in one transaction (wlportal admin
 * seed-usage): each call's row, its ledger entries, its usage row, the daily
 * totals, and the payers' balances, with the same statements (prepared once
 * per connection) as the live path uses one call at a time. What the calls
 * are is the service's (services/seed.c); this file only writes them.
 */
#include "store/db.h"

#include <assert.h>
#include <string.h>

#include "core/timeutil.h"

/* The running day's totals of one (org, payer), added when the day changes. */
struct day_sum {
	char org_id[WL_ID_LEN];
	char billed_org_id[WL_ID_LEN];
	int64_t day, seconds, calls;
};

static int
day_flush(struct store_conn *c, struct day_sum *d, struct wl_error *err)
{
	int rc = WL_OK;

	if (d->calls > 0)
		rc = store_usage_days_add(c, d->org_id, d->billed_org_id, d->day, d->seconds,
					  d->calls, err);
	d->calls = 0;
	d->seconds = 0;
	return rc;
}

static int
day_add(struct store_conn *c, struct day_sum *d, const struct store_usage *u, struct wl_error *err)
{
	int64_t day = wl_day_floor(u->created_at);

	if (d->calls > 0 &&
	    (d->day != day || strcmp(d->org_id, u->org_id) != 0 ||
	     strcmp(d->billed_org_id, u->billed_org_id) != 0) &&
	    day_flush(c, d, err) != WL_OK)
		return err->code;
	if (d->calls == 0) {
		memcpy(d->org_id, u->org_id, WL_ID_LEN);
		memcpy(d->billed_org_id, u->billed_org_id, WL_ID_LEN);
		d->day = day;
	}
	d->seconds += u->duration_sec;
	d->calls++;
	return WL_OK;
}

/* The usage row alone: its totals are added per day by day_add. */
static int
usage_row(struct store_conn *c, const struct store_usage *u, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_USAGE_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, u->id);
	db_bind_text(st, 2, u->org_id);
	db_bind_text(st, 3, u->billed_org_id);
	db_bind_text(st, 4, u->call_id);
	db_bind_int64(st, 5, u->duration_sec);
	db_bind_text(st, 6, u->number_id);
	db_bind_int64(st, 7, u->created_at);
	return db_exec(st, err);
}

static int
one_call(struct store_conn *c, const struct store_ended_call *e, struct day_sum *d,
	 struct wl_error *err)
{
	int i;

	if (store_call_insert(c, &e->call, err) != WL_OK)
		return err->code;
	/* A call's entries are new by construction (its id is): deferred and
	 * written many to a statement (batch_out.c), once the deferral is full
	 * and at COMMIT; else, or when too long to defer, one at a time. */
	if (!batch_defer_entries(c, e->entries, e->n_entries)) {
		if (batch_flush(c, err) != WL_OK)
			return err->code;
		if (!batch_defer_entries(c, e->entries, e->n_entries))
			for (i = 0; i < e->n_entries; i++)
				if (store_ledger_insert(c, &e->entries[i], err) != WL_OK)
					return err->code; /* a reference seen before, too */
	}
	if (usage_row(c, &e->usage, err) != WL_OK)
		return err->code;
	return day_add(c, d, &e->usage, err);
}

static int
bulk_write(struct store_conn *c, const struct store_bulk *b, struct wl_error *err)
{
	struct store_ended_call e;
	struct day_sum d;
	int i;

	/* The balances first, in the order given (an agency before its client,
	 * as every writer job locks them), refused when they cannot pay. */
	for (i = 0; i < b->n_payers; i++) {
		if (store_org_add_balance(c, b->payers[i], b->payer_delta, err) != WL_OK)
			return err->code;
	}
	memset(&d, 0, sizeof(d));
	for (i = 0; i < b->n; i++) {
		memset(&e, 0, sizeof(e));
		b->next(i, &e, b->arg);
		if (one_call(c, &e, &d, err) != WL_OK)
			return err->code;
	}
	return day_flush(c, &d, err);
}

/* On PostgreSQL the transaction is pipelined: nothing but the balances is
 * read back, so a chunk of calls costs a round trip per PG_PIPE_MAX
 * statements instead of one per statement; a failure shows at COMMIT (or
 * the next read) with its own message, and nothing of the chunk is kept. */
int
store_bulk_ended_calls(struct store_conn *c, const struct store_bulk *b, struct wl_error *err)
{
	bool had_cache = c->cache != NULL;
	const struct wl_error *first;
	struct wl_error ignored;
	int rc;

	assert(b->n >= 0 && b->n_payers >= 0 && b->n_payers <= 2);
	if (!had_cache)
		store_batch_cache(c, true); /* none when out of memory: rows one at a time */
	rc = store_pipeline(c, true, err);
	if (rc == WL_OK)
		rc = store_begin(c, err);
	if (rc == WL_OK)
		rc = bulk_write(c, b, err);
	if (rc == WL_OK)
		rc = store_commit(c, err);
	if (rc != WL_OK && (first = store_pipeline_error(c)) != NULL && first->code != WL_OK) {
		*err = *first; /* the failure itself, not the statement that found it */
		rc = first->code;
	}
	wl_error_clear(&ignored);
	store_pipeline(c, false, &ignored);
	/* After the pipeline: a pipeline that failed sends nothing more. */
	if (rc != WL_OK)
		store_rollback(c);
	if (!had_cache)
		store_batch_cache(c, false);
	return rc;
}
