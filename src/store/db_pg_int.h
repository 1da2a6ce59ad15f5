/*
 * db_pg_int.h — what the PostgreSQL driver's files share (db_pg.c: the
 * driver and its pool; db_pg_pipeline.c: libpq's pipeline mode for the
 * writer's quick attempt). Not for use outside src/store.
 */
#ifndef WL_DB_PG_INT_H
#define WL_DB_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>

#include "store/db.h"

/* Statements in flight at most before the pipeline waits for their
 * results: keeps both sides' socket buffers from filling up. */
#define PG_PIPE_MAX 256

/* Parameters go as text, byte strings as binary; rows come back as text. */
struct pg_stmt {
	struct db_stmt base;
	bool prepared; /* in this session: outlives a rolled-back transaction */
	int n;         /* highest parameter bound */
	const char *values[DB_MAX_PARAMS];
	int lengths[DB_MAX_PARAMS];
	int formats[DB_MAX_PARAMS];
	char numbers[DB_MAX_PARAMS][24];
	PGresult *res; /* from the first step until db_finish */
	int row, rows;
};

/* A connection belongs to the pool; a thread holds it between acquire and
 * release and is its only user meanwhile. */
struct pg_conn {
	struct store_conn base;
	PGconn *db;
	struct pg_stmt stmt[Q_COUNT];
	struct pg_conn *next; /* idle list */
	uint64_t changes;     /* statements sent that may write, and failures */
	/* Pipeline mode (the writer's quick attempt, see pipeline.c's notes
	 * below): what was sent and not yet read, in order. */
	bool pipelined;
	bool pipe_failed; /* a statement failed since the pipeline began */
	/* the first failure's error, told to whoever reads after it */
	struct wl_error pipe_err;
	bool pipe_tx; /* BEGIN sent, COMMIT or ROLLBACK not yet answered */
	int pending;
	struct pg_pending {
		int id;
		bool prepare;
	} queue[PG_PIPE_MAX + 2];
};

#define PG_POOL_MAX 16
#define PG_ACQUIRE_WAIT_MS 5000

struct pg_store {
	struct store base;
	pthread_mutex_t mu;
	pthread_cond_t freed; /* a connection went back to the pool (or a slot opened) */
	struct pg_conn *idle;
	int open; /* connections that exist: idle + lent + being opened */
	char *conninfo;
};

#define PS(st) ((struct pg_stmt *)(st))

/* db_pg.c */
extern const struct db_driver pg_driver;
void pg_trim_message(const char *in, char *out, size_t n);
int pg_fail(struct pg_conn *c, const PGresult *res, struct wl_error *err, const char *what);
bool pg_committed(struct pg_conn *c, PGresult *res);
bool pg_may_write(enum stmt_id id);

/* db_pg_pool.c */
int pg_conn_revive(struct pg_conn *c, struct wl_error *err);
struct store_conn *pg_acquire(struct store *base, struct wl_error *err);
void pg_release(struct store_conn *base);
void pg_close(struct store *base);

/* db_pg_pipeline.c */
int pg_pipe_send(struct pg_conn *c, struct pg_stmt *s, struct wl_error *err);
void pg_pipe_sync(struct pg_conn *c, PGresult **last, struct wl_error *err);
PGresult *pg_pipe_run(struct pg_conn *c, struct pg_stmt *s, struct wl_error *err);

#endif
