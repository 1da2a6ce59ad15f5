/*
 * batch.c — what the writer's connection remembers for the length of one
 * transaction: the organization and call rows its jobs have locked (an
 * org's balance kept current by every balance change the store makes, a
 * call replaced by every update of it), the lock of all of a batch's rows
 * in one statement before its jobs run, and a mark that moves whenever a
 * statement changed data or spoiled the transaction.
 *
 * Why the rows may be remembered: on SQLite the writer holds the database's
 * write lock from BEGIN IMMEDIATE to COMMIT, on PostgreSQL a row read with
 * FOR UPDATE stays locked until the transaction ends, so nobody else can
 * change a remembered row meanwhile. Only locking reads fill the cache, and
 * it is emptied whenever that guarantee ends or the rows may have gone back
 * to older values: at ROLLBACK and ROLLBACK TO SAVEPOINT, at a failed BEGIN
 * or COMMIT, and after a COMMIT unless the next BEGIN finds that nobody
 * else committed (SQLite, below; store.c). A connection without a cache
 * (every one but the writer's) reads the database each time. What a batch
 * defers and its write-out: batch_out.c.
 *
 * Why the batch lock (batch_lock.c): on PostgreSQL every read is a round
 * trip, and a call's event would read its org rows and its call under lock
 * one by one; they are locked and remembered all at once.
 *
 * Why the mark: a job that runs without a savepoint may fail only before its
 * first write; the writer compares the mark before and after to know whether
 * the batch can go on or must run again without that job.
 */
#include "store/batch_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void
store_batch_cache(struct store_conn *c, bool on)
{
	c->rows_kept = false;
	if (!on) {
		if (c->cache != NULL)
			for (size_t i = 0; i < sizeof(c->cache->arr) / sizeof(c->cache->arr[0]);
			     i++)
				wl_buf_free(&c->cache->arr[i]);
		free(c->cache);
		c->cache = NULL;
	} else if (c->cache == NULL) {
		c->cache = calloc(1, sizeof(*c->cache)); /* none: nothing is remembered */
	}
}

void
batch_forget(struct store_conn *c)
{
	struct batch_cache *b = c->cache;

	c->rows_kept = false;
	if (b == NULL || (b->norgs == 0 && b->ncalls == 0 && b->nentries == 0))
		return;
	/* a rollback: what was not written is gone with it */
	if (b->deferred > 0)
		memset(b->pending, 0, (size_t)b->norgs * sizeof(b->pending[0]));
	if (b->ticked > 0)
		memset(b->tick, 0, (size_t)b->ncalls * sizeof(b->tick[0]));
	b->deferred = b->ticked = b->nentries = b->entries_out = 0;
	b->norgs = b->ncalls = 0;
	memset(&b->org_ix, 0, sizeof(b->org_ix));
	memset(&b->call_ix, 0, sizeof(b->call_ix));
}

/* ---- rows kept from one transaction to the next (SQLite) -----------------------
 *
 * On SQLite the writer's connection is the only one of the process that
 * writes the rows it remembers (every write of them keeps the cache
 * current, as within a transaction), and the database's data version
 * moves whenever any other connection or process commits. So after a
 * COMMIT the rows are kept, and the next BEGIN IMMEDIATE (which holds the
 * write lock and reads the newest snapshot) keeps them only if the data
 * version is the one read at the last BEGIN: nobody else committed in
 * between. A statement run between the two (db_stmt), a failed COMMIT or
 * BEGIN and every rollback forget them. A busy writer's events then read
 * their call once a run, not once a batch. PostgreSQL cannot tell another
 * instance's commit: its rows last one transaction. */

void
batch_committed(struct store_conn *c)
{
	struct batch_cache *b = c->cache;

	if (b == NULL)
		return;
	assert(b->deferred == 0 && b->nentries == 0 && b->ticked == 0);
	/* half full: start over rather than remember nothing new */
	if (c->drv->data_version == NULL || !b->version_read || b->norgs > BATCH_ROWS_MAX / 2 ||
	    b->ncalls > BATCH_ROWS_MAX / 2) {
		batch_forget(c);
		return;
	}
	c->rows_kept = true;
}

void
batch_began(struct store_conn *c)
{
	struct batch_cache *b = c->cache;
	uint64_t v = 0;

	if (b == NULL || c->drv->data_version == NULL)
		return;
	b->version_read = c->drv->data_version(c, &v) == WL_OK;
	if (!b->version_read || v != b->version)
		batch_forget(c);
	b->version = v;
}

static unsigned
hash_id(const char *id)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

/* The slot holding `id` (row slot - 1 of `rows`, rows of `size` bytes that
 * start with their id), or the free slot where it would go; the index is
 * never full (BATCH_ROWS_MAX < BATCH_SLOTS). */
static unsigned
find_slot(const struct batch_index *ix, const void *rows, size_t size, const char *id)
{
	unsigned h = hash_id(id) & (BATCH_SLOTS - 1);

	while (ix->slot[h] != 0 &&
	       strcmp((const char *)rows + (size_t)(ix->slot[h] - 1) * size, id) != 0)
		h = (h + 1) & (BATCH_SLOTS - 1);
	return h;
}

static struct store_org *
find_org(struct store_conn *c, const char *id)
{
	struct batch_cache *b = c->cache;
	unsigned s;

	if (b == NULL || b->norgs == 0 || c->rows_kept) /* kept: not vouched for yet */
		return NULL;
	s = find_slot(&b->org_ix, b->org, sizeof(b->org[0]), id);
	return b->org_ix.slot[s] != 0 ? &b->org[b->org_ix.slot[s] - 1] : NULL;
}

struct store_call *
batch_find_call(struct store_conn *c, const char *id)
{
	struct batch_cache *b = c->cache;
	unsigned s;

	if (b == NULL || b->ncalls == 0 || c->rows_kept)
		return NULL;
	s = find_slot(&b->call_ix, b->call, sizeof(b->call[0]), id);
	return b->call_ix.slot[s] != 0 ? &b->call[b->call_ix.slot[s] - 1] : NULL;
}

const struct store_org *
batch_org(struct store_conn *c, const char *id)
{
	return find_org(c, id);
}

void
batch_org_put(struct store_conn *c, const struct store_org *o)
{
	struct batch_cache *b = c->cache;
	unsigned s;

	if (b == NULL || b->norgs >= BATCH_ROWS_MAX)
		return;
	s = find_slot(&b->org_ix, b->org, sizeof(b->org[0]), o->id);
	if (b->org_ix.slot[s] != 0)
		return;
	b->org[b->norgs++] = *o;
	b->org_ix.slot[s] = (uint16_t)b->norgs;
}

void
batch_org_moved(struct store_conn *c, const char *id, int64_t delta)
{
	struct store_org *o = find_org(c, id);

	if (o != NULL)
		o->balance_seconds += delta;
}

/* Rows are not taken out of an index: the id is made one no lookup asks for
 * (ids never start with a NUL), its slot keeps the probe sequences whole.
 * A dropped row has nothing pending: the statement that changed it wrote
 * every deferred balance first (batch_must_flush). */
void
batch_org_drop(struct store_conn *c, const char *id)
{
	struct store_org *o = find_org(c, id);

	if (o != NULL) {
		assert(c->cache->pending[o - c->cache->org] == 0);
		o->id[0] = '\0';
	}
}

/* ---- deferred balances ----------------------------------------------------------
 *
 * A batch of engine events moves the same few org rows again and again; on
 * PostgreSQL each UPDATE of a row makes a new version of it, so a batch of
 * 64 events made 128 versions of two rows (on SQLite, 128 statements). A known change (its amount
 * checked against the remembered balance of a row this batch holds locked:
 * store_ledger_apply_known) instead inserts its entry at once and adds its
 * amount to the remembered row and to the row's pending change. Pending
 * changes are written, one UPDATE per org, before any statement that is not
 * known to leave balances alone (batch_must_flush, from db_stmt), hence
 * before COMMIT, SAVEPOINT and RELEASE; ROLLBACK and ROLLBACK TO drop them
 * with everything else (batch_forget). So every statement that can see a
 * balance sees it whole, and the balance and its entries commit together. */

bool
batch_defer(struct store_conn *c, const char *id, int64_t delta)
{
	struct store_org *o = find_org(c, id);
	int64_t *p;

	if (o == NULL)
		return false;
	p = &c->cache->pending[o - c->cache->org];
	if (*p == 0)
		c->cache->deferred++;
	*p += delta;
	if (*p == 0)
		c->cache->deferred--;
	o->balance_seconds += delta;
	return true;
}


const struct store_call *
batch_call(struct store_conn *c, const char *id)
{
	return batch_find_call(c, id);
}

void
batch_call_put(struct store_conn *c, const struct store_call *call)
{
	struct batch_cache *b = c->cache;
	unsigned s;

	if (b == NULL || b->ncalls >= BATCH_ROWS_MAX)
		return;
	s = find_slot(&b->call_ix, b->call, sizeof(b->call[0]), call->id);
	if (b->call_ix.slot[s] != 0)
		return;
	b->call[b->ncalls++] = *call;
	b->call_ix.slot[s] = (uint16_t)b->ncalls;
}

void
batch_call_written(struct store_conn *c, const struct store_call *call)
{
	struct store_call *known = batch_find_call(c, call->id);

	if (known == NULL)
		return;
	*known = *call;
	if (c->cache->tick[known - c->cache->call]) { /* written whole: no tick left */
		c->cache->tick[known - c->cache->call] = false;
		c->cache->ticked--;
	}
}

uint64_t
store_change_mark(struct store_conn *c)
{
	return c->drv->change_mark(c) + c->deferrals;
}

uint64_t
store_balance_writes(struct store_conn *c)
{
	return c->balance_writes;
}

uint64_t
store_round_trips(struct store_conn *c)
{
	return c->round_trips;
}

uint64_t
store_statements(struct store_conn *c)
{
	return c->statements;
}
