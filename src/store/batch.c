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
 * to older values: at BEGIN, COMMIT, ROLLBACK and ROLLBACK TO SAVEPOINT
 * (store.c). A connection without a cache (every one but the writer's)
 * reads the database each time.
 *
 * Why the batch lock: on PostgreSQL every read is a round trip, and a call's
 * event would read its org rows and its call under lock one by one.
 * store_batch_lock takes them all at once, in the order every job takes
 * them (agencies, then orgs, then calls, each by id), and remembers them, so
 * the jobs' own reads cost nothing. SQLite reads locally: nothing to gain.
 *
 * Why the mark: a job that runs without a savepoint may fail only before its
 * first write; the writer compares the mark before and after to know whether
 * the batch can go on or must run again without that job.
 */
#include "store/db.h"

#include <assert.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* More rows of a kind than this in one batch simply are not remembered. */
#define BATCH_ROWS_MAX 512
/* Open addressing, at most half full: a power of two. */
#define BATCH_SLOTS 1024

/* Row i + 1 of a kind in each slot of its id's probe sequence; 0 = free. */
struct batch_index {
	uint16_t slot[BATCH_SLOTS];
};

/* Both kinds of row start with their id (find_slot). */
_Static_assert(offsetof(struct store_org, id) == 0 && offsetof(struct store_call, id) == 0,
	       "rows start with their id");

struct batch_cache {
	int norgs, ncalls;
	int deferred;                    /* orgs whose pending[] is not 0 */
	int64_t pending[BATCH_ROWS_MAX]; /* balance change not yet written, by org row */
	struct batch_index org_ix, call_ix;
	struct store_org org[BATCH_ROWS_MAX];
	struct store_call call[BATCH_ROWS_MAX];
};

void
store_batch_cache(struct store_conn *c, bool on)
{
	if (!on) {
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

	if (b == NULL || (b->norgs == 0 && b->ncalls == 0))
		return;
	if (b->deferred > 0) /* a rollback: what was not written is gone with it */
		memset(b->pending, 0, (size_t)b->norgs * sizeof(b->pending[0]));
	b->deferred = 0;
	b->norgs = b->ncalls = 0;
	memset(&b->org_ix, 0, sizeof(b->org_ix));
	memset(&b->call_ix, 0, sizeof(b->call_ix));
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

	if (b == NULL || b->norgs == 0)
		return NULL;
	s = find_slot(&b->org_ix, b->org, sizeof(b->org[0]), id);
	return b->org_ix.slot[s] != 0 ? &b->org[b->org_ix.slot[s] - 1] : NULL;
}

static struct store_call *
find_call(struct store_conn *c, const char *id)
{
	struct batch_cache *b = c->cache;
	unsigned s;

	if (b == NULL || b->ncalls == 0)
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

/* Statements that neither read nor write a balance: the entries of
 * deferred changes, the calls of a batch of events, the writing out itself. */
static bool
leaves_balances(enum stmt_id id)
{
	return id == Q_ENTRY_DEFERRED || id == Q_ENTRY_PAIR_DEFERRED || id == Q_ORG_ADD_DEFERRED ||
	       id == Q_CALL_GET_LOCK || id == Q_CALL_UPDATE || id == Q_CALL_TICK;
}

bool
batch_must_flush(struct store_conn *c, enum stmt_id id)
{
	return c->cache != NULL && c->cache->deferred > 0 && !leaves_balances(id);
}

int
batch_flush(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	int i;

	if (b == NULL)
		return WL_OK;
	for (i = 0; i < b->norgs && b->deferred > 0; i++) {
		struct db_stmt *st;

		if (b->pending[i] == 0)
			continue;
		if ((st = db_stmt(c, Q_ORG_ADD_DEFERRED, err)) == NULL)
			return err->code;
		db_bind_text(st, 1, b->org[i].id);
		db_bind_int64(st, 2, b->pending[i]);
		if (db_exec(st, err) != WL_OK)
			return err->code;
		b->pending[i] = 0;
		b->deferred--;
		c->balance_writes++;
	}
	return WL_OK;
}

const struct store_call *
batch_call(struct store_conn *c, const char *id)
{
	return find_call(c, id);
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
	struct store_call *known = find_call(c, call->id);

	if (known != NULL)
		*known = *call;
}

uint64_t
store_change_mark(struct store_conn *c)
{
	return c->drv->change_mark(c);
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

/* ids joined by commas ("" for none): string_to_array's input. An id that
 * holds a comma (none does: they are UUIDs) is left out, its job then
 * locks it itself. NULL when out of memory. */
static char *
id_list(const char *const *ids, int n)
{
	size_t len = 1;
	char *out, *p;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(ids[i]) + 1;
	if ((out = p = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t l = strlen(ids[i]);

		if (l == 0 || strchr(ids[i], ',') != NULL)
			continue;
		if (p != out)
			*p++ = ',';
		memcpy(p, ids[i], l);
		p += l;
	}
	*p = '\0';
	return out;
}

/* Column 16 says which kind of row: 'o' an org (columns 0 to 7), 'c' a call. */
static int
remember_rows(struct db_stmt *st, struct wl_error *err)
{
	struct store_org org;
	struct store_call call;
	char kind[2];
	enum db_step r;

	while ((r = db_step(st, err)) == DB_ROW) {
		db_col_text(st, 16, kind, sizeof(kind));
		if (kind[0] == 'o') {
			db_read_org(st, &org);
			batch_org_put(st->conn, &org);
		} else {
			db_read_call(st, &call);
			batch_call_put(st->conn, &call);
		}
	}
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}

int
store_batch_lock(struct store_conn *c, const struct store_batch_rows *rows, struct wl_error *err)
{
	char *list[3];
	struct db_stmt *st;
	int rc, i;

	if (c->cache == NULL || !db_has(c, Q_BATCH_LOCK) ||
	    rows->nagencies + rows->norgs + rows->ncalls == 0)
		return WL_OK;
	list[0] = id_list(rows->agencies, rows->nagencies);
	list[1] = id_list(rows->orgs, rows->norgs);
	list[2] = id_list(rows->calls, rows->ncalls);
	if (list[0] == NULL || list[1] == NULL || list[2] == NULL)
		rc = WL_OK; /* out of memory: every job locks its rows itself */
	else if ((st = db_stmt(c, Q_BATCH_LOCK, err)) == NULL)
		rc = err->code;
	else {
		for (i = 0; i < 3; i++)
			db_bind_text(st, i + 1, list[i]);
		rc = remember_rows(st, err);
	}
	for (i = 0; i < 3; i++)
		free(list[i]);
	return rc;
}
