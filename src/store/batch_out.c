/*
 * batch_out.c — the write-out of what a writer batch deferred: its debit
 * entries and its calls' seconds (balances: batch.c), and when it must
 * happen (before any statement that could read them).
 */
#include "store/batch_int.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

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
 * statement per DB_BATCH_ROWS rows), under the same rule as the balances:
 * before any statement not known to leave them alone, before COMMIT, SAVEPOINT and
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
	struct store_call *known = batch_find_call(c, call->id);
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
 * locking read reads another), and rows of their own (a new call, a usage
 * row, its day's totals: seed-usage writes them between deferred entries). */
static bool
leaves_deferred(enum stmt_id id)
{
	return id == Q_ENTRY_DEFERRED || id == Q_ENTRY_PAIR_DEFERRED || id == Q_ORG_ADD_DEFERRED ||
	       id == Q_ENTRIES_MANY || id == Q_CALLS_TICK_MANY || id == Q_CALL_GET_LOCK ||
	       id == Q_CALL_UPDATE || id == Q_CALL_TICK || id == Q_CALL_INSERT ||
	       id == Q_USAGE_INSERT || id == Q_USAGE_DAYS_ADD;
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

/* SQLite: the entries DB_BATCH_ROWS a statement. */
static int
entries_rows(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;

	/* each statement all or nothing; what one wrote is not written again
	 * should the write-out be asked for anew after a failure */
	for (int from = b->entries_out; from < b->nentries; from += DB_BATCH_ROWS) {
		struct db_stmt *st = db_stmt(c, Q_ENTRIES_MANY, err);

		if (st == NULL)
			return err->code;
		for (int r = 0; r < DB_BATCH_ROWS; r++) {
			const struct batch_entry *e;

			if (from + r >= b->nentries) {
				bind_unused(st, r, 6);
				continue;
			}
			e = &b->entry[from + r];
			db_bind_entry(st, r * 6,
				      &(struct store_entry){ e->org_id, e->delta_seconds, e->kind,
							     e->reference, e->description,
							     e->created_at });
		}
		if (db_exec(st, err) != WL_OK)
			return err->code;
		b->entries_out =
			from + DB_BATCH_ROWS < b->nentries ? from + DB_BATCH_ROWS : b->nentries;
	}
	return WL_OK;
}

/* PostgreSQL: the entries in one statement, an array per column. */
static int
entries_arrays(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	struct db_stmt *st = db_stmt(c, Q_ENTRIES_MANY, err);

	if (st == NULL)
		return err->code;
	arr_open(b, 6);
	for (int i = 0; i < b->nentries; i++) {
		const struct batch_entry *e = &b->entry[i];

		arr_text(&b->arr[0], e->org_id);
		arr_int(&b->arr[1], e->delta_seconds);
		arr_text(&b->arr[2], e->kind);
		arr_text(&b->arr[3], e->reference);
		arr_text(&b->arr[4], e->description);
		arr_int(&b->arr[5], e->created_at);
	}
	if (arr_bind(st, b, 6, err) != WL_OK)
		return err->code;
	return db_exec(st, err);
}

/* SQLite: the ticked calls' seconds DB_BATCH_ROWS calls a statement, each
 * call's tick cleared once its statement ran. */
static int
ticks_rows(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	int i = 0;

	while (b->ticked > 0) {
		struct db_stmt *st = db_stmt(c, Q_CALLS_TICK_MANY, err);
		int rows[DB_BATCH_ROWS], r = 0;

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
			rows[r++] = i;
		}
		if (r == 0) /* `ticked` counts the set tick[]: never */
			return db_finish(st, wl_fail(err, WL_EINTERNAL, "batch write: ticks lost"));
		for (int u = r; u < DB_BATCH_ROWS; u++)
			bind_unused(st, u, 5);
		if (db_exec(st, err) != WL_OK)
			return err->code;
		for (int k = 0; k < r; k++)
			b->tick[rows[k]] = false;
		b->ticked -= r;
	}
	return WL_OK;
}

/* PostgreSQL: the ticked calls' seconds in one statement of arrays. */
static int
ticks_arrays(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	struct db_stmt *st = db_stmt(c, Q_CALLS_TICK_MANY, err);

	if (st == NULL)
		return err->code;
	arr_open(b, 5);
	for (int i = 0; i < b->ncalls; i++) {
		const struct store_call *k = &b->call[i];

		if (!b->tick[i])
			continue;
		arr_text(&b->arr[0], k->id);
		arr_int(&b->arr[1], k->elapsed_sec);
		arr_int(&b->arr[2], k->billed_seconds);
		arr_bool(&b->arr[3], k->cut_off);
		arr_int(&b->arr[4], k->last_event_at);
	}
	if (arr_bind(st, b, 5, err) != WL_OK)
		return err->code;
	return db_exec(st, err);
}

int
batch_flush(struct store_conn *c, struct wl_error *err)
{
	struct batch_cache *b = c->cache;
	bool sqlite = c->owner->kind == STORE_SQLITE;
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
	if (b->nentries > 0) {
		if ((sqlite ? entries_rows(c, err) : entries_arrays(c, err)) != WL_OK)
			return err->code;
		b->nentries = b->entries_out = 0;
	}
	if (b->ticked > 0) {
		if ((sqlite ? ticks_rows(c, err) : ticks_arrays(c, err)) != WL_OK)
			return err->code;
		memset(b->tick, 0, (size_t)b->ncalls * sizeof(b->tick[0]));
		b->ticked = 0;
	}
	return WL_OK;
}
