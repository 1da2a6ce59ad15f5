/*
 * store.c — picks a driver from the database URL and runs what is the same
 * on every driver: the store's lifetime, transactions and savepoints, and
 * the shapes of running a statement that every operation uses (db.h).
 * `sqlite:PATH` (or a plain path) opens SQLite; `postgres://…` /
 * `postgresql://…` opens PostgreSQL.
 */
#include "store/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct store *
store_open(const char *url, struct wl_error *err)
{
	if (url == NULL || url[0] == '\0') {
		wl_fail(err, WL_EINVALID, "empty database URL");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0)
		return db_sqlite_open(url + 7, err);
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
#ifdef WL_WITH_POSTGRES
		return db_pg_open(url, err);
#else
		wl_fail(err, WL_EINVALID, "this build has no PostgreSQL backend");
		return NULL;
#endif
	}
	if (strstr(url, "://") != NULL) {
		wl_fail(err, WL_EINVALID,
			"unsupported database URL scheme (use sqlite:PATH or postgres://…)");
		return NULL;
	}
	return db_sqlite_open(url, err);
}

void
store_background_checkpoints(struct store *s)
{
	if (s->drv->background_checkpoints != NULL)
		s->drv->background_checkpoints(s);
}

void
store_close(struct store *s)
{
	if (s != NULL)
		s->drv->close(s);
}
enum store_kind
store_kind(const struct store *s)
{
	return s->kind;
}
void
store_release(struct store_conn *c)
{
	if (c != NULL)
		c->drv->release(c);
}

static _Thread_local bool acquire_forbidden;

void
store_forbid_acquire(bool on)
{
	acquire_forbidden = on;
}

struct store_conn *
store_acquire(struct store *s, struct wl_error *err)
{
	if (acquire_forbidden) {
		wl_fail(err, WL_EINTERNAL, "no database access here (a write's finish)");
		return NULL;
	}
	return s->drv->acquire(s, err);
}

/* ---- migrations ---------------------------------------------------------------- */

/* Up to the driver's current level, in the migration's transaction. */
static int
migrate_from(struct store_conn *c, int64_t version, struct wl_error *err)
{
	const struct db_driver *d = c->drv;
	struct db_stmt *st;
	size_t i;

	if (version < 0 || (uint64_t)version > d->migrations_n)
		return wl_fail(err, WL_EINTERNAL,
			       "database schema version %" PRId64
			       " is newer than this wlportal (%zu)",
			       version, d->migrations_n);
	for (i = (size_t)version; i < d->migrations_n; i++) {
		if (d->exec_script(c, d->migrations[i], err) != WL_OK ||
		    d->exec_script(c, "DELETE FROM schema_version", err) != WL_OK ||
		    (st = db_stmt(c, Q_SCHEMA_SET, err)) == NULL)
			return err->code;
		db_bind_int64(st, 1, (int64_t)i + 1);
		if (db_exec(st, err) != WL_OK)
			return err->code;
	}
	return WL_OK;
}

/* Applies the migrations this database lacks, all in one transaction (and
 * under the driver's lock: a second instance starting at the same moment
 * waits, then finds the schema current). */
int
store_migrate(struct store *s, struct wl_error *err)
{
	struct store_conn *c = store_acquire(s, err);
	const struct db_driver *d = s->drv;
	char msg[WL_ERROR_MESSAGE_MAX];
	struct db_stmt *st;
	int64_t version = 0;

	if (c == NULL)
		return err->code;
	if (db_run(c, Q_BEGIN, err) == WL_OK &&
	    (d->migration_lock == NULL || d->exec_script(c, d->migration_lock, err) == WL_OK) &&
	    d->exec_script(c,
			   "CREATE TABLE IF NOT EXISTS schema_version "
			   "(version INTEGER NOT NULL)",
			   err) == WL_OK &&
	    (st = db_stmt(c, Q_SCHEMA_VERSION, err)) != NULL &&
	    db_one(st, db_read_int64, &version, WL_EINTERNAL, "no schema version", err) == WL_OK &&
	    migrate_from(c, version, err) == WL_OK && db_run(c, Q_COMMIT, err) == WL_OK) {
		store_release(c);
		return WL_OK;
	}
	snprintf(msg, sizeof(msg), "%s", err->message);
	wl_fail(err, err->code, "migration failed: %s", msg);
	store_rollback(c);
	store_release(c);
	return err->code;
}

/* ---- transactions ------------------------------------------------------------ */

int
store_begin(struct store_conn *c, struct wl_error *err)
{
	bool kept = c->rows_kept;

	/* A transaction left open would swallow this one: never continue it. */
	if (c->drv->in_transaction(c)) {
		store_rollback(c);
		kept = false;
	}
	c->rows_kept = false; /* BEGIN's own statement does not forget them */
	if (!kept)
		batch_forget(c);
	if (c->drv->begin(c, err) != WL_OK) {
		batch_forget(c);
		return err->code;
	}
	batch_began(c);
	return WL_OK;
}
int
store_commit(struct store_conn *c, struct wl_error *err)
{
	/* Deferred balances first (batch.c): forgetting would drop them. */
	if (batch_flush(c, err) != WL_OK)
		return err->code;
	if (db_run(c, Q_COMMIT, err) != WL_OK) {
		batch_forget(c);
		return err->code;
	}
	batch_committed(c);
	return WL_OK;
}
bool
store_unchanged_since(struct store_conn *c, uint64_t mark)
{
	return store_change_mark(c) == mark && c->drv->in_transaction(c);
}
int
store_pipeline(struct store_conn *c, bool on, struct wl_error *err)
{
	return c->drv->pipeline != NULL ? c->drv->pipeline(c, on, err) : WL_OK;
}
const struct wl_error *
store_pipeline_error(struct store_conn *c)
{
	return c->drv->pipeline_error != NULL ? c->drv->pipeline_error(c) : NULL;
}
bool
store_pipeline_failed(struct store_conn *c)
{
	return store_pipeline_error(c) != NULL;
}
int
store_savepoint(struct store_conn *c, struct wl_error *err)
{
	return db_run(c, Q_SAVEPOINT, err);
}
int
store_savepoint_release(struct store_conn *c, struct wl_error *err)
{
	return db_run(c, Q_RELEASE, err);
}
bool
store_retryable(struct store_conn *c)
{
	return c->retryable;
}

/* Keeps c->retryable: the writer asks after rolling back. */
void
store_rollback(struct store_conn *c)
{
	struct wl_error e;

	batch_forget(c);
	if (c->drv->in_transaction(c))
		db_run(c, Q_ROLLBACK, &e);
}

/* An error means the savepoint could not be undone: the transaction must
 * not commit. */
int
store_savepoint_rollback(struct store_conn *c, struct wl_error *err)
{
	batch_forget(c);
	if (db_run(c, Q_ROLLBACK_TO, err) != WL_OK)
		return err->code;
	return db_run(c, Q_RELEASE, err);
}

/* ---- running statements --------------------------------------------------------- */

int
db_exec(struct db_stmt *st, struct wl_error *err)
{
	if (st->drv->exec != NULL)
		return st->drv->exec(st, err);
	return db_finish(st, db_step(st, err) == DB_FAIL ? err->code : WL_OK);
}

int
db_run(struct store_conn *c, enum stmt_id id, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	return st == NULL ? err->code : db_exec(st, err);
}

int
db_run_int64(struct store_conn *c, enum stmt_id id, int64_t v, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_int64(st, 1, v);
	return db_exec(st, err);
}

int
db_insert_once(struct db_stmt *st, struct wl_error *err)
{
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	if (db_changes(st) > 0)
		return db_finish(st, WL_OK);
	return db_finish(st,
			 wl_fail(err, WL_ECONFLICT, "%s: already exists", db_sql_of(st->id)->what));
}

int
db_one(struct db_stmt *st, db_read_fn read, void *out, int code, const char *msg,
       struct wl_error *err)
{
	switch (db_step(st, err)) {
	case DB_ROW: read(st, out); return db_finish(st, WL_OK);
	case DB_DONE: return db_finish(st, wl_fail(err, code, "%s", msg));
	default: return db_finish(st, err->code);
	}
}

int
db_exec_one(struct db_stmt *st, const char *missing, struct wl_error *err)
{
	int64_t n;

	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	n = db_changes(st);
	return db_finish(st, n > 0 ? WL_OK : wl_fail(err, WL_ENOTFOUND, "%s", missing));
}

int
db_list_page(struct store_conn *c, enum stmt_id id, const char *key, int64_t cursor_ms,
	     const char *cursor_id, int limit, db_read_fn read, void *out, size_t size, int *n,
	     struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id != NULL ? cursor_id : "");
	db_bind_int64(st, 4, limit);
	return db_rows(st, read, out, size, limit, n, err);
}

int
db_rows(struct db_stmt *st, db_read_fn read, void *out, size_t size, int limit, int *n,
	struct wl_error *err)
{
	enum db_step r = DB_DONE;

	*n = 0;
	while (*n < limit && (r = db_step(st, err)) == DB_ROW)
		read(st, (char *)out + (size_t)(*n)++ * size);
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}

struct text_out {
	char *p;
	size_t n;
};

static void
read_text(struct db_stmt *st, void *out)
{
	struct text_out *t = out;

	db_col_text(st, 0, t->p, t->n);
}

int
db_first_text(struct db_stmt *st, char *out, size_t n, struct wl_error *err)
{
	struct text_out t = { out, n };

	return db_one(st, read_text, &t, WL_ENOTFOUND, "not found", err);
}

int
db_first_id(struct db_stmt *st, char out[WL_ID_LEN], struct wl_error *err)
{
	return db_first_text(st, out, WL_ID_LEN, err);
}

void
db_read_int64(struct db_stmt *st, void *out)
{
	*(int64_t *)out = db_col_int64(st, 0);
}

void
db_read_pair(struct db_stmt *st, void *out)
{
	int64_t *v = out;

	v[0] = db_col_int64(st, 0);
	v[1] = db_col_int64(st, 1);
}
