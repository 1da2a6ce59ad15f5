/*
 * store.c — picks a driver from the database URL and runs what is the same
 * on every driver: the store's lifetime, transactions and savepoints, and
 * the shapes of running a statement that every operation uses (db.h).
 * `sqlite:PATH` (or a plain path) opens SQLite; `postgres://…` /
 * `postgresql://…` opens PostgreSQL.
 */
#include "store/db.h"

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
		wl_fail(err, WL_EINVALID, "unsupported database URL scheme (use sqlite:PATH or postgres://…)");
		return NULL;
	}
	return db_sqlite_open(url, err);
}

void store_close(struct store *s) { if (s != NULL) s->drv->close(s); }
enum store_kind store_kind(const struct store *s) { return s->kind; }
int store_migrate(struct store *s, struct wl_error *err) { return s->drv->migrate(s, err); }
struct store_conn *store_acquire(struct store *s, struct wl_error *err) { return s->drv->acquire(s, err); }
void store_release(struct store_conn *c) { if (c != NULL) c->drv->release(c); }

/* ---- transactions ------------------------------------------------------------ */

int store_begin(struct store_conn *c, struct wl_error *err) { return c->drv->begin(c, err); }
int store_commit(struct store_conn *c, struct wl_error *err) { return db_run(c, Q_COMMIT, err); }
int store_savepoint(struct store_conn *c, struct wl_error *err) { return db_run(c, Q_SAVEPOINT, err); }
int store_savepoint_release(struct store_conn *c, struct wl_error *err) { return db_run(c, Q_RELEASE, err); }
bool store_retryable(struct store_conn *c) { return c->retryable; }

/* Keeps c->retryable: the writer asks after rolling back. */
void
store_rollback(struct store_conn *c)
{
	struct wl_error e;

	if (c->drv->in_transaction(c))
		db_run(c, Q_ROLLBACK, &e);
}

void
store_savepoint_rollback(struct store_conn *c)
{
	struct wl_error e;

	if (db_run(c, Q_ROLLBACK_TO, &e) == WL_OK)
		db_run(c, Q_RELEASE, &e);
}

/* ---- running statements --------------------------------------------------------- */

int
db_exec(struct db_stmt *st, struct wl_error *err)
{
	return db_finish(st, db_step(st, err) == DB_FAIL ? err->code : WL_OK);
}

int
db_run(struct store_conn *c, enum stmt_id id, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	return st == NULL ? err->code : db_exec(st, err);
}

int
db_insert_once(struct db_stmt *st, struct wl_error *err)
{
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	if (db_changes(st) > 0)
		return db_finish(st, WL_OK);
	return db_finish(st, wl_fail(err, WL_ECONFLICT, "%s: already exists", db_sql[st->id].what));
}

int
db_one(struct db_stmt *st, db_read_fn read, void *out, int code, const char *msg,
       struct wl_error *err)
{
	switch (db_step(st, err)) {
	case DB_ROW:
		read(st, out);
		return db_finish(st, WL_OK);
	case DB_DONE:
		return db_finish(st, wl_fail(err, code, "%s", msg));
	default:
		return db_finish(st, err->code);
	}
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

static void
read_id(struct db_stmt *st, void *out)
{
	db_col_text(st, 0, out, WL_ID_LEN);
}

int
db_first_id(struct db_stmt *st, char out[WL_ID_LEN], struct wl_error *err)
{
	return db_one(st, read_id, out, WL_ENOTFOUND, "not found", err);
}

void
db_read_pair(struct db_stmt *st, void *out)
{
	int64_t *v = out;

	v[0] = db_col_int64(st, 0);
	v[1] = db_col_int64(st, 1);
}
