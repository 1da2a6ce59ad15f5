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
 * whole batch.
 */
#include "store/store_impl.h"
#include "store/schema_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_POOL_MAX 16
#define PG_ACQUIRE_WAIT_MS 5000
#define PG_MAX_PARAMS 16

enum stmt_id {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_BEGIN_SNAPSHOT,
	Q_ORG_INSERT, Q_ORG_GET, Q_ORG_GET_LOCK, Q_ORG_ADD, Q_ORG_DEMO_AGENCY, Q_ORG_DEMO_CLIENT,
	Q_USER_INSERT, Q_KEY_INSERT, Q_KEY_LOOKUP, Q_KEY_REVOKE,
	Q_LEDGER_INSERT, Q_AUDIT, Q_AUDIT_COUNT,
	Q_CALL_INSERT, Q_CALL_GET, Q_CALL_GET_LOCK, Q_CALL_UPDATE, Q_CALL_LIST, Q_CALL_LIST_AFTER,
	Q_NUMBER_ORG,
	Q_USAGE_INSERT, Q_USAGE_LIST_ORG, Q_USAGE_LIST_BILLED, Q_USAGE_SUM_ORG, Q_USAGE_SUM_BILLED,
	Q_COUNT
};

#define CALL_COLS "id, org_id, billed_org_id, direction, status, from_number, to_number, " \
	"number_id, agent_id, elapsed_sec, billed_seconds, cut_off, ended_reason, created_at, ended_at"
#define USAGE_COLS "id, org_id, billed_org_id, call_id, duration_sec, number_id, created_at"
#define ORG_SELECT "SELECT id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, " \
	"created_at FROM orgs WHERE id = $1::text"

/* Every parameter carries an explicit type: PostgreSQL would otherwise infer
 * int4 from a literal such as NULLIF($1, 0) and refuse millisecond times. */
static const char *const stmt_sql[Q_COUNT] = {
	/*
	 * READ COMMITTED is right for the writer: every decision that matters
	 * (a balance, a call's billed seconds) is read with SELECT … FOR UPDATE
	 * after the rows are locked, and in READ COMMITTED a locking read returns
	 * the newest committed version. Under REPEATABLE READ the same read
	 * would fail with a serialization error whenever another instance had
	 * committed to the row since the batch began — on a busy org, nearly
	 * every batch — and the writer would spend its time retrying.
	 */
	[Q_BEGIN] = "BEGIN",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT job",
	[Q_RELEASE] = "RELEASE SAVEPOINT job",
	[Q_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT job",
	/* The audit reads balances and entries in one snapshot. */
	[Q_BEGIN_SNAPSHOT] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	[Q_ORG_INSERT] = "INSERT INTO orgs (id, name, parent_id, balance_seconds, is_demo, created_at) "
			 "VALUES ($1::text, $2::text, NULLIF($3::text, ''), 0, $4::boolean, $5::bigint)",
	[Q_ORG_GET] = ORG_SELECT,
	[Q_ORG_GET_LOCK] = ORG_SELECT " FOR UPDATE",
	[Q_ORG_ADD] = "UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
		      "WHERE id = $1::text AND balance_seconds + $2::bigint >= 0",
	[Q_ORG_DEMO_AGENCY] = "SELECT id FROM orgs WHERE is_demo AND parent_id IS NULL "
			      "ORDER BY created_at, id LIMIT 1",
	[Q_ORG_DEMO_CLIENT] = "SELECT id FROM orgs WHERE is_demo AND parent_id = $1::text "
			      "ORDER BY created_at, id LIMIT 1",
	/* A taken e-mail address is an expected answer, not an aborted job. */
	[Q_USER_INSERT] = "INSERT INTO users (id, org_id, email, password_hash, created_at) "
			  "VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint) "
			  "ON CONFLICT (email) DO NOTHING",
	[Q_KEY_INSERT] = "INSERT INTO api_keys (id, org_id, key_hash, label, created_at) "
			 "VALUES ($1::text, $2::text, $3::bytea, $4::text, $5::bigint)",
	[Q_KEY_LOOKUP] = "SELECT org_id FROM api_keys WHERE key_hash = $1::bytea "
			 "AND revoked_at IS NULL",
	[Q_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = $3::bigint "
			 "WHERE org_id = $1::text AND label = $2::text AND revoked_at IS NULL",
	/* Idempotency: a reference seen before inserts nothing (see ledger.c). */
	[Q_LEDGER_INSERT] = "INSERT INTO ledger_entries "
			    "(org_id, delta_seconds, kind, reference, description, created_at) "
			    "VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
			    "ON CONFLICT (org_id, reference) DO NOTHING",
	[Q_AUDIT] = "SELECT o.id, o.balance_seconds, COALESCE(e.total, 0) FROM orgs o "
		    "LEFT JOIN (SELECT org_id, SUM(delta_seconds) AS total FROM ledger_entries "
		    "GROUP BY org_id) e ON e.org_id = o.id "
		    "WHERE o.balance_seconds <> COALESCE(e.total, 0) ORDER BY o.id",
	[Q_AUDIT_COUNT] = "SELECT (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM ledger_entries)",
	[Q_CALL_INSERT] = "INSERT INTO calls (" CALL_COLS ") VALUES ($1::text, $2::text, $3::text, "
			  "$4::text, $5::text, NULLIF($6::text, ''), $7::text, NULLIF($8::text, ''), "
			  "NULLIF($9::text, ''), $10::bigint, $11::bigint, $12::boolean, "
			  "NULLIF($13::text, ''), $14::bigint, NULLIF($15::bigint, 0))",
	[Q_CALL_GET] = "SELECT " CALL_COLS " FROM calls WHERE id = $1::text",
	[Q_CALL_GET_LOCK] = "SELECT " CALL_COLS " FROM calls WHERE id = $1::text FOR UPDATE",
	[Q_CALL_UPDATE] = "UPDATE calls SET status = $2::text, elapsed_sec = $3::bigint, "
			  "billed_seconds = $4::bigint, cut_off = $5::boolean, "
			  "ended_reason = NULLIF($6::text, ''), ended_at = NULLIF($7::bigint, 0) "
			  "WHERE id = $1::text",
	[Q_CALL_LIST] = "SELECT " CALL_COLS " FROM calls WHERE org_id = $1::text "
			"ORDER BY created_at DESC, id DESC LIMIT $2::integer",
	[Q_CALL_LIST_AFTER] = "SELECT " CALL_COLS " FROM calls WHERE org_id = $1::text "
			      "AND (created_at, id) < ($3::bigint, $4::text) "
			      "ORDER BY created_at DESC, id DESC LIMIT $2::integer",
	[Q_NUMBER_ORG] = "SELECT org_id FROM phone_numbers WHERE id = $1::text",
	[Q_USAGE_INSERT] = "INSERT INTO usage (" USAGE_COLS ") VALUES ($1::text, $2::text, "
			   "$3::text, $4::text, $5::bigint, NULLIF($6::text, ''), $7::bigint)",
	[Q_USAGE_LIST_ORG] = "SELECT " USAGE_COLS " FROM usage WHERE org_id = $1::text "
			     "AND created_at >= $2::bigint AND created_at < $3::bigint "
			     "AND (created_at, id) > ($4::bigint, $5::text) "
			     "ORDER BY created_at, id LIMIT $6::integer",
	[Q_USAGE_LIST_BILLED] = "SELECT " USAGE_COLS " FROM usage WHERE billed_org_id = $1::text "
				"AND created_at >= $2::bigint AND created_at < $3::bigint "
				"AND (created_at, id) > ($4::bigint, $5::text) "
				"ORDER BY created_at, id LIMIT $6::integer",
	[Q_USAGE_SUM_ORG] = "SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
			    "WHERE org_id = $1::text AND created_at >= $2::bigint "
			    "AND created_at < $3::bigint",
	[Q_USAGE_SUM_BILLED] = "SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
			       "WHERE billed_org_id = $1::text AND created_at >= $2::bigint "
			       "AND created_at < $3::bigint",
};

/* A connection belongs to the pool; a thread holds it between acquire and
 * release and is its only user meanwhile. */
struct pg_conn {
	struct store_conn base;
	PGconn *db;
	uint64_t prepared;       /* bit i: statement i is prepared in this session */
	bool retryable;          /* last failure: serialization failure or deadlock */
	struct pg_conn *next;    /* idle list */
};

struct pg_store {
	struct store base;
	pthread_mutex_t mu;
	pthread_cond_t freed;    /* a connection went back to the pool (or a slot opened) */
	struct pg_conn *idle;
	int open;                /* connections that exist: idle + lent + being opened */
	char *conninfo;
};

static const struct store_ops pg_ops;

/* ---- parameters and results ------------------------------------------------- */

struct params {
	int n;
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	char numbers[PG_MAX_PARAMS][24];
};

static void
p_text(struct params *p, const char *s)
{
	p->values[p->n] = s != NULL ? s : "";
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

static void
p_int(struct params *p, int64_t v)
{
	snprintf(p->numbers[p->n], sizeof(p->numbers[p->n]), "%" PRId64, v);
	p_text(p, p->numbers[p->n]);
}

static void
p_bool(struct params *p, bool v)
{
	p_text(p, v ? "true" : "false");
}

static void
p_bytes(struct params *p, const unsigned char *b, int len)
{
	p->values[p->n] = (const char *)b;
	p->lengths[p->n] = len;
	p->formats[p->n] = 1;
	p->n++;
}

static void
col_copy(const PGresult *r, int row, int col, char *out, size_t n)
{
	snprintf(out, n, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static int64_t
col_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static bool
col_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static bool
changed_rows(const PGresult *r)
{
	const char *n = PQcmdTuples((PGresult *)(uintptr_t)r);

	return n[0] != '\0' && strcmp(n, "0") != 0;
}

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
static PGresult *
run(struct pg_conn *c, enum stmt_id id, const struct params *p, struct wl_error *err,
    const char *what)
{
	char name[16];
	PGresult *res;
	ExecStatusType st;

	_Static_assert(Q_COUNT <= 64, "one bit per statement in pg_conn.prepared");
	snprintf(name, sizeof(name), "q%d", (int)id);
	if ((c->prepared & (UINT64_C(1) << id)) == 0) {
		/* Protocol-level prepared statements outlive a rolled-back
		 * transaction, so the bit stays true until the session ends. */
		res = PQprepare(c->db, name, stmt_sql[id], 0, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_fail(c, res, err, what);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		c->prepared |= UINT64_C(1) << id;
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
static int
exec_q(struct pg_conn *c, enum stmt_id id, const struct params *p, struct wl_error *err,
       const char *what)
{
	PGresult *res = run(c, id, p, err, what);

	if (res == NULL)
		return err->code;
	PQclear(res);
	return WL_OK;
}

/* An INSERT … ON CONFLICT DO NOTHING: WL_ECONFLICT when no row went in. */
static int
insert_once(struct pg_conn *c, enum stmt_id id, const struct params *p, struct wl_error *err,
	    const char *what)
{
	PGresult *res = run(c, id, p, err, what);
	bool inserted;

	if (res == NULL)
		return err->code;
	inserted = changed_rows(res);
	PQclear(res);
	return inserted ? WL_OK : wl_fail(err, WL_ECONFLICT, "%s: already exists", what);
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
	char msg[WL_ERROR_MESSAGE_MAX];

	if (c == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	c->base.ops = &pg_ops;
	c->base.owner = &s->base;
	c->db = PQconnectdbParams(keys, values, 1);
	if (c->db == NULL || PQstatus(c->db) != CONNECTION_OK) {
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
	char msg[WL_ERROR_MESSAGE_MAX];

	PQreset(c->db);
	if (PQstatus(c->db) != CONNECTION_OK) {
		trim_message(PQerrorMessage(c->db), msg, sizeof(msg));
		return wl_fail(err, WL_EUNAVAILABLE, "cannot reconnect to PostgreSQL: %s", msg);
	}
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	c->prepared = 0;
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
	/* Results nobody read (not expected: run() reads each one). */
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
	if (exec_q(c, Q_BEGIN, NULL, err, "begin") == WL_OK)
		return WL_OK;
	if (PQstatus(c->db) == CONNECTION_OK || conn_revive(c, err) != WL_OK)
		return err->code;
	wl_error_clear(err);
	return exec_q(c, Q_BEGIN, NULL, err, "begin");
}

static int
pg_commit(struct store_conn *b, struct wl_error *err)
{
	return exec_q((struct pg_conn *)b, Q_COMMIT, NULL, err, "commit");
}

static void
pg_rollback(struct store_conn *b)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct wl_error e;
	PGTransactionStatusType st = PQtransactionStatus(c->db);

	/* Keeps c->retryable: the writer asks after rolling back. */
	if (st == PQTRANS_INTRANS || st == PQTRANS_INERROR)
		exec_q(c, Q_ROLLBACK, NULL, &e, "rollback");
}

static int
pg_savepoint(struct store_conn *b, struct wl_error *err)
{
	return exec_q((struct pg_conn *)b, Q_SAVEPOINT, NULL, err, "savepoint");
}

static int
pg_savepoint_release(struct store_conn *b, struct wl_error *err)
{
	return exec_q((struct pg_conn *)b, Q_RELEASE, NULL, err, "release");
}

static void
pg_savepoint_rollback(struct store_conn *b)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct wl_error e;

	if (exec_q(c, Q_ROLLBACK_TO, NULL, &e, "rollback to") == WL_OK)
		exec_q(c, Q_RELEASE, NULL, &e, "release");
}

static bool
pg_retryable(struct store_conn *b)
{
	return ((struct pg_conn *)b)->retryable;
}

/* ---- organizations ------------------------------------------------------------------- */

static int
pg_org_insert(struct store_conn *b, const struct store_org *o, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, o->id);
	p_text(&p, o->name);
	p_text(&p, o->parent_id);
	p_bool(&p, o->is_demo);
	p_int(&p, o->created_at);
	return exec_q((struct pg_conn *)b, Q_ORG_INSERT, &p, err, "organization");
}

static int
pg_org_get(struct store_conn *b, const char *id, bool for_update, struct store_org *out,
	   struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	p_text(&p, id);
	res = run((struct pg_conn *)b, for_update ? Q_ORG_GET_LOCK : Q_ORG_GET, &p, err,
		  "organization");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return wl_fail(err, WL_ENOTFOUND, "organization not found");
	}
	col_copy(res, 0, 0, out->id, sizeof(out->id));
	col_copy(res, 0, 1, out->name, sizeof(out->name));
	col_copy(res, 0, 2, out->parent_id, sizeof(out->parent_id));
	out->balance_seconds = col_int(res, 0, 3);
	out->is_demo = col_bool(res, 0, 4);
	out->created_at = col_int(res, 0, 5);
	PQclear(res);
	return WL_OK;
}

/* The conditional update refuses a negative balance without an error (the
 * CHECK constraint would abort the savepoint), so the job can answer
 * "insufficient" and the batch goes on. */
static int
pg_org_add_balance(struct store_conn *b, const char *id, int64_t delta, struct wl_error *err)
{
	struct params p = { 0 };
	struct store_org o;
	PGresult *res;
	bool changed;
	int rc;

	p_text(&p, id);
	p_int(&p, delta);
	res = run((struct pg_conn *)b, Q_ORG_ADD, &p, err, "balance");
	if (res == NULL)
		return err->code;
	changed = changed_rows(res);
	PQclear(res);
	if (changed)
		return WL_OK;
	rc = pg_org_get(b, id, false, &o, err);
	if (rc != WL_OK)
		return rc;
	return wl_fail(err, WL_EINSUFFICIENT, "balance would go below zero");
}

/* The first column of the first row as an id, WL_ENOTFOUND without rows. */
static int
first_id(struct pg_conn *c, enum stmt_id id, const struct params *p, char out[WL_ID_LEN],
	 struct wl_error *err)
{
	PGresult *res = run(c, id, p, err, "lookup");
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

static int
pg_org_find_demo(struct store_conn *b, struct store_org *agency, struct store_org *client,
		 struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct params p = { 0 };
	char id[WL_ID_LEN];
	int rc;

	if ((rc = first_id(c, Q_ORG_DEMO_AGENCY, NULL, id, err)) != WL_OK)
		return rc;
	if ((rc = pg_org_get(b, id, false, agency, err)) != WL_OK)
		return rc;
	p_text(&p, agency->id);
	if ((rc = first_id(c, Q_ORG_DEMO_CLIENT, &p, id, err)) != WL_OK)
		return rc;
	return pg_org_get(b, id, false, client, err);
}

/* ---- users and keys ---------------------------------------------------------------------- */

static int
pg_user_insert(struct store_conn *b, const struct store_user *u, struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	p_text(&p, u->id);
	p_text(&p, u->org_id);
	p_text(&p, u->email);
	p_text(&p, u->password_hash);
	p_int(&p, u->created_at);
	rc = insert_once((struct pg_conn *)b, Q_USER_INSERT, &p, err, "user");
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "e-mail address already in use");
	return rc;
}

static int
pg_apikey_insert(struct store_conn *b, const char *id, const char *org_id,
		 const unsigned char *hash, const char *label, int64_t created_at,
		 struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, id);
	p_text(&p, org_id);
	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	p_text(&p, label);
	p_int(&p, created_at);
	return exec_q((struct pg_conn *)b, Q_KEY_INSERT, &p, err, "api key");
}

static int
pg_apikey_lookup(struct store_conn *b, const unsigned char *hash, char *org_id,
		 struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	rc = first_id((struct pg_conn *)b, Q_KEY_LOOKUP, &p, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_EUNAUTHORIZED, "Invalid API key");
	return rc;
}

static int
pg_apikey_revoke_label(struct store_conn *b, const char *org_id, const char *label, int64_t now,
		       struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, org_id);
	p_text(&p, label);
	p_int(&p, now);
	return exec_q((struct pg_conn *)b, Q_KEY_REVOKE, &p, err, "api key");
}

/* ---- ledger ---------------------------------------------------------------------------------- */

static int
pg_ledger_insert(struct store_conn *b, const struct store_entry *e, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, e->org_id);
	p_int(&p, e->delta_seconds);
	p_text(&p, e->kind);
	p_text(&p, e->reference);
	p_text(&p, e->description);
	p_int(&p, e->created_at);
	return insert_once((struct pg_conn *)b, Q_LEDGER_INSERT, &p, err, "ledger entry");
}

static int
audit_read(struct pg_conn *c, void (*mismatch)(const struct store_audit_row *, void *),
	   void *arg, int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	struct store_audit_row row;
	PGresult *res;
	int i;

	if ((res = run(c, Q_AUDIT, NULL, err, "audit")) == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res); i++) {
		col_copy(res, i, 0, row.org_id, sizeof(row.org_id));
		row.balance_seconds = col_int(res, i, 1);
		row.entries_sum = col_int(res, i, 2);
		mismatch(&row, arg);
	}
	PQclear(res);
	if ((res = run(c, Q_AUDIT_COUNT, NULL, err, "audit")) == NULL)
		return err->code;
	*orgs = col_int(res, 0, 0);
	*entries = col_int(res, 0, 1);
	PQclear(res);
	return WL_OK;
}

/* Balances and entries come from one snapshot, so a debit committing halfway
 * through cannot show up as a mismatch. */
static int
pg_audit(struct store_conn *b, void (*mismatch)(const struct store_audit_row *, void *), void *arg,
	 int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	int rc;

	if (exec_q(c, Q_BEGIN_SNAPSHOT, NULL, err, "audit") != WL_OK)
		return err->code;
	rc = audit_read(c, mismatch, arg, orgs, entries, err);
	if (rc == WL_OK)
		rc = exec_q(c, Q_COMMIT, NULL, err, "audit");
	else
		pg_rollback(b);
	return rc;
}

/* ---- calls and usage ------------------------------------------------------------------------- */

static void
read_call(const PGresult *r, int i, struct store_call *o)
{
	col_copy(r, i, 0, o->id, sizeof(o->id));
	col_copy(r, i, 1, o->org_id, sizeof(o->org_id));
	col_copy(r, i, 2, o->billed_org_id, sizeof(o->billed_org_id));
	col_copy(r, i, 3, o->direction, sizeof(o->direction));
	col_copy(r, i, 4, o->status, sizeof(o->status));
	col_copy(r, i, 5, o->from_number, sizeof(o->from_number));
	col_copy(r, i, 6, o->to_number, sizeof(o->to_number));
	col_copy(r, i, 7, o->number_id, sizeof(o->number_id));
	col_copy(r, i, 8, o->agent_id, sizeof(o->agent_id));
	o->elapsed_sec = col_int(r, i, 9);
	o->billed_seconds = col_int(r, i, 10);
	o->cut_off = col_bool(r, i, 11);
	col_copy(r, i, 12, o->ended_reason, sizeof(o->ended_reason));
	o->created_at = col_int(r, i, 13);
	o->ended_at = col_int(r, i, 14);
}

static int
pg_call_insert(struct store_conn *b, const struct store_call *o, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, o->id);
	p_text(&p, o->org_id);
	p_text(&p, o->billed_org_id);
	p_text(&p, o->direction);
	p_text(&p, o->status);
	p_text(&p, o->from_number);
	p_text(&p, o->to_number);
	p_text(&p, o->number_id);
	p_text(&p, o->agent_id);
	p_int(&p, o->elapsed_sec);
	p_int(&p, o->billed_seconds);
	p_bool(&p, o->cut_off);
	p_text(&p, o->ended_reason);
	p_int(&p, o->created_at);
	p_int(&p, o->ended_at);
	return exec_q((struct pg_conn *)b, Q_CALL_INSERT, &p, err, "call");
}

static int
pg_call_get(struct store_conn *b, const char *id, bool for_update, struct store_call *out,
	    struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	p_text(&p, id);
	res = run((struct pg_conn *)b, for_update ? Q_CALL_GET_LOCK : Q_CALL_GET, &p, err, "call");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return wl_fail(err, WL_ENOTFOUND, "call not found");
	}
	read_call(res, 0, out);
	PQclear(res);
	return WL_OK;
}

static int
pg_call_update(struct store_conn *b, const struct store_call *o, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, o->id);
	p_text(&p, o->status);
	p_int(&p, o->elapsed_sec);
	p_int(&p, o->billed_seconds);
	p_bool(&p, o->cut_off);
	p_text(&p, o->ended_reason);
	p_int(&p, o->ended_at);
	return exec_q((struct pg_conn *)b, Q_CALL_UPDATE, &p, err, "call");
}

static int
pg_call_list(struct store_conn *b, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	     int limit, struct store_call *out, int *n, struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, org_id);
	p_int(&p, limit);
	if (after) {
		p_int(&p, cursor_ms);
		p_text(&p, cursor_id);
	}
	res = run((struct pg_conn *)b, after ? Q_CALL_LIST_AFTER : Q_CALL_LIST, &p, err, "calls");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++)
		read_call(res, i, &out[(*n)++]);
	PQclear(res);
	return WL_OK;
}

static int
pg_number_org(struct store_conn *b, const char *number_id, char *org_id, struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	p_text(&p, number_id);
	rc = first_id((struct pg_conn *)b, Q_NUMBER_ORG, &p, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_ENOTFOUND, "phone number not found");
	return rc;
}

static int
pg_usage_insert(struct store_conn *b, const struct store_usage *u, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, u->id);
	p_text(&p, u->org_id);
	p_text(&p, u->billed_org_id);
	p_text(&p, u->call_id);
	p_int(&p, u->duration_sec);
	p_text(&p, u->number_id);
	p_int(&p, u->created_at);
	return exec_q((struct pg_conn *)b, Q_USAGE_INSERT, &p, err, "usage");
}

static int
pg_usage_list(struct store_conn *b, const struct store_usage_query *q, int64_t cursor_ms,
	      const char *cursor_id, int limit, struct store_usage *out, int *n,
	      struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, q->org_id);
	p_int(&p, q->from_ms);
	p_int(&p, q->to_ms);
	/* Without a cursor, start before every row: (from - 1, ""). */
	p_int(&p, after ? cursor_ms : q->from_ms - 1);
	p_text(&p, after ? cursor_id : "");
	p_int(&p, limit);
	res = run((struct pg_conn *)b, q->by_billed_org ? Q_USAGE_LIST_BILLED : Q_USAGE_LIST_ORG,
		  &p, err, "usage");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++) {
		struct store_usage *u = &out[(*n)++];

		col_copy(res, i, 0, u->id, sizeof(u->id));
		col_copy(res, i, 1, u->org_id, sizeof(u->org_id));
		col_copy(res, i, 2, u->billed_org_id, sizeof(u->billed_org_id));
		col_copy(res, i, 3, u->call_id, sizeof(u->call_id));
		u->duration_sec = col_int(res, i, 4);
		col_copy(res, i, 5, u->number_id, sizeof(u->number_id));
		u->created_at = col_int(res, i, 6);
	}
	PQclear(res);
	return WL_OK;
}

static int
pg_usage_sum(struct store_conn *b, const struct store_usage_query *q, int64_t *total_seconds,
	     int64_t *rows, struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	p_text(&p, q->org_id);
	p_int(&p, q->from_ms);
	p_int(&p, q->to_ms);
	res = run((struct pg_conn *)b, q->by_billed_org ? Q_USAGE_SUM_BILLED : Q_USAGE_SUM_ORG, &p,
		  err, "usage");
	if (res == NULL)
		return err->code;
	*total_seconds = col_int(res, 0, 0);
	*rows = col_int(res, 0, 1);
	PQclear(res);
	return WL_OK;
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
	.audit = pg_audit,
	.call_insert = pg_call_insert,
	.call_get = pg_call_get,
	.call_update = pg_call_update,
	.call_list = pg_call_list,
	.number_org = pg_number_org,
	.usage_insert = pg_usage_insert,
	.usage_list = pg_usage_list,
	.usage_sum = pg_usage_sum,
};
