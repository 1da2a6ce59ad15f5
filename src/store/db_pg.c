/*
 * db_pg.c — the PostgreSQL driver (libpq), for running several wlportal
 * instances on one database.
 *
 * Pool (db_pg_pool.c): at most PG_POOL_MAX connections per process. store_acquire takes an
 * idle one, opens a new one under the cap, or waits on a condition variable
 * for at most PG_ACQUIRE_WAIT_MS and then fails with WL_EUNAVAILABLE. Each
 * connection prepares a statement once (PQprepare) the first time it runs it
 * — not at connect, when a fresh database has no tables yet — and again after
 * a reset; a statement runs at its first db_step with PQexecPrepared and
 * bound parameters only, one round trip, its rows kept until db_finish. A
 * connection coming back inside a transaction is rolled back, a broken one is
 * reset (PQreset) or dropped, before anyone else gets it.
 *
 * Transactions: PostgreSQL aborts the transaction (or the savepoint) on any
 * error, SQLite does not. So an outcome that is expected — a ledger reference
 * seen before, an e-mail address taken — is written as
 * INSERT … ON CONFLICT DO NOTHING and reported as WL_ECONFLICT from the row
 * count, which leaves the transaction usable. Serialization failures and
 * deadlocks are remembered so store_retryable() asks the writer to rerun the
 * whole batch. Migrations (store.c) run under an advisory lock.
 */
#include "store/db_pg_int.h"
#include "store/schema_pg.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* ---- errors ------------------------------------------------------------------ */

/* Copies a server or libpq message without its trailing newline. */
void
pg_trim_message(const char *in, char *out, size_t n)
{
	size_t len;

	snprintf(out, n, "%s", in != NULL && in[0] != '\0' ? in : "unknown error");
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
}

int
pg_fail(struct pg_conn *c, const PGresult *res, struct wl_error *err, const char *what)
{
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[WL_ERROR_MESSAGE_MAX];

	c->changes++; /* a failure spoils the transaction */
	pg_trim_message(res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(c->db), msg,
			sizeof(msg));
	if (res == NULL || PQstatus(c->db) == CONNECTION_BAD ||
	    (state != NULL && strncmp(state, "08", 2) == 0))
		return wl_fail(err, WL_EUNAVAILABLE, "%s: database unavailable: %s", what, msg);
	if (state == NULL)
		return wl_fail(err, WL_EINTERNAL, "%s: %s", what, msg);
	if (strncmp(state, "57P", 3) == 0 || strcmp(state, "53300") == 0)
		return wl_fail(err, WL_EUNAVAILABLE, "%s: database unavailable: %s", what, msg);
	if (strcmp(state, "23505") == 0)
		return wl_fail(err, WL_ECONFLICT, "%s: already exists", what);
	if (strcmp(state, "23514") == 0)
		return wl_fail(err, WL_EINVALID, "%s: refused by a check", what);
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		c->base.retryable = true;
		return wl_fail(err, WL_EUNAVAILABLE, "%s: write conflict, try again", what);
	}
	if (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return wl_fail(err, WL_EUNAVAILABLE, "%s: database busy", what);
	return wl_fail(err, WL_EINTERNAL, "%s: %s", what, msg);
}

/* ---- statements ---------------------------------------------------------------- */

static struct db_stmt *
pg_stmt(struct store_conn *b, enum stmt_id id, struct wl_error *err)
{
	struct pg_stmt *s = &((struct pg_conn *)b)->stmt[id];

	if (db_sql_of(id)->pg == NULL) {
		wl_fail(err, WL_EINTERNAL, "%s: no PostgreSQL statement %d", db_sql_of(id)->what,
			(int)id);
		return NULL;
	}
	PQclear(s->res); /* a run nobody finished (not expected) */
	s->base = (struct db_stmt){ &pg_driver, b, id };
	s->res = NULL;
	s->n = 0;
	return &s->base;
}

static void
bind(struct pg_stmt *s, int i, const char *v, int len, int format)
{
	assert(i <= DB_MAX_PARAMS);
	s->values[i - 1] = v;
	s->lengths[i - 1] = len;
	s->formats[i - 1] = format;
	if (i > s->n)
		s->n = i;
}

static void
pg_bind_text(struct db_stmt *st, int i, const char *v)
{
	bind(PS(st), i, v, 0, 0);
}
static void
pg_bind_bool(struct db_stmt *st, int i, bool v)
{
	bind(PS(st), i, v ? "true" : "false", 0, 0);
}
static void
pg_bind_null(struct db_stmt *st, int i)
{
	bind(PS(st), i, NULL, 0, 0);
}

static void
pg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	struct pg_stmt *s = PS(st);

	snprintf(s->numbers[i - 1], sizeof(s->numbers[i - 1]), "%" PRId64, v);
	bind(s, i, s->numbers[i - 1], 0, 0);
}

static void
pg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	assert(n <= (size_t)0x7fffffff);
	bind(PS(st), i, p, (int)n, 1);
}

/* PostgreSQL answers COMMIT in a failed transaction with success and the
 * tag "ROLLBACK": a commit counts only when the tag says COMMIT and the
 * session is outside any transaction afterwards. */
bool
pg_committed(struct pg_conn *c, PGresult *res)
{
	return strcmp(PQcmdStatus(res), "COMMIT") == 0 &&
	       PQtransactionStatus(c->db) == PQTRANS_IDLE;
}

bool
pg_may_write(enum stmt_id id)
{
	return strncmp(db_sql_of(id)->pg, "SELECT", 6) != 0;
}

/* Prepares the statement in this session if needed, then runs it: the
 * result (to PQclear) when it succeeded, or NULL with err filled. */
static PGresult *
run(struct pg_conn *c, struct pg_stmt *s, struct wl_error *err)
{
	const char *what = db_sql_of(s->base.id)->what;
	char name[16];
	PGresult *res;
	ExecStatusType st;

	snprintf(name, sizeof(name), "q%d", (int)s->base.id);
	if (pg_may_write(s->base.id))
		c->changes++;
	if (!s->prepared) {
		c->base.round_trips++;
		res = PQprepare(c->db, name, db_sql_of(s->base.id)->pg, 0, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_fail(c, res, err, what);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		s->prepared = true;
	}
	c->base.round_trips++;
	res = PQexecPrepared(c->db, name, s->n, s->values, s->lengths, s->formats, 0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if ((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) &&
	    (s->base.id != Q_COMMIT || pg_committed(c, res)))
		return res;
	if (st == PGRES_COMMAND_OK)
		wl_fail(err, WL_EINTERNAL, "commit: the transaction was rolled back");
	else
		pg_fail(c, res, err, what);
	PQclear(res);
	return NULL;
}

static int
pg_exec(struct db_stmt *st, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)st->conn;
	enum db_step r;

	if (c->pipelined && st->id != Q_COMMIT && st->id != Q_ROLLBACK)
		return pg_pipe_send(c, PS(st), err);
	r = st->drv->step(st, err);
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}

static bool pg_in_transaction(struct store_conn *b);

static int
pg_pipeline(struct store_conn *b, bool on, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;

	if (on == c->pipelined)
		return WL_OK;
	if (on) {
		if (PQstatus(c->db) != CONNECTION_OK && pg_conn_revive(c, err) != WL_OK)
			return err->code;
		c->pipe_failed = false;
		wl_error_clear(&c->pipe_err);
		/* A transaction left open (or failed) before the pipeline
		 * stays visible to store_begin, which rolls it back. */
		c->pipe_tx = pg_in_transaction(b);
		c->pending = 0;
		/* Not possible (a result unread): the attempt just runs unpipelined. */
		c->pipelined = PQenterPipelineMode(c->db) == 1;
		return WL_OK;
	}
	/* After COMMIT's Sync nothing is left to read and the mode ends at
	 * once; else a Sync first reads what is (no round trip when idle).
	 * After a failure always: libpq leaves a pipeline whose failure was
	 * read without a Sync, but the server skips every message up to one,
	 * so the next statement's answer would be lost. And while a
	 * transaction is open: libpq learns its state only from a Sync's
	 * answer, and a rollback must see it. */
	c->pipelined = false;
	if (c->pending == 0 && !c->pipe_failed && !c->pipe_tx && PQexitPipelineMode(c->db) == 1)
		return WL_OK;
	if (c->pending > 0 || c->pipe_failed || c->pipe_tx ||
	    PQpipelineStatus(c->db) != PQ_PIPELINE_OFF) {
		struct wl_error e;

		wl_error_clear(&e);
		pg_pipe_sync(c, NULL, &e);
	}
	if (PQexitPipelineMode(c->db) != 1) {
		/* Unread results would leave the session unusable: start afresh. */
		if (pg_conn_revive(c, err) != WL_OK)
			return err->code;
	}
	return WL_OK;
}

static const struct wl_error *
pg_pipeline_error(struct store_conn *b)
{
	const struct pg_conn *c = (const struct pg_conn *)b;

	return c->pipe_failed ? &c->pipe_err : NULL;
}

static uint64_t
pg_change_mark(struct store_conn *b)
{
	return ((struct pg_conn *)b)->changes;
}

static enum db_step
pg_step(struct db_stmt *st, struct wl_error *err)
{
	struct pg_stmt *s = PS(st);
	struct pg_conn *c = (struct pg_conn *)st->conn;

	if (s->res == NULL) {
		s->res = c->pipelined ? pg_pipe_run(c, s, err) : run(c, s, err);
		if (s->res == NULL)
			return DB_FAIL;
		s->rows = PQntuples(s->res);
		s->row = -1;
	}
	if (s->row + 1 >= s->rows)
		return DB_DONE;
	s->row++;
	return DB_ROW;
}

static const char *
value(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PS(st);

	assert(s->res != NULL && s->row >= 0 && s->row < s->rows && i < PQnfields(s->res));
	return PQgetisnull(s->res, s->row, i) ? NULL : PQgetvalue(s->res, s->row, i);
}

static void
pg_col_text(struct db_stmt *st, int i, char *out, size_t n)
{
	const char *v = value(st, i);

	snprintf(out, n, "%s", v != NULL ? v : "");
}

static int64_t
pg_col_int64(struct db_stmt *st, int i)
{
	const char *v = value(st, i);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static bool
pg_col_bool(struct db_stmt *st, int i)
{
	const char *v = value(st, i);

	return v != NULL && v[0] == 't';
}

static bool
pg_col_is_null(struct db_stmt *st, int i)
{
	return value(st, i) == NULL;
}

static size_t
pg_col_blob(struct db_stmt *st, int i, void *out, size_t n)
{
	const char *v = value(st, i);
	unsigned char *raw;
	size_t len = 0;

	if (v == NULL || (raw = PQunescapeBytea((const unsigned char *)v, &len)) == NULL)
		return 0;
	memcpy(out, raw, len < n ? len : n);
	PQfreemem(raw);
	return len;
}

static int64_t
pg_changes(struct db_stmt *st)
{
	const char *n = PS(st)->res != NULL ? PQcmdTuples(PS(st)->res) : "";

	return n[0] != '\0' ? strtoll(n, NULL, 10) : 0;
}

static void
pg_reset(struct db_stmt *st)
{
	PQclear(PS(st)->res);
	PS(st)->res = NULL;
}

/* ---- scripts and transactions ------------------------------------------------- */

static int
pg_exec_script(struct store_conn *b, const char *sql, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	PGresult *res;
	ExecStatusType st;
	bool ok;

	c->base.round_trips++;
	res = PQexec(c->db, sql);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		pg_fail(c, res, err, "script");
	PQclear(res);
	return ok ? WL_OK : err->code;
}

static int
pg_begin(struct store_conn *b, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;

	b->retryable = false;
	/* The writer keeps its connection for life: revive it if the server
	 * went away since the last batch. A BEGIN that finds the session lost
	 * changed nothing, so it is tried once more on a new session. */
	if (PQstatus(c->db) != CONNECTION_OK && pg_conn_revive(c, err) != WL_OK)
		return err->code;
	if (db_run(b, Q_BEGIN, err) == WL_OK)
		return WL_OK;
	if (PQstatus(c->db) == CONNECTION_OK || pg_conn_revive(c, err) != WL_OK)
		return err->code;
	wl_error_clear(err);
	return db_run(b, Q_BEGIN, err);
}

static bool
pg_in_transaction(struct store_conn *b)
{
	struct pg_conn *c = (struct pg_conn *)b;
	PGTransactionStatusType st = PQtransactionStatus(c->db);

	/* In a pipeline libpq learns the transaction state only at a Sync:
	 * until then the pipeline's own record says. */
	if (c->pipelined)
		return c->pipe_tx;
	return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

const struct db_driver pg_driver = {
	.migrations = pg_migrations,
	.migrations_n = sizeof(pg_migrations) / sizeof(pg_migrations[0]),
	.migration_lock = PG_MIGRATION_LOCK_SQL,
	.close = pg_close,
	.exec_script = pg_exec_script,
	.acquire = pg_acquire,
	.release = pg_release,
	.begin = pg_begin,
	.in_transaction = pg_in_transaction,
	.stmt = pg_stmt,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_bool = pg_bind_bool,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_text = pg_col_text,
	.col_int64 = pg_col_int64,
	.col_bool = pg_col_bool,
	.col_blob = pg_col_blob,
	.col_is_null = pg_col_is_null,
	.changes = pg_changes,
	.reset = pg_reset,
	.change_mark = pg_change_mark,
	.exec = pg_exec,
	.pipeline = pg_pipeline,
	.pipeline_error = pg_pipeline_error,
};
