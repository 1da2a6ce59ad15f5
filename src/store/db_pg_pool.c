/*
 * db_pg_pool.c — the PostgreSQL driver's connections (db_pg.c): opening one
 * with our defaults, reviving a lost session, cleaning one that comes back
 * inside a transaction, and the pool of at most PG_POOL_MAX per process that
 * store_acquire waits on for at most PG_ACQUIRE_WAIT_MS.
 */
#include "store/db_pg_int.h"
#include "metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	c->base.drv = &pg_driver;
	c->base.owner = &s->base;
	c->db = PQconnectdbParams(keys, values, 1);
	if (c->db == NULL || PQstatus(c->db) != CONNECTION_OK) {
		pg_trim_message(c->db != NULL ? PQerrorMessage(c->db) : "out of memory", msg,
				sizeof(msg));
		wl_fail(err, WL_EUNAVAILABLE, "cannot connect to PostgreSQL: %s", msg);
	} else if (PQserverVersion(c->db) < 110000) {
		wl_fail(err, WL_EINTERNAL, "PostgreSQL %d is too old (11 or newer needed)",
			PQserverVersion(c->db));
	} else {
		PQsetNoticeProcessor(c->db, ignore_notice, NULL);
		*out = c;
		return WL_OK;
	}
	PQfinish(c->db);
	free(c);
	return err->code;
}

static void
conn_free(struct pg_conn *c)
{
	int i;

	for (i = 0; i < Q_COUNT; i++)
		PQclear(c->stmt[i].res);
	PQfinish(c->db);
	free(c);
}

/* Makes a connection usable again after a lost session: reconnect; the new
 * session has no prepared statements yet. */
int
pg_conn_revive(struct pg_conn *c, struct wl_error *err)
{
	int i;

	PQreset(c->db);
	if (PQstatus(c->db) != CONNECTION_OK) {
		char msg[WL_ERROR_MESSAGE_MAX];

		pg_trim_message(PQerrorMessage(c->db), msg, sizeof(msg));
		return wl_fail(err, WL_EUNAVAILABLE, "cannot reconnect to PostgreSQL: %s", msg);
	}
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	for (i = 0; i < Q_COUNT; i++)
		c->stmt[i].prepared = false;
	c->pipelined = false; /* a new session starts outside pipeline mode */
	c->pipe_tx = false;
	c->pending = 0;
	return WL_OK;
}

/* Leaves a connection idle, outside any transaction, or reports that it is
 * beyond repair. */
static bool
conn_clean(struct pg_conn *c)
{
	struct wl_error e;
	PGresult *res;

	c->base.retryable = false;
	/* Results nobody read (not expected: run() reads each one). */
	while ((res = PQgetResult(c->db)) != NULL)
		PQclear(res);
	if (PQstatus(c->db) != CONNECTION_OK)
		return pg_conn_revive(c, &e) == WL_OK;
	switch (PQtransactionStatus(c->db)) {
	case PQTRANS_IDLE: return true;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		res = PQexec(c->db, "ROLLBACK");
		PQclear(res);
		return PQstatus(c->db) == CONNECTION_OK &&
		       PQtransactionStatus(c->db) == PQTRANS_IDLE;
	default: return pg_conn_revive(c, &e) == WL_OK;
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

struct store_conn *
pg_acquire(struct store *base, struct wl_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_conn *c = NULL;
	struct timespec deadline, wait_from;
	bool open_new = false, waited;
	int rc = 0;

	if (deadline_after(&deadline, PG_ACQUIRE_WAIT_MS) != 0) {
		wl_fail(err, WL_EINTERNAL, "clock_gettime failed");
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	waited = s->idle == NULL && s->open >= PG_POOL_MAX;
	if (waited)
		clock_gettime(CLOCK_MONOTONIC, &wait_from);
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
	if (waited) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		metrics_db_wait((uint64_t)((now.tv_sec - wait_from.tv_sec) * 1000000LL +
					   (now.tv_nsec - wait_from.tv_nsec) / 1000),
				c == NULL && !open_new);
	}

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
	c->base.retryable = false;
	return &c->base;
}

void
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
db_pg_open(const char *conninfo, struct wl_error *err)
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
	s->base.drv = &pg_driver;
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

void
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
