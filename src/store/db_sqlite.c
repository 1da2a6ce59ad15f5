/*
 * db_sqlite.c — the SQLite driver (the default), embedded.
 *
 * One database file in WAL mode with synchronous=FULL: a commit returns only
 * once the WAL is on disk, so an answered debit survives a power cut. The
 * group-commit writer (services/writer.c) is the only thread that writes; any
 * number of threads read through their own connections, which WAL lets run
 * beside the writer. Connections are pooled; each keeps its prepared
 * statements so a hot query is parsed once per connection.
 */
#include "store/db.h"
#include "store/keycache.h"
#include "store/schema_sqlite.h"
#include "store/sq_checkpoint.h"
#include "store/wal_shm.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

struct sq_conn {
	struct store_conn base;
	sqlite3 *db;
	struct sq_stmt stmt[Q_COUNT];
	sqlite3_stmt *data_version; /* PRAGMA data_version, prepared when first asked */
	struct sq_conn *next;       /* idle list */
	bool ckpt_attached;         /* its checkpoints handed to the store's thread */
};

struct sq_store {
	struct store base;
	pthread_mutex_t mu;
	struct sq_conn *idle;
	char *path;
	/* The WAL-index header, mapped once by the first data version asked
	 * (atomic loads: connections of several threads read it). */
	struct wal_shm *shm;
	bool shm_tried;
	/* Checkpoints on a thread of their own (sq_checkpoint.c), once asked
	 * (before the store's connections are used by several threads). */
	struct sq_checkpointer *ckpt;
};

static const struct db_driver sq_driver;

#define SQ(st) (((struct sq_stmt *)(st))->st)

/* ---- errors ---------------------------------------------------------------- */

static int
sq_fail(sqlite3 *db, int rc, struct wl_error *err, const char *what)
{
	int ext = db != NULL ? sqlite3_extended_errcode(db) : rc;

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return wl_fail(err, WL_ECONFLICT, "%s: already exists", what);
	if (ext == SQLITE_CONSTRAINT_CHECK)
		return wl_fail(err, WL_EINVALID, "%s: refused by a check", what);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return wl_fail(err, WL_EUNAVAILABLE, "%s: database busy", what);
	return wl_fail(err, WL_EINTERNAL, "%s: %s", what,
		       db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* ---- statements ------------------------------------------------------------- */

static struct db_stmt *
sq_stmt(struct store_conn *b, enum stmt_id id, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	struct sq_stmt *s = &c->stmt[id];
	const char *sql = db_sql_of(id)->sqlite;
	int rc;

	if (s->st != NULL) {
		sqlite3_reset(s->st);
		sqlite3_clear_bindings(s->st);
		return &s->base;
	}
	if (sql == NULL) {
		wl_fail(err, WL_EINTERNAL, "%s: no SQLite statement %d", db_sql_of(id)->what,
			(int)id);
		return NULL;
	}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (rc != SQLITE_OK) {
		sq_fail(c->db, rc, err, "prepare");
		return NULL;
	}
	assert(sqlite3_bind_parameter_count(s->st) <= DB_MAX_PARAMS_SQLITE);
	s->base = (struct db_stmt){ &sq_driver, b, id };
	return &s->base;
}

static void
sq_bind_text(struct db_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(SQ(st), i, s, -1, SQLITE_STATIC);
}

static void
sq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(SQ(st), i, v);
}
static void
sq_bind_bool(struct db_stmt *st, int i, bool v)
{
	sqlite3_bind_int(SQ(st), i, v ? 1 : 0);
}
static void
sq_bind_null(struct db_stmt *st, int i)
{
	sqlite3_bind_null(SQ(st), i);
}

static void
sq_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	assert(n <= (size_t)0x7fffffff);
	sqlite3_bind_blob(SQ(st), i, p, (int)n, SQLITE_STATIC);
}

static enum db_step
sq_step(struct db_stmt *st, struct wl_error *err)
{
	int rc = sqlite3_step(SQ(st));

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	sq_fail(((struct sq_conn *)st->conn)->db, rc, err, db_sql_of(st->id)->what);
	return DB_FAIL;
}

static void
sq_col_text(struct db_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(SQ(st), i);
	size_t len = t != NULL ? (size_t)sqlite3_column_bytes(SQ(st), i) : 0;

	if (n == 0)
		return;
	if (len >= n)
		len = n - 1; /* cut, as snprintf would */
	if (len > 0)
		len = strnlen((const char *)t, len); /* up to a NUL, as %s would */
	if (len > 0)
		memcpy(out, t, len);
	out[len] = '\0';
}

static int64_t
sq_col_int64(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(SQ(st), i);
}
static bool
sq_col_bool(struct db_stmt *st, int i)
{
	return sqlite3_column_int(SQ(st), i) != 0;
}
static bool
sq_col_is_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(SQ(st), i) == SQLITE_NULL;
}
static int64_t
sq_changes(struct db_stmt *st)
{
	return sqlite3_changes(((struct sq_conn *)st->conn)->db);
}
static void
sq_reset(struct db_stmt *st)
{
	sqlite3_reset(SQ(st));
}
/* PRAGMA data_version: starts and ends a read transaction (locks). */
static int
pragma_version(struct sq_conn *c, uint64_t *out)
{
	int rc;

	if (c->data_version == NULL &&
	    sqlite3_prepare_v3(c->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
			       &c->data_version, NULL) != SQLITE_OK)
		return WL_EINTERNAL;
	rc = sqlite3_step(c->data_version);
	if (rc == SQLITE_ROW) /* never the top bit: wal_shm's versions have it */
		*out = (uint64_t)sqlite3_column_int64(c->data_version, 0) & ~(1ULL << 63);
	sqlite3_reset(c->data_version);
	return rc == SQLITE_ROW ? WL_OK : WL_EINTERNAL;
}

/* Once per store, by a connection that has just read in WAL mode (so the
 * -shm exists, holds a header, and stays while the store is open). */
static struct wal_shm *
shm_try_map(struct sq_store *s, struct sq_conn *c)
{
	struct wal_shm *m;

	pthread_mutex_lock(&s->mu);
	if (!s->shm_tried) {
		m = sq_in_wal_mode(c->db) ? wal_shm_map(sqlite3_db_filename(c->db, "main")) : NULL;
		__atomic_store_n(&s->shm, m, __ATOMIC_RELEASE);
		__atomic_store_n(&s->shm_tried, true, __ATOMIC_RELEASE);
	}
	m = s->shm;
	pthread_mutex_unlock(&s->mu);
	return m;
}

/* Moves when another connection (of this process or another) committed;
 * this connection's own commits move its change mark (and, read from the
 * header, this too). Lock-free from the WAL-index header (wal_shm.c) when
 * it is mapped and consistent; else PRAGMA data_version. */
static int
sq_data_version(struct store_conn *b, uint64_t *out)
{
	struct sq_conn *c = (struct sq_conn *)b;
	struct sq_store *s = (struct sq_store *)b->owner;
	struct wal_shm *m = __atomic_load_n(&s->shm, __ATOMIC_ACQUIRE);
	int rc;

	if (m == NULL && !__atomic_load_n(&s->shm_tried, __ATOMIC_ACQUIRE)) {
		/* The first time: a read opens the WAL (and the -shm). */
		if ((rc = pragma_version(c, out)) != WL_OK)
			return rc;
		m = shm_try_map(s, c);
	}
	/* The header tells the newest commit; a connection inside a read
	 * transaction reads an older snapshot, so it asks the PRAGMA (its
	 * snapshot's version), lest rows of that snapshot be kept under a
	 * newer version. */
	if (m != NULL && sqlite3_get_autocommit(c->db) && wal_shm_version(m, out)) {
		b->version_reads[0]++;
		return WL_OK;
	}
	b->version_reads[1]++;
	return pragma_version(c, out);
}

static uint64_t
sq_change_mark(struct store_conn *b)
{
	return (uint64_t)sqlite3_total_changes64(((struct sq_conn *)b)->db);
}

static size_t
sq_col_blob(struct db_stmt *st, int i, void *out, size_t n)
{
	const void *p = sqlite3_column_blob(SQ(st), i);
	size_t len = (size_t)sqlite3_column_bytes(SQ(st), i);

	if (p != NULL && n > 0)
		memcpy(out, p, len < n ? len : n);
	return len;
}

/* ---- connections and the pool ----------------------------------------------- */

static int
conn_open(struct sq_store *s, struct sq_conn **out, struct wl_error *err)
{
	struct sq_conn *c = calloc(1, sizeof(*c));
	char *msg = NULL;
	int rc;

	if (c == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	c->base.drv = &sq_driver;
	c->base.owner = &s->base;
	rc = sqlite3_open_v2(s->path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(c->db, 5000);
		rc = sqlite3_exec(c->db,
				  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
				  "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
				  NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			wl_fail(err, WL_EINTERNAL, "cannot configure database: %s",
				msg ? msg : "?");
	} else {
		wl_fail(err, WL_EINTERNAL, "cannot open database %s: %s", s->path,
			c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
	}
	if (rc != SQLITE_OK) {
		sqlite3_free(msg);
		sqlite3_close(c->db);
		free(c);
		return err->code;
	}
	*out = c;
	return WL_OK;
}

static void
conn_free(struct sq_conn *c)
{
	int i;

	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(c->stmt[i].st);
	sqlite3_finalize(c->data_version);
	keycache_free(&c->base);
	sqlite3_close(c->db);
	free(c);
}

/* Before SQLite's first use: no memory statistics, which would take a
 * process-wide mutex around every allocation of every connection. */
static void
sq_configure(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct store *
db_sqlite_open(const char *path, struct wl_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_store *s;
	struct sq_conn *c;

	pthread_once(&once, sq_configure);

	if (path[0] == '\0') {
		wl_fail(err, WL_EINVALID, "empty SQLite path");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->base.drv = &sq_driver;
	s->base.kind = STORE_SQLITE;
	pthread_mutex_init(&s->mu, NULL);
	/* Created owner-only before SQLite opens it: SQLite gives the -wal and
	 * -shm files the database file's permissions. Only when it does not
	 * exist (O_EXCL): closing a descriptor of a file this process already
	 * has open would drop all of the process's locks on it (POSIX), those
	 * of another store's connections included. */
	if (strcmp(path, ":memory:") != 0) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd >= 0)
			close(fd);
	}
	/* Open one connection now so a bad path fails at start, not later. */
	if (conn_open(s, &c, err) != WL_OK) {
		pthread_mutex_destroy(&s->mu);
		free(s->path);
		free(s);
		return NULL;
	}
	s->idle = c;
	return &s->base;
}

static void
sq_close(struct store *base)
{
	struct sq_store *s = (struct sq_store *)base;
	struct sq_conn *c;

	sq_checkpointer_stop(s->ckpt);
	while ((c = s->idle) != NULL) {
		s->idle = c->next;
		conn_free(c);
	}
	/* After the connections: closing its descriptor drops every POSIX lock
	 * this process holds on the -shm, so a second store of the same file
	 * in this process (the server opens one; only tests open two) must be
	 * closed first or not be used after. */
	wal_shm_unmap(s->shm);
	pthread_mutex_destroy(&s->mu);
	free(s->path);
	free(s);
}

static struct store_conn *
sq_acquire(struct store *base, struct wl_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct sq_conn *c;

	pthread_mutex_lock(&s->mu);
	c = s->idle;
	if (c != NULL)
		s->idle = c->next;
	pthread_mutex_unlock(&s->mu);
	if (c == NULL && conn_open(s, &c, err) != WL_OK)
		return NULL;
	if (s->ckpt != NULL && !c->ckpt_attached) {
		sq_checkpointer_attach(s->ckpt, c->db);
		c->ckpt_attached = true;
	}
	c->next = NULL;
	c->base.retryable = false;
	return &c->base;
}

static void
sq_release(struct store_conn *base)
{
	struct sq_conn *c = (struct sq_conn *)base;
	struct sq_store *s = (struct sq_store *)base->owner;

	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_lock(&s->mu);
	c->next = s->idle;
	s->idle = c;
	pthread_mutex_unlock(&s->mu);
}

/* ---- scripts and transactions ---------------------------------------------- */

static int
sq_exec_script(struct store_conn *b, const char *sql, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		sq_fail(c->db, rc, err, "script");
	sqlite3_free(msg);
	return rc == SQLITE_OK ? WL_OK : err->code;
}

static int
sq_begin(struct store_conn *c, struct wl_error *err)
{
	return db_run(c, Q_BEGIN, err);
}

static bool
sq_in_transaction(struct store_conn *b)
{
	return !sqlite3_get_autocommit(((struct sq_conn *)b)->db);
}

static void
sq_background_checkpoints(struct store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->ckpt == NULL && strcmp(s->path, ":memory:") != 0)
		s->ckpt = sq_checkpointer_start(s->path);
}

static const struct db_driver sq_driver = {
	.background_checkpoints = sq_background_checkpoints,
	.migrations = sqlite_migrations,
	.migrations_n = sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0]),
	.migration_lock = NULL, /* BEGIN IMMEDIATE takes the write lock */
	.close = sq_close,
	.exec_script = sq_exec_script,
	.acquire = sq_acquire,
	.release = sq_release,
	.begin = sq_begin,
	.in_transaction = sq_in_transaction,
	.stmt = sq_stmt,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.bind_bool = sq_bind_bool,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.col_text = sq_col_text,
	.col_int64 = sq_col_int64,
	.col_bool = sq_col_bool,
	.col_blob = sq_col_blob,
	.col_is_null = sq_col_is_null,
	.changes = sq_changes,
	.reset = sq_reset,
	.change_mark = sq_change_mark,
	.data_version = sq_data_version,
};
