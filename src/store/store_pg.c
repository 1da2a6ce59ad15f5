/*
 * store_pg.c — the PostgreSQL backend (libpq), for running several wlportal
 * instances on one database. It owns the connection pool, the prepared
 * statements, the error mapping and the migrations runner; the schema itself
 * lives in schema_pg.h. It behaves like store_sqlite.c op for op.
 *
 * Pool: at most PG_POOL_MAX connections per process. store_acquire takes an
 * idle one, opens a new one under the cap, or waits on a condition variable
 * for at most PG_ACQUIRE_WAIT_MS and then fails with WL_EUNAVAILABLE. Each
 * connection prepares a statement once (PQprepare) the first time it runs it
 * — not at connect, when a fresh database has no tables yet — and again after
 * a reset; queries run with PQexecPrepared and bound parameters only. A
 * connection coming back inside a transaction is rolled back, a broken one is
 * reset (PQreset) or dropped, before anyone else gets it.
 *
 * Transactions: PostgreSQL aborts the transaction (or the savepoint) on any
 * error, SQLite does not. So an outcome that is expected — a ledger reference
 * seen before, an e-mail address taken — is written as
 * INSERT … ON CONFLICT DO NOTHING and reported as WL_ECONFLICT from the row
 * count, which leaves the transaction usable. Serialization failures and
 * deadlocks are remembered so store_retryable() asks the writer to rerun the
 * whole batch. A unique violation that is not expected (a whitelabel slug
 * or domain of another org) is an error: it aborts the job's savepoint, the
 * job fails with WL_ECONFLICT and the writer rolls the savepoint back.
 *
 * The SQL text is in pg_sql.h; the data operations are in store_pg_ledger.c
 * and store_pg_web.c (store_pg_int.h lists them); this file keeps what they
 * share and the table of operations.
 */
#include "store/store_pg_int.h"
#include "store/pg_sql.h"
#include "store/schema_pg.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define PG_POOL_MAX 16
#define PG_ACQUIRE_WAIT_MS 5000

struct pg_store {
	struct store base;
	pthread_mutex_t mu;
	pthread_cond_t freed;    /* a connection went back to the pool (or a slot opened) */
	struct pg_conn *idle;
	int open;                /* connections that exist: idle + lent + being opened */
	char *conninfo;
};

static const struct store_ops pg_ops;

/* ---- errors ------------------------------------------------------------------ */

/* Copies a server or libpq message without its trailing newline. */
static void
trim_message(const char *in, char *out, size_t n)
{
	size_t len;

	snprintf(out, n, "%s", in != NULL && in[0] != '\0' ? in : "unknown error");
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
}

static int
pg_fail(struct pg_conn *c, const PGresult *res, struct wl_error *err, const char *what)
{
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[WL_ERROR_MESSAGE_MAX];

	trim_message(res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(c->db), msg,
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
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		c->retryable = true;
		return wl_fail(err, WL_EUNAVAILABLE, "%s: write conflict, try again", what);
	}
	if (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return wl_fail(err, WL_EUNAVAILABLE, "%s: database busy", what);
	return wl_fail(err, WL_EINTERNAL, "%s: %s", what, msg);
}

/* Runs a prepared statement. Returns the result (to PQclear) when it
 * succeeded, or NULL with err filled. libpq hands back one result per
 * PQexecPrepared, so nothing is left pending on the connection. */
PGresult *
pg_run(struct pg_conn *c, enum stmt_id id, const struct params *p, struct wl_error *err,
       const char *what)
{
	char name[16];
	PGresult *res;
	ExecStatusType st;

	snprintf(name, sizeof(name), "q%d", (int)id);
	if (!c->prepared[id]) {
		/* Protocol-level prepared statements outlive a rolled-back
		 * transaction, so the bit stays true until the session ends. */
		res = PQprepare(c->db, name, stmt_sql[id], 0, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_fail(c, res, err, what);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		c->prepared[id] = true;
	}
	res = PQexecPrepared(c->db, name, p != NULL ? p->n : 0, p != NULL ? p->values : NULL,
			     p != NULL ? p->lengths : NULL, p != NULL ? p->formats : NULL, 0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	pg_fail(c, res, err, what);
	PQclear(res);
	return NULL;
}

/* A statement whose rows do not matter. */
int
pg_exec(struct pg_conn *c, enum stmt_id id, const struct params *p, struct wl_error *err,
	const char *what)
{
	PGresult *res = pg_run(c, id, p, err, what);

	if (res == NULL)
		return err->code;
	PQclear(res);
	return WL_OK;
}

/* An INSERT … ON CONFLICT DO NOTHING: WL_ECONFLICT when no row went in. */
int
pg_insert_once(struct pg_conn *c, enum stmt_id id, const struct params *p,
	       struct wl_error *err, const char *what)
{
	PGresult *res = pg_run(c, id, p, err, what);
	bool inserted;

	if (res == NULL)
		return err->code;
	inserted = changed_rows(res);
	PQclear(res);
	return inserted ? WL_OK : wl_fail(err, WL_ECONFLICT, "%s: already exists", what);
}

/* The first column of the first row as an id, WL_ENOTFOUND without rows. */
int
pg_first_id(struct pg_conn *c, enum stmt_id id, const struct params *p, char out[WL_ID_LEN],
	    struct wl_error *err)
{
	PGresult *res = pg_run(c, id, p, err, "lookup");
	int rc = WL_OK;

	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		rc = wl_fail(err, WL_ENOTFOUND, "not found");
	else
		col_copy(res, 0, 0, out, WL_ID_LEN);
	PQclear(res);
	return rc;
}

/* ---- connections and the pool -------------------------------------------------- */

static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int
conn_open(struct pg_store *s, struct pg_conn **out, struct wl_error *err)
{
	/* Our defaults first: anything the URL says overrides them. */
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *values[] = { "5", "wlportal", s->conninfo, NULL };
	struct pg_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	c->base.ops = &pg_ops;
	c->base.owner = &s->base;
	c->db = PQconnectdbParams(keys, values, 1);
	if (c->db == NULL || PQstatus(c->db) != CONNECTION_OK) {
		char msg[WL_ERROR_MESSAGE_MAX];

		trim_message(c->db != NULL ? PQerrorMessage(c->db) : "out of memory", msg,
			     sizeof(msg));
		wl_fail(err, WL_EUNAVAILABLE, "cannot connect to PostgreSQL: %s", msg);
		PQfinish(c->db);
		free(c);
		return err->code;
	}
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	if (PQserverVersion(c->db) < 110000) {
		wl_fail(err, WL_EINTERNAL, "PostgreSQL %d is too old (11 or newer needed)",
			PQserverVersion(c->db));
		PQfinish(c->db);
		free(c);
		return err->code;
	}
	*out = c;
	return WL_OK;
}

static void
conn_free(struct pg_conn *c)
{
	PQfinish(c->db);
	free(c);
}

/* Makes a connection usable again after a lost session: reconnect; the new
 * session has no prepared statements yet. */
static int
conn_revive(struct pg_conn *c, struct wl_error *err)
{
	PQreset(c->db);
	if (PQstatus(c->db) != CONNECTION_OK) {
		char msg[WL_ERROR_MESSAGE_MAX];

		trim_message(PQerrorMessage(c->db), msg, sizeof(msg));
		return wl_fail(err, WL_EUNAVAILABLE, "cannot reconnect to PostgreSQL: %s", msg);
	}
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	memset(c->prepared, 0, sizeof(c->prepared));
	return WL_OK;
}

/* Leaves a connection idle, outside any transaction, or reports that it is
 * beyond repair. */
static bool
conn_clean(struct pg_conn *c)
{
	struct wl_error e;
	PGresult *res;

	c->retryable = false;
	/* Results nobody read (not expected: pg_run() reads each one). */
	while ((res = PQgetResult(c->db)) != NULL)
		PQclear(res);
	if (PQstatus(c->db) != CONNECTION_OK)
		return conn_revive(c, &e) == WL_OK;
	switch (PQtransactionStatus(c->db)) {
	case PQTRANS_IDLE:
		return true;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		res = PQexec(c->db, "ROLLBACK");
		PQclear(res);
		return PQstatus(c->db) == CONNECTION_OK &&
		       PQtransactionStatus(c->db) == PQTRANS_IDLE;
	default:
		return conn_revive(c, &e) == WL_OK;
	}
}

static int
deadline_after(struct timespec *ts, long ms)
{
	if (clock_gettime(CLOCK_MONOTONIC, ts) != 0)
		return -1;
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
	return 0;
}

static struct store_conn *
pg_acquire(struct store *base, struct wl_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_conn *c = NULL;
	struct timespec deadline;
	bool open_new = false;
	int rc = 0;

	if (deadline_after(&deadline, PG_ACQUIRE_WAIT_MS) != 0) {
		wl_fail(err, WL_EINTERNAL, "clock_gettime failed");
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	while (s->idle == NULL && s->open >= PG_POOL_MAX && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&s->freed, &s->mu, &deadline);
	if (s->idle != NULL) {
		c = s->idle;
		s->idle = c->next;
	} else if (s->open < PG_POOL_MAX) {
		s->open++;
		open_new = true;
	}
	pthread_mutex_unlock(&s->mu);

	if (c == NULL && !open_new) {
		wl_fail(err, WL_EUNAVAILABLE,
			"no database connection became free within %d ms (pool of %d)",
			PG_ACQUIRE_WAIT_MS, PG_POOL_MAX);
		return NULL;
	}
	if (open_new && conn_open(s, &c, err) != WL_OK) {
		pthread_mutex_lock(&s->mu);
		s->open--;
		pthread_cond_signal(&s->freed);
		pthread_mutex_unlock(&s->mu);
		return NULL;
	}
	c->next = NULL;
	c->retryable = false;
	return &c->base;
}

static void
pg_release(struct store_conn *base)
{
	struct pg_conn *c = (struct pg_conn *)base;
	struct pg_store *s = (struct pg_store *)base->owner;
	bool usable = conn_clean(c);

	pthread_mutex_lock(&s->mu);
	if (usable) {
		c->next = s->idle;
		s->idle = c;
	} else {
		s->open--;
	}
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->mu);
	if (!usable)
		conn_free(c);
}

struct store *
store_pg_open(const char *conninfo, struct wl_error *err)
{
	struct pg_store *s;
	struct store_conn *first;
	pthread_condattr_t attr;

	if (!PQisthreadsafe()) {
		wl_fail(err, WL_EINTERNAL, "this libpq is not thread-safe");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->conninfo = strdup(conninfo)) == NULL) {
		free(s);
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->base.ops = &pg_ops;
	s->base.kind = STORE_POSTGRES;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->freed, &attr);
	pthread_condattr_destroy(&attr);
	/* Connect now so a wrong URL or a stopped server fails at start. */
	first = pg_acquire(&s->base, err);
	if (first == NULL) {
		pthread_cond_destroy(&s->freed);
		pthread_mutex_destroy(&s->mu);
		free(s->conninfo);
		free(s);
		return NULL;
	}
	pg_release(first);
	return &s->base;
}

static void
pg_close(struct store *base)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_conn *c;

	/* Every connection must be back: the owner stops its threads first. */
	while ((c = s->idle) != NULL) {
		s->idle = c->next;
		conn_free(c);
	}
	pthread_cond_destroy(&s->freed);
	pthread_mutex_destroy(&s->mu);
	free(s->conninfo);
	free(s);
}

/* ---- migrations ------------------------------------------------------------------ */

static int
exec_plain(struct pg_conn *c, const char *sql, struct wl_error *err, const char *what)
{
	PGresult *res = PQexec(c->db, sql);
	ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_fail(c, res, err, what);
		PQclear(res);
		return err->code;
	}
	PQclear(res);
	return WL_OK;
}

/* Applies the migrations this database lacks, all in one transaction under
 * an advisory lock: a second instance starting at the same moment waits,
 * then finds the schema current. */
static int
pg_migrate(struct store *base, struct wl_error *err)
{
	struct store_conn *bc = pg_acquire(base, err);
	struct pg_conn *c = (struct pg_conn *)bc;
	size_t i, n = sizeof(pg_migrations) / sizeof(pg_migrations[0]);
	PGresult *res;
	int version;

	if (c == NULL)
		return err->code;
	if (exec_plain(c, "BEGIN", err, "migration") != WL_OK ||
	    exec_plain(c, PG_MIGRATION_LOCK_SQL, err, "migration lock") != WL_OK ||
	    exec_plain(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
		       err, "migration") != WL_OK)
		goto fail;
	res = PQexec(c->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_fail(c, res, err, "migration");
		PQclear(res);
		goto fail;
	}
	version = (int)col_int(res, 0, 0);
	PQclear(res);
	if (version < 0 || (size_t)version > n) {
		wl_fail(err, WL_EINTERNAL,
			"database schema version %d is newer than this wlportal (%zu)", version, n);
		goto fail;
	}
	for (i = (size_t)version; i < n; i++) {
		char level[24];
		const char *values[1] = { level };

		if (exec_plain(c, pg_migrations[i], err, "migration") != WL_OK ||
		    exec_plain(c, "DELETE FROM schema_version", err, "migration") != WL_OK)
			goto fail;
		snprintf(level, sizeof(level), "%zu", i + 1);
		res = PQexecParams(c->db, "INSERT INTO schema_version (version) VALUES ($1::integer)",
				   1, NULL, values, NULL, NULL, 0);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_fail(c, res, err, "migration");
			PQclear(res);
			goto fail;
		}
		PQclear(res);
	}
	if (exec_plain(c, "COMMIT", err, "migration") != WL_OK)
		goto fail;
	pg_release(bc);
	return WL_OK;
fail:
	{
		char msg[WL_ERROR_MESSAGE_MAX];

		snprintf(msg, sizeof(msg), "%s", err->message);
		wl_fail(err, err->code, "migration failed: %s", msg);
	}
	pg_release(bc); /* rolls back */
	return err->code;
}

/* ---- transactions ------------------------------------------------------------------ */

static int
pg_begin(struct store_conn *b, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;

	c->retryable = false;
	/* The writer keeps its connection for life: revive it if the server
	 * went away since the last batch. A BEGIN that finds the session lost
	 * changed nothing, so it is tried once more on a new session. */
	if (PQstatus(c->db) != CONNECTION_OK && conn_revive(c, err) != WL_OK)
		return err->code;
	if (pg_exec(c, Q_BEGIN, NULL, err, "begin") == WL_OK)
		return WL_OK;
	if (PQstatus(c->db) == CONNECTION_OK || conn_revive(c, err) != WL_OK)
		return err->code;
	wl_error_clear(err);
	return pg_exec(c, Q_BEGIN, NULL, err, "begin");
}

/* PostgreSQL answers COMMIT in a failed transaction with success and the
 * tag "ROLLBACK": a commit counts only when the tag says COMMIT and the
 * session is outside any transaction afterwards. */
static int
pg_commit(struct store_conn *b, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	PGresult *res = pg_run(c, Q_COMMIT, NULL, err, "commit");
	bool committed;

	if (res == NULL)
		return err->code;
	committed = strcmp(PQcmdStatus(res), "COMMIT") == 0 &&
		    PQtransactionStatus(c->db) == PQTRANS_IDLE;
	PQclear(res);
	if (!committed)
		return wl_fail(err, WL_EINTERNAL, "commit: the transaction was rolled back");
	return WL_OK;
}

void
pg_rollback(struct store_conn *b)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct wl_error e;
	PGTransactionStatusType st = PQtransactionStatus(c->db);

	/* Keeps c->retryable: the writer asks after rolling back. */
	if (st == PQTRANS_INTRANS || st == PQTRANS_INERROR)
		pg_exec(c, Q_ROLLBACK, NULL, &e, "rollback");
}

static int
pg_savepoint(struct store_conn *b, struct wl_error *err)
{
	return pg_exec((struct pg_conn *)b, Q_SAVEPOINT, NULL, err, "savepoint");
}

static int
pg_savepoint_release(struct store_conn *b, struct wl_error *err)
{
	return pg_exec((struct pg_conn *)b, Q_RELEASE, NULL, err, "release");
}

static int
pg_savepoint_rollback(struct store_conn *b, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	int rc = pg_exec(c, Q_ROLLBACK_TO, NULL, err, "rollback to");

	if (rc == WL_OK)
		rc = pg_exec(c, Q_RELEASE, NULL, err, "release");
	return rc;
}

static bool
pg_retryable(struct store_conn *b)
{
	return ((struct pg_conn *)b)->retryable;
}

static const struct store_ops pg_ops = {
	.name = "postgres",
	.close = pg_close,
	.migrate = pg_migrate,
	.acquire = pg_acquire,
	.release = pg_release,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.savepoint = pg_savepoint,
	.savepoint_release = pg_savepoint_release,
	.savepoint_rollback = pg_savepoint_rollback,
	.retryable = pg_retryable,
	.org_insert = pg_org_insert,
	.org_get = pg_org_get,
	.org_add_balance = pg_org_add_balance,
	.org_find_demo = pg_org_find_demo,
	.user_insert = pg_user_insert,
	.apikey_insert = pg_apikey_insert,
	.apikey_lookup = pg_apikey_lookup,
	.apikey_revoke_label = pg_apikey_revoke_label,
	.ledger_insert = pg_ledger_insert,
	.ledger_apply = pg_ledger_apply,
	.audit = pg_audit,
	.call_insert = pg_call_insert,
	.call_get = pg_call_get,
	.call_update = pg_call_update,
	.call_list = pg_call_list,
	.number_org = pg_number_org,
	.usage_insert = pg_usage_insert,
	.call_stale = pg_call_stale,
	.reconcile = pg_reconcile,
	.idem_claim = pg_idem_claim,
	.meta_get = pg_meta_get,
	.meta_put_once = pg_meta_put_once,
	.sealed_sample = pg_sealed_sample,
	.usage_list = pg_usage_list,
	.usage_sum = pg_usage_sum,
	.wl_get = pg_wl_get,
	.wl_put = pg_wl_put,
	.wl_find = pg_wl_find,
	.slug_owner = pg_slug_owner,
	.wl_domains = pg_wl_domains,
	.user_get = pg_user_get,
	.user_by_email = pg_user_by_email,
	.client_users = pg_client_users,
	.org_children = pg_org_children,
	.session_insert = pg_session_insert,
	.session_get = pg_session_get,
	.session_delete = pg_session_delete,
	.login_get = pg_login_get,
	.login_add = pg_login_add,
	.login_clear = pg_login_clear,
	.login_purge = pg_login_purge,
};
