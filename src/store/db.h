/*
 * db.h — the thin driver below the store, and the only header the store's
 * operations use. A driver (db_sqlite.c, db_pg.c) owns a database kind's
 * connection pool, transactions, prepared statements, parameters, rows and
 * error mapping; every operation of store.h is written once above it
 * (orgs.c, ledger_ops.c, calls.c, whitelabel.c, sessions.c, meta.c):
 *
 *	struct db_stmt *st = db_stmt(c, Q_ORG_GET, err);  // prepared once per connection
 *	if (st == NULL) return err->code;
 *	db_bind_text(st, 1, id);
 *	return db_one(st, read_org, out, WL_ENOTFOUND, "organization not found", err);
 *
 * Errors map to one wl_error code on both drivers: unique violation
 * WL_ECONFLICT, check violation WL_EINVALID, serialization failure or
 * deadlock WL_EUNAVAILABLE with store_retryable() true, busy or lost
 * database WL_EUNAVAILABLE, the rest WL_EINTERNAL. Only src/store includes it.
 */
#ifndef WL_STORE_DB_H
#define WL_STORE_DB_H

#include <assert.h>
#include <stddef.h>

#include "store/statements.h"
#include "store/store.h"

/* The most parameters one statement binds (an invoice has 27); SQLite's
 * batch write-outs bind DB_BATCH_ROWS rows of up to six at once. */
#define DB_MAX_PARAMS 32
#define DB_MAX_PARAMS_SQLITE 96

enum db_step { DB_FAIL = -1, DB_DONE = 0, DB_ROW = 1 };

struct db_driver;

/* Every driver's store, connection and statement start with these. */
struct store {
	const struct db_driver *drv;
	enum store_kind kind;
};

struct store_conn {
	const struct db_driver *drv;
	struct store *owner;
	bool retryable;            /* last failure: serialization failure or deadlock */
	struct batch_cache *cache; /* the writer's rows of this transaction (batch.c) */
	bool rows_kept;            /* committed with its rows kept for the next (batch.c) */
	struct key_cache *keys;    /* API-key lookups while nothing changed (keycache.c) */
	uint64_t round_trips;      /* waits for the database's answer (PostgreSQL) */
	uint64_t balance_writes;   /* UPDATEs of a balance sent (ledger_ops.c, batch.c) */
	uint64_t deferrals;        /* writes kept for the batch's write-out (batch.c) */
	uint64_t statements;       /* statements taken to run (db_stmt) */
	/* data versions read: [0] without a lock (SQLite's WAL-index header),
	 * [1] by a statement (PRAGMA data_version) */
	uint64_t version_reads[2];
};

struct db_stmt {
	const struct db_driver *drv;
	struct store_conn *conn;
	enum stmt_id id;
};

struct db_driver {
	/* The schema as numbered migrations (schema_*.h), and SQL that keeps
	 * two instances from migrating at once (NULL: the writer lock does). */
	const char *const *migrations;
	size_t migrations_n;
	const char *migration_lock;

	void (*close)(struct store *s);
	/* Runs SQL text of one or more statements without parameters. */
	int (*exec_script)(struct store_conn *c, const char *sql, struct wl_error *err);
	struct store_conn *(*acquire)(struct store *s, struct wl_error *err);
	void (*release)(struct store_conn *c);
	int (*begin)(struct store_conn *c, struct wl_error *err);
	bool (*in_transaction)(struct store_conn *c);

	/* The connection's statement `id`, prepared the first time, unbound. */
	struct db_stmt *(*stmt)(struct store_conn *c, enum stmt_id id, struct wl_error *err);
	void (*bind_text)(struct db_stmt *st, int i, const char *s);
	void (*bind_int64)(struct db_stmt *st, int i, int64_t v);
	void (*bind_bool)(struct db_stmt *st, int i, bool v);
	void (*bind_blob)(struct db_stmt *st, int i, const void *p, size_t n);
	void (*bind_null)(struct db_stmt *st, int i);
	/* The first step runs the statement; DB_FAIL fills err. */
	enum db_step (*step)(struct db_stmt *st, struct wl_error *err);
	void (*col_text)(struct db_stmt *st, int i, char *out, size_t n);
	int64_t (*col_int64)(struct db_stmt *st, int i);
	bool (*col_bool)(struct db_stmt *st, int i);
	size_t (*col_blob)(struct db_stmt *st, int i, void *out, size_t n);
	bool (*col_is_null)(struct db_stmt *st, int i);
	/* Rows an INSERT, UPDATE or DELETE changed (after its step). */
	int64_t (*changes)(struct db_stmt *st);
	/* Ends a run: frees its rows, keeps the prepared statement. */
	void (*reset)(struct db_stmt *st);
	/* Moves whenever a statement changed rows or spoiled the transaction. */
	uint64_t (*change_mark)(struct store_conn *c);
	/* Optional: runs a statement whose rows and changed-row count do not
	 * matter; a driver may send it now and report its failure at COMMIT
	 * (PostgreSQL's pipeline). NULL: step and finish. */
	int (*exec)(struct db_stmt *st, struct wl_error *err);
	/* Optional: starts (on) or ends sending statements ahead of their
	 * results for the transaction that follows. */
	int (*pipeline)(struct store_conn *c, bool on, struct wl_error *err);
	/* Optional: the first failure of a pipelined statement in the last
	 * transaction; NULL when none failed. */
	const struct wl_error *(*pipeline_error)(struct store_conn *c);
	/* Optional: a number that moves whenever another connection or process
	 * committed since (SQLite's PRAGMA data_version). NULL: the database
	 * cannot say, and nothing read may be remembered (keycache.c). */
	int (*data_version)(struct store_conn *c, uint64_t *out);
	/* Optional: the database's own housekeeping on a thread of its own
	 * (SQLite's WAL checkpoints), asked before the store is shared. */
	void (*background_checkpoints)(struct store *s);
};

struct store *db_sqlite_open(const char *path, struct wl_error *err);
struct store *db_pg_open(const char *conninfo, struct wl_error *err);

/* A ledger entry as parameters first + 1 to first + 6 (ledger_ops.c). */
void db_bind_entry(struct db_stmt *st, int first, const struct store_entry *e);
/* batch.c: forgets the remembered rows and anything deferred (a rollback). */
void batch_forget(struct store_conn *c);
/* After a COMMIT that succeeded: keeps the rows for the next transaction
 * where the database can tell whether anyone else committed meanwhile. */
void batch_committed(struct store_conn *c);
/* After BEGIN: the kept rows stay if nobody else committed since the
 * transaction they were read in began; else they are forgotten. */
void batch_began(struct store_conn *c);
/* Deferred balances (batch.c): whether statement `id` must wait until the
 * batch's deferred balance changes are written, and writing them. */
bool batch_must_flush(struct store_conn *c, enum stmt_id id);
int batch_flush(struct store_conn *c, struct wl_error *err);
/* Deferred entries and calls' seconds (batch.c, drivers with Q_ENTRIES_MANY
 * and Q_CALLS_TICK_MANY): false when the write must be made now. Entries
 * go all n or none. */
bool batch_defer_entries(struct store_conn *c, const struct store_entry *e, int n);
bool batch_defer_tick(struct store_conn *c, const struct store_call *call);

/* ---- statements (inline: one indirect call each) ------------------------------ */

static inline struct db_stmt *
db_stmt(struct store_conn *c, enum stmt_id id, struct wl_error *err)
{
	assert((unsigned)id < (unsigned)Q_COUNT);
	/* Rows kept from the last transaction serve only the next BEGIN's
	 * (store_begin): a statement between them forgets them (batch.c). */
	if (c->rows_kept)
		batch_forget(c);
	/* Balances changes the batch deferred are written before a statement
	 * that may see them (batch.c). */
	if (c->cache != NULL && batch_must_flush(c, id) && batch_flush(c, err) != WL_OK)
		return NULL;
	c->statements++;
	return c->drv->stmt(c, id, err);
}

/* True when this database has a text for statement `id`. */
static inline bool
db_has(struct store_conn *c, enum stmt_id id)
{
	return db_sql_text(c->owner->kind, id) != NULL;
}

#define DB_PARAM_OK(i) assert((i) >= 1 && (i) <= DB_MAX_PARAMS_SQLITE)
#define DB_COL_OK(i) assert((i) >= 0)

/* NULL binds "" (as every operation expects); db_bind_null binds NULL. */
static inline void
db_bind_text(struct db_stmt *st, int i, const char *s)
{
	DB_PARAM_OK(i);
	st->drv->bind_text(st, i, s != NULL ? s : "");
}

static inline void
db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	DB_PARAM_OK(i);
	st->drv->bind_int64(st, i, v);
}

static inline void
db_bind_bool(struct db_stmt *st, int i, bool v)
{
	DB_PARAM_OK(i);
	st->drv->bind_bool(st, i, v);
}

static inline void
db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	DB_PARAM_OK(i);
	assert(p != NULL && n > 0);
	st->drv->bind_blob(st, i, p, n);
}

static inline void
db_bind_null(struct db_stmt *st, int i)
{
	DB_PARAM_OK(i);
	st->drv->bind_null(st, i);
}

static inline enum db_step
db_step(struct db_stmt *st, struct wl_error *err)
{
	return st->drv->step(st, err);
}

/* Copies a text column, "" for NULL, truncated to fit n bytes with its NUL. */
static inline void
db_col_text(struct db_stmt *st, int i, char *out, size_t n)
{
	DB_COL_OK(i);
	assert(out != NULL && n > 0);
	st->drv->col_text(st, i, out, n);
}

static inline int64_t
db_col_int64(struct db_stmt *st, int i)
{
	DB_COL_OK(i);
	return st->drv->col_int64(st, i);
}

static inline bool
db_col_bool(struct db_stmt *st, int i)
{
	DB_COL_OK(i);
	return st->drv->col_bool(st, i);
}

/* Copies at most n bytes; returns the column's length. */
static inline size_t
db_col_blob(struct db_stmt *st, int i, void *out, size_t n)
{
	DB_COL_OK(i);
	assert(out != NULL || n == 0);
	return st->drv->col_blob(st, i, out, n);
}

static inline bool
db_col_is_null(struct db_stmt *st, int i)
{
	DB_COL_OK(i);
	return st->drv->col_is_null(st, i);
}

static inline int64_t
db_changes(struct db_stmt *st)
{
	return st->drv->changes(st);
}

/* Ends the statement's run and returns rc: `return db_finish(st, WL_OK);` */
static inline int
db_finish(struct db_stmt *st, int rc)
{
	st->drv->reset(st);
	return rc;
}

/* ---- shapes every operation uses (store.c) --------------------------------------- */

typedef void (*db_read_fn)(struct db_stmt *st, void *out);

/* Runs a statement whose rows do not matter. */
int db_exec(struct db_stmt *st, struct wl_error *err);
/* Runs statement `id` without parameters. */
int db_run(struct store_conn *c, enum stmt_id id, struct wl_error *err);
/* Runs statement `id` with one integer parameter (a purge of what expired). */
int db_run_int64(struct store_conn *c, enum stmt_id id, int64_t v, struct wl_error *err);
/* An INSERT … ON CONFLICT DO NOTHING: WL_ECONFLICT when no row went in. */
int db_insert_once(struct db_stmt *st, struct wl_error *err);
/* One row read by `read` into out, or `code` with `msg` when there is none. */
int db_one(struct db_stmt *st, db_read_fn read, void *out, int code, const char *msg,
	   struct wl_error *err);
/* Up to `limit` rows of `size` bytes each into out; *n = rows read. */
int db_rows(struct db_stmt *st, db_read_fn read, void *out, size_t size, int limit, int *n,
	    struct wl_error *err);
/* The first column of the first row as text (or an id), WL_ENOTFOUND without rows. */
int db_first_text(struct db_stmt *st, char *out, size_t n, struct wl_error *err);
int db_first_id(struct db_stmt *st, char out[WL_ID_LEN], struct wl_error *err);
/* A db_read_fn: column 0 into int64_t *out. */
void db_read_int64(struct db_stmt *st, void *out);
/* A db_read_fn: columns 0 and 1 into int64_t out[2]. */
void db_read_pair(struct db_stmt *st, void *out);

/* batch.c: the writer's remembered org and call rows (NULL: not remembered). */
const struct store_org *batch_org(struct store_conn *c, const char *id);
void batch_org_put(struct store_conn *c, const struct store_org *o);
void batch_org_moved(struct store_conn *c, const char *id, int64_t delta);
/* After a statement changed more of an org than its balance. */
void batch_org_drop(struct store_conn *c, const char *id);
/* Deferred balances (batch.c): false when the org is not remembered (or
 * the database writes balances at once): the caller writes it itself. */
bool batch_defer(struct store_conn *c, const char *id, int64_t delta);

const struct store_call *batch_call(struct store_conn *c, const char *id);
void batch_call_put(struct store_conn *c, const struct store_call *call);
/* After the call was written as `call`: a remembered copy becomes it. */
void batch_call_written(struct store_conn *c, const struct store_call *call);
/* db_read_fn of ORG_COLS (orgs.c) and CALL_COLS (calls.c) rows. */
void db_read_org(struct db_stmt *st, void *out);
void db_read_call(struct db_stmt *st, void *out);
/* An UPDATE or DELETE meant for one row: WL_ENOTFOUND with `missing` when
 * it changed none. */
int db_exec_one(struct db_stmt *st, const char *missing, struct wl_error *err);
/* A page of a list whose statement binds (key, cursor_ms, cursor_id, limit)
 * as $1..$4: up to `limit` rows of `size` bytes into out. */
int db_list_page(struct store_conn *c, enum stmt_id id, const char *key, int64_t cursor_ms,
		 const char *cursor_id, int limit, db_read_fn read, void *out, size_t size, int *n,
		 struct wl_error *err);

/* calls.c: a usage range [from_ms, to_ms) as the six parameters first..
 * first + 5 of a USAGE_SUM statement (whole days from the daily totals,
 * the partial first and last day from the rows). */
void db_bind_usage_range(struct db_stmt *st, int first, int64_t from_ms, int64_t to_ms);

/* orgs.c, for ledger_ops.c: after a balance update changed nothing,
 * WL_ENOTFOUND when the org does not exist, else WL_EINSUFFICIENT. */
int store_balance_refused(struct store_conn *c, const char *org_id, struct wl_error *err);

#endif
