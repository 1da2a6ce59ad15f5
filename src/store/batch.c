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
 * Why the batch lock (batch_lock.c): on PostgreSQL every read is a round
 * trip, and a call's event would read its org rows and its call under lock
 * one by one; they are locked and remembered all at once.
 *
 * Why the mark: a job that runs without a savepoint may fail only before its
 * first write; the writer compares the mark before and after to know whether
 * the batch can go on or must run again without that job.
 */
#include "store/db.h"

#include <assert.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

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

/* Entries of known changes not yet written (PostgreSQL), at most this many
 * a batch before they are written out; what does not fit a field below is
 * written at once instead. */
#define BATCH_ENTRIES_MAX 1024

struct batch_entry {
	char org_id[WL_ID_LEN];
	char kind[24];
	char reference[WL_REF_MAX + 1];
	char description[48];
	int64_t delta_seconds, created_at;
};

struct batch_cache {
	uint64_t version;  /* the database's data version at the last BEGIN */
	bool version_read; /* ... when it could be read */
	int norgs, ncalls;
	int deferred;                    /* orgs whose pending[] is not 0 */
	int64_t pending[BATCH_ROWS_MAX]; /* balance change not yet written, by org row */
	int ticked;                      /* calls whose tick[] is set */
	bool tick[BATCH_ROWS_MAX];       /* the call's new seconds not yet written */
	int nentries;
	struct batch_index org_ix, call_ix;
	struct store_org org[BATCH_ROWS_MAX];
	struct store_call call[BATCH_ROWS_MAX];
	struct batch_entry entry[BATCH_ENTRIES_MAX];
	struct wl_buf arr[6]; /* the arrays of one write-out (array literals) */
};

void
store_batch_cache(struct store_conn *c, bool on)
{
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
	b->deferred = b->ticked = b->nentries = 0;
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
	uint64_t v;

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

static struct store_call *
find_call(struct store_conn *c, const char *id)
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

/* ---- deferred entries and calls ------------------------------------------------
 *
 * Each statement costs more than the rows it writes (PostgreSQL: parse of
 * the parameters, a snapshot, the constraints' and triggers' set-up;
 * SQLite: the program's start and end, the statement journal a write that
 * may fail halfway opens and closes), and an engine event wrote two: its
 * entries and its call. The writer keeps a batch's known entries and the
 * seconds of the calls it holds locked (an event that keeps its call's
 * status: store_call_tick) and writes each kind at once (Q_ENTRIES_MANY,
 * Q_CALLS_TICK_MANY: on PostgreSQL one statement of arrays, on SQLite one
 * statement per DB_BATCH_ROWS rows), under the same rule as the balances: before any
 * statement not known to leave them alone, before COMMIT, SAVEPOINT and
 * RELEASE; gone with a rollback. A call's full UPDATE writes what a tick
 * would, so it clears the tick. Each deferral moves the change mark (the
 * writer must know the job wrote). */

/* Copies s (n bytes and its NUL) into a field of `size` bytes; false when
 * it does not fit. */
static bool
copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

bool
batch_defer_entries(struct store_conn *c, const struct store_entry *e, int n)
{
	struct batch_cache *b = c->cache;
	int i;

	if (b == NULL || n > BATCH_ENTRIES_MAX || !db_has(c, Q_ENTRIES_MANY) ||
	    b->nentries + n > BATCH_ENTRIES_MAX)
		return false; /* written at once; the next batch starts empty */
	for (i = 0; i < n; i++) {
		struct batch_entry *d = &b->entry[b->nentries + i];

		if (!copy_field(d->org_id, sizeof(d->org_id), e[i].org_id, strlen(e[i].org_id)) ||
		    !copy_field(d->kind, sizeof(d->kind), e[i].kind, strlen(e[i].kind)) ||
		    !copy_field(d->reference, sizeof(d->reference), e[i].reference,
				strlen(e[i].reference)) ||
		    !copy_field(d->description, sizeof(d->description), e[i].description,
				strlen(e[i].description)))
			return false; /* none of the n taken: nentries not moved yet */
		d->delta_seconds = e[i].delta_seconds;
		d->created_at = e[i].created_at;
	}
	b->nentries += n;
	c->deferrals++;
	return true;
}

bool
batch_defer_tick(struct store_conn *c, const struct store_call *call)
{
	struct store_call *known = find_call(c, call->id);
	bool *t;

	if (known == NULL || !db_has(c, Q_CALLS_TICK_MANY))
		return false;
	*known = *call;
	t = &c->cache->tick[known - c->cache->call];
	if (!*t)
		c->cache->ticked++;
	*t = true;
	c->deferrals++;
	return true;
}

/* Statements that read none of what a batch defers (balances, entries, its
 * calls' seconds): the deferred writes and their write-out, the calls of a
 * batch of events (one the batch holds is answered from memory, so a
 * locking read reads another). */
static bool
leaves_deferred(enum stmt_id id)
{
	return id == Q_ENTRY_DEFERRED || id == Q_ENTRY_PAIR_DEFERRED || id == Q_ORG_ADD_DEFERRED ||
	       id == Q_ENTRIES_MANY || id == Q_CALLS_TICK_MANY || id == Q_CALL_GET_LOCK ||
	       id == Q_CALL_UPDATE || id == Q_CALL_TICK;
}

bool
batch_must_flush(struct store_conn *c, enum stmt_id id)
{
	const struct batch_cache *b = c->cache;

	return b != NULL && (b->deferred > 0 || b->nentries > 0 || b->ticked > 0) &&
	       !leaves_deferred(id);
}

/* Elements of a PostgreSQL array literal ("{" already written): a comma
 * before all but the first; text quoted, " and \ escaped; integers and
 * booleans (t, f) bare. */
static void
arr_next(struct wl_buf *a)
{
	if (a->len > 1)
		wl_buf_append(a, ",", 1);
}

static void
arr_text(struct wl_buf *a, const char *v)
{
	arr_next(a);
	wl_buf_append(a, "\"", 1);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			wl_buf_append(a, "\\", 1);
		wl_buf_append(a, v, 1);
	}
	wl_buf_append(a, "\"", 1);
}

static void
arr_int(struct wl_buf *a, int64_t v)
{
	arr_next(a);
	wl_buf_printf(a, "%" PRId64, v);
}

static void
arr_bool(struct wl_buf *a, bool v)
{
	arr_next(a);
	wl_buf_append(a, v ? "t" : "f", 1);
}

static void
arr_open(struct batch_cache *b, int n)
{
	for (int i = 0; i < n; i++) {
		if (b->arr[i].max == 0)
			wl_buf_init(&b->arr[i], (size_t)64 << 20);
		wl_buf_reset(&b->arr[i]);
		wl_buf_append(&b->arr[i], "{", 1);
	}
}

/* Closes the n arrays and binds them as parameters 1 to n. */
static int
arr_bind(struct db_stmt *st, struct batch_cache *b, int n, struct wl_error *err)
{
	for (int i = 0; i < n; i++) {
		wl_buf_append(&b->arr[i], "}", 1);
		if (!wl_buf_ok(&b->arr[i]))
			return db_finish(st,
					 wl_fail(err, WL_EINTERNAL, "batch write: out of memory"));
		db_bind_text(st, i + 1, wl_buf_cstr(&b->arr[i]));
	}
	return WL_OK;
}

/* SQLite: row `row` of a write-out statement (`cols` parameters a row) is
 * not used this time: NULL, which the statement skips. */
static void
bind_unused(struct db_stmt *st, int row, int cols)
{
	for (int k = 1; k <= cols; k++)
		db_bind_null(st, row * cols + k);
}

static int
flush_entries_sqlite(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;

	for (int from = 0; from < b->nentries; from += DB_BATCH_ROWS) {
		struct db_stmt *st = db_stmt(c, Q_ENTRIES_MANY, err);

		if (st == NULL)
			return err->code;
		for (int r = 0; r < DB_BATCH_ROWS; r++) {
			const struct batch_entry *e;
			int p = r * 6;

			if (from + r >= b->nentries) {
				bind_unused(st, r, 6);
				continue;
			}
			e = &b->entry[from + r];
			db_bind_text(st, p + 1, e->org_id);
			db_bind_int64(st, p + 2, e->delta_seconds);
			db_bind_text(st, p + 3, e->kind);
			db_bind_text(st, p + 4, e->reference);
			db_bind_text(st, p + 5, e->description);
			db_bind_int64(st, p + 6, e->created_at);
		}
		if (db_exec(st, err) != WL_OK)
			return err->code;
	}
	return WL_OK;
}

static int
flush_entries(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	struct db_stmt *st;
	int i;

	if (b->nentries == 0)
		return WL_OK;
	if (c->owner->kind == STORE_SQLITE) {
		if (flush_entries_sqlite(c, err) != WL_OK)
			return err->code;
		b->nentries = 0;
		return WL_OK;
	}
	if ((st = db_stmt(c, Q_ENTRIES_MANY, err)) == NULL)
		return err->code;
	arr_open(b, 6);
	for (i = 0; i < b->nentries; i++) {
		const struct batch_entry *e = &b->entry[i];

		arr_text(&b->arr[0], e->org_id);
		arr_int(&b->arr[1], e->delta_seconds);
		arr_text(&b->arr[2], e->kind);
		arr_text(&b->arr[3], e->reference);
		arr_text(&b->arr[4], e->description);
		arr_int(&b->arr[5], e->created_at);
	}
	if (arr_bind(st, b, 6, err) != WL_OK || db_exec(st, err) != WL_OK)
		return err->code;
	b->nentries = 0;
	return WL_OK;
}

static int
flush_ticks_sqlite(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	int i = 0, left = b->ticked;

	while (left > 0) {
		struct db_stmt *st = db_stmt(c, Q_CALLS_TICK_MANY, err);
		int r = 0;

		if (st == NULL)
			return err->code;
		for (; i < b->ncalls && r < DB_BATCH_ROWS; i++) {
			const struct store_call *k = &b->call[i];
			int p = r * 5;

			if (!b->tick[i])
				continue;
			db_bind_text(st, p + 1, k->id);
			db_bind_int64(st, p + 2, k->elapsed_sec);
			db_bind_int64(st, p + 3, k->billed_seconds);
			db_bind_bool(st, p + 4, k->cut_off);
			db_bind_int64(st, p + 5, k->last_event_at);
			r++;
		}
		/* `ticked` counts the set tick[]: every round takes one at least */
		assert(r > 0);
		left -= r;
		for (int u = r; u < DB_BATCH_ROWS; u++)
			bind_unused(st, u, 5);
		if (db_exec(st, err) != WL_OK)
			return err->code;
	}
	return WL_OK;
}

static int
flush_ticks(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	struct db_stmt *st;
	int i;

	if (b->ticked == 0)
		return WL_OK;
	if (c->owner->kind == STORE_SQLITE) {
		if (flush_ticks_sqlite(c, err) != WL_OK)
			return err->code;
	} else {
		if ((st = db_stmt(c, Q_CALLS_TICK_MANY, err)) == NULL)
			return err->code;
		arr_open(b, 5);
		for (i = 0; i < b->ncalls; i++) {
			const struct store_call *k = &b->call[i];

			if (!b->tick[i])
				continue;
			arr_text(&b->arr[0], k->id);
			arr_int(&b->arr[1], k->elapsed_sec);
			arr_int(&b->arr[2], k->billed_seconds);
			arr_bool(&b->arr[3], k->cut_off);
			arr_int(&b->arr[4], k->last_event_at);
		}
		if (arr_bind(st, b, 5, err) != WL_OK || db_exec(st, err) != WL_OK)
			return err->code;
	}
	memset(b->tick, 0, (size_t)b->ncalls * sizeof(b->tick[0]));
	b->ticked = 0;
	return WL_OK;
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
	if (flush_entries(c, err) != WL_OK)
		return err->code;
	return flush_ticks(c, err);
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
