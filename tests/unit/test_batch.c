/*
 * test_batch.c — what a writer batch keeps for its write-out
 * (store/batch.c): a call's debit entries and its call's seconds written
 * at once (PostgreSQL: one statement of arrays each; SQLite: one statement
 * per DB_BATCH_ROWS rows), exactly as given (text that needs quoting in an
 * array literal included), before any statement that could read them and
 * at COMMIT; nothing of them after a ROLLBACK; a deferral moves the change
 * mark the writer reads; on SQLite the rows a transaction locked serve the
 * next while nothing else commits; seed-usage's bulk chunks written the same
 * way, pipelined on PostgreSQL. On a SQLite file always, on PostgreSQL with
 * WLPORTAL_TEST_PG.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/ids.h"
#include "store/db.h"

struct fixture {
	struct store *s;
	struct store_conn *c;
	struct store_org agency, client;
	struct store_call call;
};

static void
setup_rows(struct fixture *f, const char *url)
{
	struct wl_error err;

	assert_int_equal(ids_init(), WL_OK);
	assert_non_null(f->s = store_open(url, &err));
	assert_int_equal(store_migrate(f->s, &err), WL_OK);
	assert_non_null(f->c = store_acquire(f->s, &err));
	memset(&f->agency, 0, sizeof(f->agency));
	memset(&f->client, 0, sizeof(f->client));
	memset(&f->call, 0, sizeof(f->call));
	ids_new_uuid(f->agency.id);
	snprintf(f->agency.name, sizeof(f->agency.name), "batch agency");
	f->agency.created_at = 1;
	ids_new_uuid(f->client.id);
	snprintf(f->client.name, sizeof(f->client.name), "batch client");
	memcpy(f->client.parent_id, f->agency.id, WL_ID_LEN);
	f->client.created_at = 1;
	ids_new_uuid(f->call.id);
	memcpy(f->call.org_id, f->client.id, WL_ID_LEN);
	memcpy(f->call.billed_org_id, f->agency.id, WL_ID_LEN);
	snprintf(f->call.direction, sizeof(f->call.direction), "inbound");
	snprintf(f->call.status, sizeof(f->call.status), "in-progress");
	snprintf(f->call.to_number, sizeof(f->call.to_number), "+31201234567");
	f->call.created_at = f->call.last_event_at = 1;
	assert_int_equal(store_begin(f->c, &err), WL_OK);
	assert_int_equal(store_org_insert(f->c, &f->agency, &err), WL_OK);
	assert_int_equal(store_org_insert(f->c, &f->client, &err), WL_OK);
	assert_int_equal(store_call_insert(f->c, &f->call, &err), WL_OK);
	{
		struct store_entry a = { f->agency.id, 1000, "grant", "setup", "Grant", 1 },
				   c = { f->client.id, 500, "grant", "setup", "Grant", 1 };

		assert_int_equal(store_ledger_apply(f->c, &a, &err), WL_OK);
		assert_int_equal(store_ledger_apply(f->c, &c, &err), WL_OK);
	}
	assert_int_equal(store_commit(f->c, &err), WL_OK);
	store_batch_cache(f->c, true);
}

/* BEGIN and the batch's lock of both orgs and the call, as the writer does
 * (on SQLite, where the batch lock is the database's, each job's locking
 * reads are what fill the cache). */
static void
begin_batch(struct fixture *f)
{
	const char *agencies[] = { f->agency.id }, *orgs[] = { f->client.id },
		   *calls[] = { f->call.id };
	struct store_batch_rows rows = { agencies, 1, orgs, 1, calls, 1 };
	struct store_org o;
	struct store_call call;
	struct wl_error err;

	assert_int_equal(store_begin(f->c, &err), WL_OK);
	assert_int_equal(store_batch_lock(f->c, &rows, &err), WL_OK);
	assert_int_equal(store_org_get(f->c, f->agency.id, true, &o, &err), WL_OK);
	assert_int_equal(store_org_get(f->c, f->client.id, true, &o, &err), WL_OK);
	assert_int_equal(store_call_get(f->c, f->call.id, true, &call, &err), WL_OK);
	assert_non_null(batch_org(f->c, f->agency.id));
	assert_non_null(batch_call(f->c, f->call.id));
}

/* The database of a test: PostgreSQL's URL when given (else the test is
 * skipped: NULL), or a new SQLite file. */
static const char *
db_url(bool pg, char *buf, size_t n)
{
	const char *url = getenv("WLPORTAL_TEST_PG");
	char dir[] = "/tmp/wl-batch-XXXXXX";

	if (pg)
		return url != NULL && url[0] != '\0' ? url : NULL;
	assert_non_null(mkdtemp(dir));
	snprintf(buf, n, "sqlite:%s/db", dir);
	return buf;
}

/* One debit of `secs` with the given reference and descriptions, and its
 * call's new seconds; returns the statements it ran. */
static uint64_t
debit(struct fixture *f, int64_t secs, const char *ref, const char *desc_a, const char *desc_b)
{
	struct store_entry a = { f->client.id, -secs, "call", ref, desc_a, 7 };
	struct store_entry b = { f->agency.id, -secs, "child_call", ref, desc_b, 7 };
	uint64_t stmts = store_statements(f->c), mark = store_change_mark(f->c);
	struct wl_error err;

	assert_int_equal(store_ledger_apply_known_pair(f->c, &a, &b, &err), WL_OK);
	assert_true(store_change_mark(f->c) != mark); /* the writer must see it wrote */
	mark = store_change_mark(f->c);
	f->call.billed_seconds += secs;
	f->call.elapsed_sec = f->call.billed_seconds;
	f->call.last_event_at = 9;
	assert_int_equal(store_call_tick(f->c, &f->call, &err), WL_OK);
	assert_true(store_change_mark(f->c) != mark);
	return store_statements(f->c) - stmts;
}

static int
entries_of(struct fixture *f, const char *org, struct store_ledger_row *rows)
{
	struct wl_error err;
	int n = 0;

	assert_int_equal(store_ledger_list(f->c, org, 20, rows, &n, &err), WL_OK);
	return n;
}

static void
written_out_whole(bool pg)
{
	char buf[96];
	const char *url = db_url(pg, buf, sizeof(buf));
	static const char odd[] = "a \"quoted\" {brace}, comma \\ backslash NULL";
	struct store_ledger_row rows[20];
	struct store_org o;
	struct store_call call;
	struct fixture f;
	struct wl_error err;
	uint64_t stmts;

	if (url == NULL) {
		skip();
		return;
	}
	setup_rows(&f, url);

	/* Rolled back: none of it was written. */
	begin_batch(&f);
	assert_int_equal(debit(&f, 5, "call:rolled-back:5", "x", "y"), 0);
	store_rollback(f.c);
	assert_int_equal(entries_of(&f, f.client.id, rows), 1); /* the grant */
	f.call.billed_seconds = 0;

	/* Two debits of one call: no statement until something may read them. */
	begin_batch(&f);
	assert_int_equal(debit(&f, 3, "call:x:3", odd, "Client call"), 0);
	assert_int_equal(debit(&f, 4, "call:x:7", "Call", odd), 0);
	/* A statement that reads the entries: the balances, the entries and
	 * the call's seconds go out before it, one statement each. */
	stmts = store_statements(f.c);
	assert_int_equal(entries_of(&f, f.client.id, rows), 3);
	assert_int_equal(store_statements(f.c) - stmts, 2 + 1 + 1 + 1);
	assert_int_equal(store_org_get(f.c, f.agency.id, false, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, 1000 - 7);
	assert_int_equal(store_commit(f.c, &err), WL_OK);

	assert_int_equal(entries_of(&f, f.client.id, rows), 3);
	assert_int_equal(rows[0].delta_seconds, -4);
	assert_string_equal(rows[0].reference, "call:x:7");
	assert_string_equal(rows[0].kind, "call");
	assert_string_equal(rows[0].description, "Call");
	assert_string_equal(rows[1].description, odd);
	assert_int_equal(rows[1].created_at, 7);
	assert_int_equal(entries_of(&f, f.agency.id, rows), 3);
	assert_string_equal(rows[0].description, odd);
	assert_string_equal(rows[0].kind, "child_call");
	assert_int_equal(store_call_get(f.c, f.call.id, false, &call, &err), WL_OK);
	assert_int_equal(call.billed_seconds, 7);
	assert_int_equal(call.elapsed_sec, 7);
	assert_int_equal(call.last_event_at, 9);
	assert_int_equal(store_org_get(f.c, f.client.id, false, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, 500 - 7);

	/* Written out at COMMIT when nothing read them before (a call cut
	 * off: a true in the booleans' array). */
	assert_false(call.cut_off);
	begin_batch(&f);
	f.call.cut_off = true;
	assert_int_equal(debit(&f, 1, "call:x:8", "Call", "Client call"), 0);
	assert_int_equal(store_commit(f.c, &err), WL_OK);
	assert_int_equal(store_call_get(f.c, f.call.id, false, &call, &err), WL_OK);
	assert_int_equal(call.billed_seconds, 8);
	assert_true(call.cut_off);
	assert_int_equal(entries_of(&f, f.client.id, rows), 4);

	store_batch_cache(f.c, false);
	store_release(f.c);
	store_close(f.s);
}

static void
test_written_out_whole_sqlite(void **state)
{
	(void)state;
	written_out_whole(false);
}

static void
test_written_out_whole_pg(void **state)
{
	(void)state;
	written_out_whole(true);
}

/* An org of this test whose balance is not the sum of its entries (the
 * database may hold other tests' orgs, made without entries). */
static void
mismatch(const struct store_audit_row *row, void *arg)
{
	const struct fixture *f = arg;

	if (strcmp(row->org_id, f->agency.id) == 0 || strcmp(row->org_id, f->client.id) == 0)
		fail_msg("org %s: balance %lld, entries %lld", row->org_id,
			 (long long)row->balance_seconds, (long long)row->entries_sum);
}

/* `wlportal audit`'s check (every balance is the sum of its entries) of
 * this test's orgs; returns how many entries the database holds. */
static int64_t
audit_clean(struct fixture *f)
{
	struct wl_error err;
	int64_t orgs = 0, n = 0;

	if (store_audit(f->c, mismatch, f, &orgs, &n, &err) != WL_OK)
		fail_msg("audit: %s", err.message);
	return n;
}

/* More entries and calls than one SQLite write-out statement takes: 20
 * calls of the client, two debits each (80 entries), all written, each
 * call's seconds its own. */
static void
many_rows(bool pg)
{
	enum { NCALLS = 20 };
	char buf[96];
	const char *url = db_url(pg, buf, sizeof(buf));
	struct store_call calls[NCALLS], got;
	struct store_ledger_row rows[20];
	struct store_org o;
	struct fixture f;
	struct wl_error err;
	uint64_t stmts;
	int64_t entries0;
	int i, round;

	if (url == NULL) {
		skip();
		return;
	}
	setup_rows(&f, url);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	for (i = 0; i < NCALLS; i++) {
		calls[i] = f.call;
		ids_new_uuid(calls[i].id);
		assert_int_equal(store_call_insert(f.c, &calls[i], &err), WL_OK);
	}
	assert_int_equal(store_commit(f.c, &err), WL_OK);

	entries0 = audit_clean(&f);
	begin_batch(&f);
	for (i = 0; i < NCALLS; i++)
		assert_int_equal(store_call_get(f.c, calls[i].id, true, &got, &err), WL_OK);
	stmts = store_statements(f.c);
	for (round = 1; round <= 2; round++)
		for (i = 0; i < NCALLS; i++) {
			char ref[64];
			struct store_entry a = { f.client.id, -(i + 1), "call", ref, "Call", 7 },
					   b = { f.agency.id, -(i + 1),      "child_call",
						 ref,         "Client call", 7 };

			snprintf(ref, sizeof(ref), "call:%.40s:%d", calls[i].id, round * (i + 1));

			assert_int_equal(store_ledger_apply_known_pair(f.c, &a, &b, &err), WL_OK);
			calls[i].billed_seconds += i + 1;
			calls[i].elapsed_sec = calls[i].billed_seconds + round;
			calls[i].last_event_at = 100 + round;
			assert_int_equal(store_call_tick(f.c, &calls[i], &err), WL_OK);
		}
	assert_int_equal(store_statements(f.c) - stmts, 0);
	assert_int_equal(store_commit(f.c, &err), WL_OK);
	/* the balances, the entries and the seconds, then COMMIT: on SQLite
	 * 80 entries in 5 statements and 20 calls in 2 */
	assert_int_equal(store_statements(f.c) - stmts, pg ? 2 + 1 + 1 + 1 : 2 + 5 + 2 + 1);

	assert_int_equal(store_org_get(f.c, f.client.id, false, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, 500 - 2 * (NCALLS * (NCALLS + 1) / 2));
	assert_int_equal(store_org_get(f.c, f.agency.id, false, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, 1000 - 2 * (NCALLS * (NCALLS + 1) / 2));
	assert_int_equal(entries_of(&f, f.agency.id, rows), 20);
	assert_string_equal(rows[0].kind, "child_call");
	assert_int_equal(rows[0].delta_seconds, -NCALLS); /* the last, newest first */
	/* every entry once: 40 an org, and they sum to the balances' moves */
	assert_int_equal(audit_clean(&f) - entries0, NCALLS * 4);
	for (i = 0; i < NCALLS; i++) {
		assert_int_equal(store_call_get(f.c, calls[i].id, false, &got, &err), WL_OK);
		assert_int_equal(got.billed_seconds, 2 * (i + 1));
		assert_int_equal(got.elapsed_sec, 2 * (i + 1) + 2);
		assert_int_equal(got.last_event_at, 102);
	}
	store_batch_cache(f.c, false);
	store_release(f.c);
	store_close(f.s);
}

static void
test_many_rows_sqlite(void **state)
{
	(void)state;
	many_rows(false);
}

static void
test_many_rows_pg(void **state)
{
	(void)state;
	many_rows(true);
}

/* Statements a locking read of the call and both orgs took. */
static uint64_t
lock_reads(struct fixture *f, struct store_call *call)
{
	uint64_t stmts = store_statements(f->c);
	struct store_org o;
	struct wl_error err;

	assert_int_equal(store_org_get(f->c, f->agency.id, true, &o, &err), WL_OK);
	assert_int_equal(store_org_get(f->c, f->client.id, true, &o, &err), WL_OK);
	assert_int_equal(store_call_get(f->c, f->call.id, true, call, &err), WL_OK);
	return store_statements(f->c) - stmts;
}

/* The rows a transaction locked serve the next one (SQLite) unless
 * something else committed or ran in between; never on PostgreSQL. */
static void
kept_rows(bool pg)
{
	char buf[96];
	const char *url = db_url(pg, buf, sizeof(buf));
	struct store_conn *other;
	struct store_call call, changed;
	struct store_org o;
	struct fixture f;
	struct wl_error err;

	if (url == NULL) {
		skip();
		return;
	}
	setup_rows(&f, url);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(lock_reads(&f, &call), 3);
	assert_int_equal(debit(&f, 2, "call:k:2", "Call", "Client call"), 0);
	assert_int_equal(store_commit(f.c, &err), WL_OK);

	/* Nothing else committed: the rows, as written. */
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(lock_reads(&f, &call), pg ? 3 : 0);
	assert_int_equal(call.billed_seconds, 2);
	assert_int_equal(store_org_get(f.c, f.client.id, true, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, 500 - 2);
	assert_int_equal(store_commit(f.c, &err), WL_OK);

	/* Another connection's commit: read again, and its change seen. */
	assert_non_null(other = store_acquire(f.s, &err));
	assert_int_equal(store_begin(other, &err), WL_OK);
	changed = call;
	changed.elapsed_sec = 99;
	assert_int_equal(store_call_tick(other, &changed, &err), WL_OK);
	assert_int_equal(store_commit(other, &err), WL_OK);
	store_release(other);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(lock_reads(&f, &call), 3);
	assert_int_equal(call.elapsed_sec, 99);
	assert_int_equal(store_commit(f.c, &err), WL_OK);

	/* A read between two transactions is the database's, and the next
	 * transaction reads again. */
	assert_int_equal(store_call_get(f.c, f.call.id, false, &call, &err), WL_OK);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(lock_reads(&f, &call), 3);
	store_rollback(f.c);

	/* After a rollback: read again. */
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(lock_reads(&f, &call), 3);
	assert_int_equal(store_commit(f.c, &err), WL_OK);

	store_batch_cache(f.c, false);
	store_release(f.c);
	store_close(f.s);
}

static void
test_kept_rows_sqlite(void **state)
{
	(void)state;
	kept_rows(false);
}

static void
test_kept_rows_pg(void **state)
{
	(void)state;
	kept_rows(true);
}

/* ---- seed-usage's bulk write (store/bulk.c) -------------------------------------- */

enum { BULK_CALLS = 600, BULK_DAY_MS = 86400000 };

struct bulk_gen {
	struct fixture *f;
	char first_id[WL_ID_LEN]; /* the first call written, for a repeat */
	int repeat_at;            /* the call that takes first_id again (-1: none) */
};

/* Call i of the client, one second billed to the agency, ending on one of
 * three days; its two entries and usage row as seed-usage writes them. */
static void
bulk_next(int i, struct store_ended_call *e, void *arg)
{
	struct bulk_gen *g = arg;
	struct store_call *c = &e->call;
	int64_t ended = (int64_t)(1 + i * 3 / BULK_CALLS) * BULK_DAY_MS + i;

	*c = g->f->call;
	if (i == g->repeat_at)
		memcpy(c->id, g->first_id, WL_ID_LEN);
	else
		ids_new_uuid(c->id);
	if (g->first_id[0] == '\0')
		memcpy(g->first_id, c->id, WL_ID_LEN);
	snprintf(c->status, sizeof(c->status), "ended");
	c->elapsed_sec = c->billed_seconds = 1;
	c->ended_at = c->last_event_at = ended;
	snprintf(e->reference, sizeof(e->reference), "call:%s:1", c->id);
	e->entries[0] = (struct store_entry){ c->org_id, -1, "call", e->reference, "Call", ended };
	e->entries[1] = (struct store_entry){ c->billed_org_id, -1,   "child_call", e->reference,
					      "Client call",    ended };
	e->n_entries = 2;
	ids_new_uuid(e->usage.id);
	memcpy(e->usage.org_id, c->org_id, WL_ID_LEN);
	memcpy(e->usage.billed_org_id, c->billed_org_id, WL_ID_LEN);
	memcpy(e->usage.call_id, c->id, WL_ID_LEN);
	e->usage.duration_sec = 1;
	e->usage.created_at = ended;
}

static int
bulk(struct fixture *f, struct bulk_gen *g, struct wl_error *err)
{
	struct store_bulk b = { BULK_CALLS, bulk_next,  g, { f->agency.id, f->client.id },
				2,          -BULK_CALLS };

	return store_bulk_ended_calls(f->c, &b, err);
}

static void
assert_balances(struct fixture *f, int64_t agency, int64_t client)
{
	struct store_org o;
	struct wl_error err;

	assert_int_equal(store_org_get(f->c, f->agency.id, false, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, agency);
	assert_int_equal(store_org_get(f->c, f->client.id, false, &o, &err), WL_OK);
	assert_int_equal(o.balance_seconds, client);
}

/* The test's rows on a connection as the pool lends it (no batch cache);
 * false when the test is skipped (no PostgreSQL given). */
static bool
pooled_rows(struct fixture *f, bool pg)
{
	char buf[96];
	const char *url = db_url(pg, buf, sizeof(buf));

	if (url == NULL) {
		skip();
		return false;
	}
	setup_rows(f, url);
	store_batch_cache(f->c, false);
	return true;
}

/* 600 calls in one transaction, on a pooled connection as seed-usage has:
 * their 1,200 entries (more than one deferral holds) all written and
 * summing to the balances, the usage rows and their daily totals; on
 * SQLite 16 entries a statement, on PostgreSQL a round trip per
 * PG_PIPE_MAX statements, not per statement. A chunk that repeats a call id
 * fails whole with the database's own reason, and the connection goes on. */
static void
bulk_chunk(bool pg)
{
	struct store_usage_query q;
	struct bulk_gen g;
	struct fixture f;
	struct wl_error err;
	uint64_t stmts, trips;
	int64_t entries0, secs, rows;

	if (!pooled_rows(&f, pg))
		return;
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	{
		struct store_entry a = { f.agency.id, 10000, "grant", "bulk", "Grant", 1 },
				   c = { f.client.id, 10000, "grant", "bulk", "Grant", 1 };

		assert_int_equal(store_ledger_apply(f.c, &a, &err), WL_OK);
		assert_int_equal(store_ledger_apply(f.c, &c, &err), WL_OK);
	}
	assert_int_equal(store_commit(f.c, &err), WL_OK);
	entries0 = audit_clean(&f);

	memset(&g, 0, sizeof(g));
	g.f = &f;
	g.repeat_at = -1;
	stmts = store_statements(f.c);
	trips = store_round_trips(f.c);
	assert_int_equal(bulk(&f, &g, &err), WL_OK);
	stmts = store_statements(f.c) - stmts;
	trips = store_round_trips(f.c) - trips;
	if (pg)
		assert_in_range(trips, 0, 20); /* ~1,300 statements */
	else
		assert_in_range(stmts, 0,
				BULK_CALLS * 2 + 100); /* a call, a usage row; entries by 16 */
	assert_null(f.c->cache);                       /* the connection is left as it was found */
	assert_balances(&f, 11000 - BULK_CALLS, 10500 - BULK_CALLS);
	assert_int_equal(audit_clean(&f) - entries0, 2 * BULK_CALLS);
	memset(&q, 0, sizeof(q));
	q.org_id = f.agency.id;
	q.by_billed_org = true;
	q.to_ms = 10LL * BULK_DAY_MS; /* whole days: read from the daily totals */
	assert_int_equal(store_usage_sum(f.c, &q, &secs, &rows, &err), WL_OK);
	assert_int_equal(rows, BULK_CALLS);
	assert_int_equal(secs, BULK_CALLS);

	/* a call id written before, late in the chunk: nothing of it stays */
	g.repeat_at = BULK_CALLS / 2;
	wl_error_clear(&err);
	assert_int_equal(bulk(&f, &g, &err), WL_ECONFLICT);
	assert_non_null(strstr(err.message, "already exists"));
	assert_int_equal(audit_clean(&f) - entries0, 2 * BULK_CALLS);
	assert_balances(&f, 11000 - BULK_CALLS, 10500 - BULK_CALLS);
	g.repeat_at = -1;
	assert_int_equal(bulk(&f, &g, &err), WL_OK);
	assert_int_equal(audit_clean(&f) - entries0, 4 * BULK_CALLS);
	assert_balances(&f, 11000 - 2 * BULK_CALLS, 10500 - 2 * BULK_CALLS);

	/* refused by the client's balance after the agency's was taken (a read,
	 * nothing queued): the agency's debit is gone with the chunk, and the
	 * connection holds no transaction that a later COMMIT would keep */
	{
		struct store_bulk b = { 1,  bulk_next,
					&g, { f.agency.id, f.client.id },
					2,  -(10500 - 2 * BULK_CALLS) - 1 };

		assert_int_equal(store_bulk_ended_calls(f.c, &b, &err), WL_EINSUFFICIENT);
	}
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(store_commit(f.c, &err), WL_OK);
	assert_balances(&f, 11000 - 2 * BULK_CALLS, 10500 - 2 * BULK_CALLS);
	assert_int_equal(audit_clean(&f) - entries0, 4 * BULK_CALLS);
	store_release(f.c);
	store_close(f.s);
}

static void
test_bulk_chunk_sqlite(void **state)
{
	(void)state;
	bulk_chunk(false);
}

static void
test_bulk_chunk_pg(void **state)
{
	(void)state;
	bulk_chunk(true);
}

/* PostgreSQL's pipeline (the writer's quick attempt): a write that fails
 * unseen, found by the next read in the middle of the transaction, is told
 * with its own reason; after the rollback and the end of the pipeline the
 * session answers again (the server skips every message up to a Sync, so
 * leaving the pipeline without one lost the next statement's answer). */
static void
test_pipeline_failed_read_pg(void **state)
{
	struct store_org o;
	struct fixture f;
	struct wl_error err;
	uint64_t mark;

	(void)state;
	if (!pooled_rows(&f, true))
		return;
	assert_int_equal(store_pipeline(f.c, true, &err), WL_OK);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(store_call_insert(f.c, &f.call, &err), WL_OK); /* sent, not awaited */
	wl_error_clear(&err);
	/* the read is not what failed: no conflict of its own, which a
	 * ledger insert would take for a duplicate and answer as done */
	assert_int_equal(store_org_get(f.c, f.agency.id, false, &o, &err), WL_EINTERNAL);
	assert_non_null(strstr(err.message, "call: already exists"));
	assert_true(store_pipeline_failed(f.c));
	assert_int_equal(store_pipeline_error(f.c)->code, WL_ECONFLICT);
	/* and a statement after it spoils the transaction, never a clean refusal */
	mark = store_change_mark(f.c);
	assert_int_not_equal(store_org_get(f.c, f.client.id, false, &o, &err), WL_OK);
	assert_false(store_unchanged_since(f.c, mark));
	store_rollback(f.c);
	assert_int_equal(store_pipeline(f.c, false, &err), WL_OK);
	wl_error_clear(&err);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(store_org_get(f.c, f.agency.id, true, &o, &err), WL_OK);
	assert_string_equal(o.id, f.agency.id);
	assert_int_equal(store_commit(f.c, &err), WL_OK);
	assert_int_equal(store_org_get(f.c, f.client.id, false, &o, &err), WL_OK);
	store_release(f.c);
	store_close(f.s);
}

/* A pipeline that starts while a transaction is left open (a failed
 * ROLLBACK, a caller that forgot): store_begin sees it and rolls it back,
 * so its writes never commit with the next transaction. */
static void
test_pipeline_after_open_pg(void **state)
{
	struct fixture f;
	struct wl_error err;

	(void)state;
	if (!pooled_rows(&f, true))
		return;
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(store_org_add_balance(f.c, f.agency.id, -7, &err), WL_OK);
	assert_int_equal(store_pipeline(f.c, true, &err), WL_OK);
	assert_int_equal(store_begin(f.c, &err), WL_OK);
	assert_int_equal(store_commit(f.c, &err), WL_OK);
	assert_int_equal(store_pipeline(f.c, false, &err), WL_OK);
	assert_balances(&f, 1000, 500);
	store_release(f.c);
	store_close(f.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_out_whole_sqlite),
		cmocka_unit_test(test_written_out_whole_pg),
		cmocka_unit_test(test_many_rows_sqlite),
		cmocka_unit_test(test_many_rows_pg),
		cmocka_unit_test(test_kept_rows_sqlite),
		cmocka_unit_test(test_kept_rows_pg),
		cmocka_unit_test(test_bulk_chunk_sqlite),
		cmocka_unit_test(test_bulk_chunk_pg),
		cmocka_unit_test(test_pipeline_failed_read_pg),
		cmocka_unit_test(test_pipeline_after_open_pg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
