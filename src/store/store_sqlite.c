/*
 * store_sqlite.c — the embedded SQLite backend (the default).
 *
 * One database file in WAL mode with synchronous=FULL: a commit returns only
 * once the WAL is on disk, so an answered debit survives a power cut. The
 * group-commit writer (services/writer.c) is the only thread that writes; any
 * number of threads read through their own connections, which WAL lets run
 * beside the writer. Connections are pooled; each keeps its prepared
 * statements so a hot query is parsed once per connection.
 */
#include "store/store_impl.h"
#include "store/schema_sqlite.h"
#include "store/store_sqlite_int.h"
#include "store/sqlite_sql.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>




struct sq_store {
	struct store base;
	pthread_mutex_t mu;
	struct sq_conn *idle;
	char *path;
};

static const struct store_ops sq_ops;

/* ---- helpers ----------------------------------------------------------- */

int
sq_err(sqlite3 *db, int rc, struct wl_error *err, const char *what)
{
	int ext = db != NULL ? sqlite3_extended_errcode(db) : rc;

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return wl_fail(err, WL_ECONFLICT, "%s: already exists", what);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return wl_fail(err, WL_EUNAVAILABLE, "%s: database busy", what);
	return wl_fail(err, WL_EINTERNAL, "%s: %s", what,
		       db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

sqlite3_stmt *
sq_stmt(struct sq_conn *c, enum stmt_id id, struct wl_error *err)
{
	sqlite3_stmt *st = c->stmt[id];
	int rc;

	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		sq_err(c->db, rc, err, "prepare");
		return NULL;
	}
	c->stmt[id] = st;
	return st;
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s != NULL ? s : "", -1, SQLITE_STATIC);
}

void
sq_col_copy(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

/* Runs a statement that returns no rows. */
int
sq_exec(struct sq_conn *c, sqlite3_stmt *st, struct wl_error *err, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_err(c->db, rc, err, what);
	return WL_OK;
}

static int
simple(struct sq_conn *c, enum stmt_id id, struct wl_error *err, const char *what)
{
	sqlite3_stmt *st = sq_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	return sq_exec(c, st, err, what);
}

/* ---- open, pool, migrations -------------------------------------------- */

static int
conn_open(struct sq_store *s, struct sq_conn **out, struct wl_error *err)
{
	struct sq_conn *c = calloc(1, sizeof(*c));
	char *msg = NULL;
	int rc;

	if (c == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	c->base.ops = &sq_ops;
	c->base.owner = &s->base;
	rc = sqlite3_open_v2(s->path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		wl_fail(err, WL_EINTERNAL, "cannot open database %s: %s", s->path,
			c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return err->code;
	}
	sqlite3_busy_timeout(c->db, 5000);
	rc = sqlite3_exec(c->db,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=MEMORY;",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		wl_fail(err, WL_EINTERNAL, "cannot configure database: %s", msg ? msg : "?");
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
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	free(c);
}

struct store *
store_sqlite_open(const char *path, struct wl_error *err)
{
	struct sq_store *s;
	struct sq_conn *c;

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
	s->base.ops = &sq_ops;
	s->base.kind = STORE_SQLITE;
	pthread_mutex_init(&s->mu, NULL);
	/* Created owner-only before SQLite opens it: SQLite gives the -wal and
	 * -shm files the database file's permissions. */
	if (strcmp(path, ":memory:") != 0) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

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

	while ((c = s->idle) != NULL) {
		s->idle = c->next;
		conn_free(c);
	}
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
	c->next = NULL;
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

static int
sq_migrate(struct store *base, struct wl_error *err)
{
	struct store_conn *bc = sq_acquire(base, err);
	struct sq_conn *c = (struct sq_conn *)bc;
	sqlite3_stmt *st = NULL;
	char *msg = NULL;
	int version = 0, rc;
	size_t i, n = sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0]);

	if (c == NULL)
		return err->code;
	rc = sqlite3_exec(c->db,
			  "BEGIN IMMEDIATE;"
			  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(c->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if ((size_t)version > n) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		sq_release(bc);
		return wl_fail(err, WL_EINTERNAL,
			       "database schema version %d is newer than this wlportal (%zu)",
			       version, n);
	}
	for (i = (size_t)version; i < n; i++) {
		char bump[96];

		rc = sqlite3_exec(c->db, sqlite_migrations[i], NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			goto fail;
		snprintf(bump, sizeof(bump), "DELETE FROM schema_version;"
			 "INSERT INTO schema_version VALUES (%zu);", i + 1);
		rc = sqlite3_exec(c->db, bump, NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			goto fail;
	}
	rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	sq_release(bc);
	return WL_OK;
fail:
	wl_fail(err, rc == SQLITE_BUSY ? WL_EUNAVAILABLE : WL_EINTERNAL, "migration failed: %s",
		msg != NULL ? msg : sqlite3_errmsg(c->db));
	sqlite3_free(msg);
	sqlite3_finalize(st);
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	sq_release(bc);
	return err->code;
}

/* ---- transactions ------------------------------------------------------- */

static int sq_begin(struct store_conn *b, struct wl_error *e) { return simple((struct sq_conn *)b, Q_BEGIN, e, "begin"); }
static int sq_commit(struct store_conn *b, struct wl_error *e) { return simple((struct sq_conn *)b, Q_COMMIT, e, "commit"); }
static int sq_savepoint(struct store_conn *b, struct wl_error *e) { return simple((struct sq_conn *)b, Q_SAVEPOINT, e, "savepoint"); }
static int sq_release_sp(struct store_conn *b, struct wl_error *e) { return simple((struct sq_conn *)b, Q_RELEASE, e, "release"); }

static void
sq_rollback(struct store_conn *b)
{
	struct sq_conn *c = (struct sq_conn *)b;
	struct wl_error e;

	if (!sqlite3_get_autocommit(c->db))
		simple(c, Q_ROLLBACK, &e, "rollback");
}

static int
sq_savepoint_rollback(struct store_conn *b, struct wl_error *err)
{
	int rc = simple((struct sq_conn *)b, Q_ROLLBACK_TO, err, "rollback to");

	if (rc == WL_OK)
		rc = simple((struct sq_conn *)b, Q_RELEASE, err, "release");
	return rc;
}

static bool sq_retryable(struct store_conn *b) { (void)b; return false; }

/* ---- organizations -------------------------------------------------------- */

static int
sq_org_insert(struct store_conn *b, const struct store_org *o, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_ORG_INSERT, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, o->id);
	sq_bind_text(st, 2, o->name);
	sq_bind_text(st, 3, o->parent_id);
	sqlite3_bind_int(st, 4, o->is_demo ? 1 : 0);
	sqlite3_bind_int64(st, 5, o->created_at);
	return sq_exec(c, st, err, "organization");
}

static int
sq_org_get(struct store_conn *b, const char *id, bool for_update, struct store_org *out,
	   struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_ORG_GET, err);
	int rc;

	(void)for_update; /* the single writer already excludes other writers */
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sq_col_copy(st, 0, out->id, sizeof(out->id));
		sq_col_copy(st, 1, out->name, sizeof(out->name));
		sq_col_copy(st, 2, out->parent_id, sizeof(out->parent_id));
		out->balance_seconds = sqlite3_column_int64(st, 3);
		out->is_demo = sqlite3_column_int(st, 4) != 0;
		out->created_at = sqlite3_column_int64(st, 5);
		sqlite3_reset(st);
		return WL_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_ENOTFOUND, "organization not found");
	return sq_err(c->db, rc, err, "organization");
}

static int
sq_org_add_balance(struct store_conn *b, const char *id, int64_t delta, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_ORG_ADD, err);
	struct store_org o;
	int rc;

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, delta);
	rc = sq_exec(c, st, err, "balance");
	if (rc != WL_OK)
		return rc;
	if (sqlite3_changes(c->db) == 1)
		return WL_OK;
	rc = sq_org_get(b, id, false, &o, err);
	if (rc != WL_OK)
		return rc;
	return wl_fail(err, WL_EINSUFFICIENT, "balance would go below zero");
}

int
sq_first_id(struct sq_conn *c, sqlite3_stmt *st, char out[WL_ID_LEN], struct wl_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		sq_col_copy(st, 0, out, WL_ID_LEN);
		sqlite3_reset(st);
		return WL_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_ENOTFOUND, "not found");
	return sq_err(c->db, rc, err, "lookup");
}

static int
sq_org_find_demo(struct store_conn *b, struct store_org *agency, struct store_org *client,
		 struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st;
	char id[WL_ID_LEN];
	int rc;

	if ((st = sq_stmt(c, Q_ORG_DEMO_AGENCY, err)) == NULL)
		return err->code;
	if ((rc = sq_first_id(c, st, id, err)) != WL_OK)
		return rc;
	if ((rc = sq_org_get(b, id, false, agency, err)) != WL_OK)
		return rc;
	if ((st = sq_stmt(c, Q_ORG_DEMO_CLIENT, err)) == NULL)
		return err->code;
	sq_bind_text(st, 1, agency->id);
	if ((rc = sq_first_id(c, st, id, err)) != WL_OK)
		return rc;
	return sq_org_get(b, id, false, client, err);
}

/* ---- users and keys ----------------------------------------------------- */

static int
sq_user_insert(struct store_conn *b, const struct store_user *u, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_USER_INSERT, err);
	int rc;

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, u->id);
	sq_bind_text(st, 2, u->org_id);
	sq_bind_text(st, 3, u->email);
	sq_bind_text(st, 4, u->password_hash);
	sqlite3_bind_int64(st, 5, u->created_at);
	rc = sq_exec(c, st, err, "user");
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "e-mail address already in use");
	return rc;
}

static int
sq_apikey_insert(struct store_conn *b, const char *id, const char *org_id,
		 const unsigned char *hash, const char *label, int64_t created_at,
		 struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_KEY_INSERT, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, id);
	sq_bind_text(st, 2, org_id);
	sqlite3_bind_blob(st, 3, hash, WL_KEY_HASH_LEN, SQLITE_STATIC);
	sq_bind_text(st, 4, label);
	sqlite3_bind_int64(st, 5, created_at);
	return sq_exec(c, st, err, "api key");
}

static int
sq_apikey_lookup(struct store_conn *b, const unsigned char *hash, char *org_id,
		 struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_KEY_LOOKUP, err);
	int rc;

	if (st == NULL)
		return err->code;
	sqlite3_bind_blob(st, 1, hash, WL_KEY_HASH_LEN, SQLITE_STATIC);
	rc = sq_first_id(c, st, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_EUNAUTHORIZED, "Invalid API key");
	return rc;
}

static int
sq_apikey_revoke_label(struct store_conn *b, const char *org_id, const char *label, int64_t now,
		       struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_KEY_REVOKE, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, org_id);
	sq_bind_text(st, 2, label);
	sqlite3_bind_int64(st, 3, now);
	return sq_exec(c, st, err, "api key");
}

/* ---- ledger ----------------------------------------------------------------- */

static int
sq_ledger_insert(struct store_conn *b, const struct store_entry *e, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_LEDGER_INSERT, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, e->org_id);
	sqlite3_bind_int64(st, 2, e->delta_seconds);
	sq_bind_text(st, 3, e->kind);
	sq_bind_text(st, 4, e->reference);
	sq_bind_text(st, 5, e->description);
	sqlite3_bind_int64(st, 6, e->created_at);
	return sq_exec(c, st, err, "ledger entry");
}

static int
sq_audit(struct store_conn *b, void (*mismatch)(const struct store_audit_row *, void *), void *arg,
	 int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_AUDIT, err);
	struct store_audit_row row;
	int rc;

	if (st == NULL)
		return err->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sq_col_copy(st, 0, row.org_id, sizeof(row.org_id));
		row.balance_seconds = sqlite3_column_int64(st, 1);
		row.entries_sum = sqlite3_column_int64(st, 2);
		mismatch(&row, arg);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_err(c->db, rc, err, "audit");
	if ((st = sq_stmt(c, Q_AUDIT_COUNT, err)) == NULL)
		return err->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*orgs = sqlite3_column_int64(st, 0);
		*entries = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? WL_OK : sq_err(c->db, rc, err, "audit");
}

/* ---- calls and usage ------------------------------------------------------- */

void
sq_read_call(sqlite3_stmt *st, struct store_call *o)
{
	sq_col_copy(st, 0, o->id, sizeof(o->id));
	sq_col_copy(st, 1, o->org_id, sizeof(o->org_id));
	sq_col_copy(st, 2, o->billed_org_id, sizeof(o->billed_org_id));
	sq_col_copy(st, 3, o->direction, sizeof(o->direction));
	sq_col_copy(st, 4, o->status, sizeof(o->status));
	sq_col_copy(st, 5, o->from_number, sizeof(o->from_number));
	sq_col_copy(st, 6, o->to_number, sizeof(o->to_number));
	sq_col_copy(st, 7, o->number_id, sizeof(o->number_id));
	sq_col_copy(st, 8, o->agent_id, sizeof(o->agent_id));
	o->elapsed_sec = sqlite3_column_int64(st, 9);
	o->billed_seconds = sqlite3_column_int64(st, 10);
	o->cut_off = sqlite3_column_int(st, 11) != 0;
	sq_col_copy(st, 12, o->ended_reason, sizeof(o->ended_reason));
	o->created_at = sqlite3_column_int64(st, 13);
	o->ended_at = sqlite3_column_int64(st, 14);
	o->last_event_at = sqlite3_column_int64(st, 15);
}

static int
sq_call_insert(struct store_conn *b, const struct store_call *o, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_CALL_INSERT, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, o->id);
	sq_bind_text(st, 2, o->org_id);
	sq_bind_text(st, 3, o->billed_org_id);
	sq_bind_text(st, 4, o->direction);
	sq_bind_text(st, 5, o->status);
	sq_bind_text(st, 6, o->from_number);
	sq_bind_text(st, 7, o->to_number);
	sq_bind_text(st, 8, o->number_id);
	sq_bind_text(st, 9, o->agent_id);
	sqlite3_bind_int64(st, 10, o->elapsed_sec);
	sqlite3_bind_int64(st, 11, o->billed_seconds);
	sqlite3_bind_int(st, 12, o->cut_off ? 1 : 0);
	sq_bind_text(st, 13, o->ended_reason);
	sqlite3_bind_int64(st, 14, o->created_at);
	sqlite3_bind_int64(st, 15, o->ended_at);
	sqlite3_bind_int64(st, 16, o->last_event_at);
	return sq_exec(c, st, err, "call");
}

static int
sq_call_get(struct store_conn *b, const char *id, bool for_update, struct store_call *out,
	    struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_CALL_GET, err);
	int rc;

	(void)for_update;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sq_read_call(st, out);
		sqlite3_reset(st);
		return WL_OK;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_ENOTFOUND, "call not found");
	return sq_err(c->db, rc, err, "call");
}

static int
sq_call_update(struct store_conn *b, const struct store_call *o, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_CALL_UPDATE, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, o->id);
	sq_bind_text(st, 2, o->status);
	sqlite3_bind_int64(st, 3, o->elapsed_sec);
	sqlite3_bind_int64(st, 4, o->billed_seconds);
	sqlite3_bind_int(st, 5, o->cut_off ? 1 : 0);
	sq_bind_text(st, 6, o->ended_reason);
	sqlite3_bind_int64(st, 7, o->ended_at);
	sqlite3_bind_int64(st, 8, o->last_event_at);
	return sq_exec(c, st, err, "call");
}

static int
sq_call_list(struct store_conn *b, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	     int limit, struct store_call *out, int *n, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	sqlite3_stmt *st = sq_stmt(c, after ? Q_CALL_LIST_AFTER : Q_CALL_LIST, err);
	int rc;

	*n = 0;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, org_id);
	sqlite3_bind_int(st, 2, limit);
	if (after) {
		sqlite3_bind_int64(st, 3, cursor_ms);
		sq_bind_text(st, 4, cursor_id);
	}
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		sq_read_call(st, &out[(*n)++]);
	if (*n >= limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "calls");
}

static int
sq_number_org(struct store_conn *b, const char *number_id, char *org_id, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_NUMBER_EXISTS, err);
	int rc;

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, number_id);
	rc = sq_first_id(c, st, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_ENOTFOUND, "phone number not found");
	return rc;
}

static int
sq_usage_insert(struct store_conn *b, const struct store_usage *u, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_USAGE_INSERT, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, u->id);
	sq_bind_text(st, 2, u->org_id);
	sq_bind_text(st, 3, u->billed_org_id);
	sq_bind_text(st, 4, u->call_id);
	sqlite3_bind_int64(st, 5, u->duration_sec);
	sq_bind_text(st, 6, u->number_id);
	sqlite3_bind_int64(st, 7, u->created_at);
	return sq_exec(c, st, err, "usage");
}

static int
sq_usage_list(struct store_conn *b, const struct store_usage_query *q, int64_t cursor_ms,
	      const char *cursor_id, int limit, struct store_usage *out, int *n,
	      struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, q->by_billed_org ? Q_USAGE_LIST_BILLED : Q_USAGE_LIST_ORG, err);
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	int rc;

	*n = 0;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, q->org_id);
	sqlite3_bind_int64(st, 2, q->from_ms);
	sqlite3_bind_int64(st, 3, q->to_ms);
	/* Without a cursor, start before every row: (from - 1, ""). */
	sqlite3_bind_int64(st, 4, after ? cursor_ms : q->from_ms - 1);
	sq_bind_text(st, 5, after ? cursor_id : "");
	sqlite3_bind_int(st, 6, limit);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_usage *u = &out[(*n)++];

		sq_col_copy(st, 0, u->id, sizeof(u->id));
		sq_col_copy(st, 1, u->org_id, sizeof(u->org_id));
		sq_col_copy(st, 2, u->billed_org_id, sizeof(u->billed_org_id));
		sq_col_copy(st, 3, u->call_id, sizeof(u->call_id));
		u->duration_sec = sqlite3_column_int64(st, 4);
		sq_col_copy(st, 5, u->number_id, sizeof(u->number_id));
		u->created_at = sqlite3_column_int64(st, 6);
	}
	if (*n >= limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "usage");
}

static int
sq_usage_sum(struct store_conn *b, const struct store_usage_query *q, int64_t *total_seconds,
	     int64_t *rows, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, q->by_billed_org ? Q_USAGE_SUM_BILLED : Q_USAGE_SUM_ORG, err);
	int rc;

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, q->org_id);
	sqlite3_bind_int64(st, 2, q->from_ms);
	sqlite3_bind_int64(st, 3, q->to_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*total_seconds = sqlite3_column_int64(st, 0);
		*rows = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? WL_OK : sq_err(c->db, rc, err, "usage");
}

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.migrate = sq_migrate,
	.acquire = sq_acquire,
	.release = sq_release,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.savepoint = sq_savepoint,
	.savepoint_release = sq_release_sp,
	.savepoint_rollback = sq_savepoint_rollback,
	.retryable = sq_retryable,
	.org_insert = sq_org_insert,
	.org_get = sq_org_get,
	.org_add_balance = sq_org_add_balance,
	.org_find_demo = sq_org_find_demo,
	.user_insert = sq_user_insert,
	.apikey_insert = sq_apikey_insert,
	.apikey_lookup = sq_apikey_lookup,
	.apikey_revoke_label = sq_apikey_revoke_label,
	.ledger_insert = sq_ledger_insert,
	.audit = sq_audit,
	.call_insert = sq_call_insert,
	.call_get = sq_call_get,
	.call_update = sq_call_update,
	.call_list = sq_call_list,
	.number_org = sq_number_org,
	.usage_insert = sq_usage_insert,
	.call_stale = sq_call_stale,
	.reconcile = sq_reconcile,
	.idem_claim = sq_idem_claim,
	.meta_get = sq_meta_get,
	.meta_put_once = sq_meta_put_once,
	.sealed_sample = sq_sealed_sample,
	.usage_list = sq_usage_list,
	.usage_sum = sq_usage_sum,
	.wl_get = sq_wl_get,
	.wl_put = sq_wl_put,
	.wl_find = sq_wl_find,
	.slug_owner = sq_slug_owner,
	.wl_domains = sq_wl_domains,
	.user_get = sq_user_get,
	.user_by_email = sq_user_by_email,
	.client_users = sq_client_users,
	.org_children = sq_org_children,
	.session_insert = sq_session_insert,
	.session_get = sq_session_get,
	.session_delete = sq_session_delete,
	.login_get = sq_login_get,
	.login_add = sq_login_add,
	.login_clear = sq_login_clear,
	.login_purge = sq_login_purge,
};
