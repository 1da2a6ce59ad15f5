/*
 * db_pg_pipeline.c — libpq's pipeline mode for the PostgreSQL driver
 * (db_pg.c).
 *
 * The writer's quick attempt (services/writer.c) runs with the connection
 * in libpq's pipeline mode: a statement whose result nothing reads (db_exec:
 * BEGIN, a call's update, a known debit) is sent and not waited for; a
 * statement whose rows or count are read (db_step) is sent with a flush
 * request and its result awaited, reading on the way the results of all
 * sent before it; COMMIT and ROLLBACK go with a Sync, which reads the rest.
 * So a batch costs one round trip per read, not one per statement. After
 * any failure the server skips what follows up to the Sync: the attempt is
 * marked failed, everything queued is read, a Sync brings the session back
 * (its transaction aborted), and every later statement of the attempt fails
 * at once; the writer rolls back and runs the batch again without pipeline. */
#include "store/db_pg_int.h"

#include <stdio.h>
#include <string.h>

/* The first failure is kept (a statement whose result nobody waited for
 * fails unseen); the reads after it tell it (pipe_told). */
static void
pipe_broke(struct pg_conn *c, const PGresult *res, struct wl_error *err, const char *what)
{
	if (!c->pipe_failed) {
		wl_error_clear(&c->pipe_err);
		pg_fail(c, res, &c->pipe_err, what);
		if (err != NULL)
			*err = c->pipe_err;
	} else if (err != NULL) {
		pg_fail(c, res, err, what);
	}
	c->pipe_failed = true;
}

/* What a statement after the failure answers: not its own outcome (a
 * conflict must not read as this statement's duplicate, a refusal as its
 * own), so the transaction is spoiled (the change mark moves) and the
 * code says only that it cannot go on; the message names the failure.
 * store_pipeline_error gives the failure itself. */
static int
pipe_told(struct pg_conn *c, struct wl_error *err, const char *what)
{
	int code = c->base.retryable ? WL_EUNAVAILABLE : WL_EINTERNAL;

	c->changes++;
	if (c->pipe_err.code == WL_OK)
		return wl_fail(err, code, "%s: an earlier write of this batch failed", what);
	return wl_fail(err, code, "%s (an earlier write of this batch)", c->pipe_err.message);
}

/* Reads the next queued result; *keep gets it when wanted (else cleared). */
static void
pipe_read_one(struct pg_conn *c, PGresult **keep, struct wl_error *err)
{
	struct pg_pending p = c->queue[0];
	const char *what = db_sql_of(p.id)->what;
	PGresult *res = PQgetResult(c->db), *end;
	ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	memmove(c->queue, c->queue + 1, (size_t)(--c->pending) * sizeof(c->queue[0]));
	if (res != NULL)
		while ((end = PQgetResult(c->db)) != NULL) /* each query's results end with NULL */
			PQclear(end);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (keep != NULL && !p.prepare)
			*keep = res;
		else
			PQclear(res);
		return;
	}
	if (p.prepare)
		c->stmt[p.id].prepared = false; /* failed or skipped: prepare again later */
	if (st == PGRES_PIPELINE_ABORTED)
		pipe_broke(c, NULL, NULL, what);
	else
		pipe_broke(c, res, keep != NULL ? err : NULL, what);
	PQclear(res);
}

/* Reads every queued result; the last one's into *last when wanted. */
static int
pipe_read_all(struct pg_conn *c, PGresult **last, struct wl_error *err)
{
	if (last != NULL)
		*last = NULL;
	while (c->pending > 0)
		pipe_read_one(c, c->pending == 1 ? last : NULL, err);
	if (c->pipe_failed && last != NULL && *last == NULL && err->code == WL_OK)
		pipe_told(c, err, "batch");
	return c->pipe_failed ? err->code != WL_OK ? err->code : WL_EINTERNAL : WL_OK;
}

/* A Sync and everything up to its answer: the session takes statements
 * again (inside an aborted transaction after a failure). */
void
pg_pipe_sync(struct pg_conn *c, PGresult **last, struct wl_error *err)
{
	PGresult *res;

	c->base.round_trips++;
	if (PQpipelineSync(c->db) != 1) {
		pipe_broke(c, NULL, err, "pipeline");
		return;
	}
	pipe_read_all(c, last, err);
	while ((res = PQgetResult(c->db)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	if (PQstatus(c->db) != CONNECTION_OK)
		pipe_broke(c, NULL, NULL, "pipeline");
}

int
pg_pipe_send(struct pg_conn *c, struct pg_stmt *s, struct wl_error *err)
{
	const char *what = db_sql_of(s->base.id)->what;
	char name[16];

	if (c->pipe_failed)
		return pipe_told(c, err, what);
	if (c->pending >= PG_PIPE_MAX) {
		c->base.round_trips++;
		if (PQsendFlushRequest(c->db) != 1 || PQflush(c->db) != 0)
			return pg_fail(c, NULL, err, what);
		if (pipe_read_all(c, NULL, err) != WL_OK)
			return pipe_told(c, err, what); /* this statement is not sent */
	}
	snprintf(name, sizeof(name), "q%d", (int)s->base.id);
	if (pg_may_write(s->base.id))
		c->changes++;
	if (!s->prepared) {
		if (PQsendPrepare(c->db, name, db_sql_of(s->base.id)->pg, 0, NULL) != 1) {
			pipe_broke(c, NULL, err, what);
			return err->code;
		}
		c->queue[c->pending++] = (struct pg_pending){ (int)s->base.id, true };
		s->prepared = true;
	}
	if (PQsendQueryPrepared(c->db, name, s->n, s->values, s->lengths, s->formats, 0) != 1) {
		pipe_broke(c, NULL, err, what);
		return err->code;
	}
	c->queue[c->pending++] = (struct pg_pending){ (int)s->base.id, false };
	if (s->base.id == Q_BEGIN)
		c->pipe_tx = true;
	return WL_OK;
}

/* Sends a statement in the pipeline and waits for its own result. */
PGresult *
pg_pipe_run(struct pg_conn *c, struct pg_stmt *s, struct wl_error *err)
{
	enum stmt_id id = s->base.id;
	PGresult *res = NULL;

	if (pg_pipe_send(c, s, err) != WL_OK)
		return NULL;
	if (id == Q_COMMIT || id == Q_ROLLBACK) {
		pg_pipe_sync(c, &res, err);
		/* After the Sync libpq knows the state: ended, or (a COMMIT that
		 * was skipped after a failure) aborted and awaiting ROLLBACK. */
		c->pipe_tx = PQtransactionStatus(c->db) != PQTRANS_IDLE;
	} else {
		c->base.round_trips++;
		if (PQsendFlushRequest(c->db) != 1 || PQflush(c->db) != 0) {
			pipe_broke(c, NULL, err, db_sql_of(id)->what);
			return NULL;
		}
		pipe_read_all(c, &res, err);
	}
	if (res != NULL && id == Q_COMMIT && !pg_committed(c, res)) {
		PQclear(res);
		wl_fail(err, WL_EINTERNAL, "commit: the transaction was rolled back");
		return NULL;
	}
	return res;
}
