/*
 * store.h — the storage interface. This is the only door to the database:
 * services call these functions and never see SQL, and they do not know
 * whether SQLite or PostgreSQL answers. Each operation is written once
 * (orgs.c, ledger_ops.c, calls.c, whitelabel.c, sessions.c, meta.c) over
 * a thin driver per database (db.h: db_sqlite.c, db_pg.c); the SQL of both
 * dialects is in statements*.c.
 *
 * Model: a `struct store` is a backend with a pool of connections. A thread
 * borrows a `struct store_conn` with store_acquire and gives it back with
 * store_release. Writes happen only inside a transaction opened by the
 * group-commit writer (services/writer.c) with store_begin/store_commit and
 * one savepoint per job.
 *
 * Times are unix milliseconds (int64). Balances and durations are integer
 * seconds. Ids are lowercase UUID strings.
 */
#ifndef WL_STORE_H
#define WL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/model.h"


struct store;
struct store_conn;

enum store_kind { STORE_SQLITE, STORE_POSTGRES };

struct store *store_open(const char *url, struct wl_error *err);
void store_close(struct store *s);
/* A serving process: SQLite's WAL checkpoints on a thread of their own, not
 * in the writer's commits (sq_checkpoint.c); nothing on PostgreSQL. Before
 * the store's connections are used by several threads. */
void store_background_checkpoints(struct store *s);
enum store_kind store_kind(const struct store *s);
/* Creates or updates the schema (versioned, idempotent). */
int store_migrate(struct store *s, struct wl_error *err);

struct store_conn *store_acquire(struct store *s, struct wl_error *err);
void store_release(struct store_conn *c);
/* While on, store_acquire on the calling thread fails (WL_EINTERNAL): the
 * server turns it on around a write's finish, which must never query. */
void store_forbid_acquire(bool on);

/* Write transaction (exclusive writer). */
int store_begin(struct store_conn *c, struct wl_error *err);
int store_commit(struct store_conn *c, struct wl_error *err);
void store_rollback(struct store_conn *c);
int store_savepoint(struct store_conn *c, struct wl_error *err);
int store_savepoint_release(struct store_conn *c, struct wl_error *err);
/* Undoes everything since store_savepoint and ends the savepoint; an error
 * means the savepoint could not be undone: the transaction must not commit. */
int store_savepoint_rollback(struct store_conn *c, struct wl_error *err);
/* True when the last failure was a transient conflict (serialization failure
 * or deadlock) after which the whole transaction should be retried. */
bool store_retryable(struct store_conn *c);
/* The writer's connection remembers the org rows a transaction locked (the
 * balances kept current) until the transaction or a savepoint rolls back,
 * so a batch reads each org once (store/batch.c). */
void store_batch_cache(struct store_conn *c, bool on);
/* The rows a batch's jobs are going to lock, in any order, repeats allowed:
 * the agencies (the jobs' order keys), the orgs and the calls. */
struct store_batch_rows {
	const char *const *agencies;
	int nagencies;
	const char *const *orgs;
	int norgs;
	const char *const *calls;
	int ncalls;
};
/* PostgreSQL: locks them all in one statement — agencies, then orgs, then
 * calls, each kind by id: the order every job locks in — and remembers
 * them for the transaction, so the jobs' locking reads need no round trip.
 * Nothing to do on SQLite (the writer holds the database's lock) or on a
 * connection without a cache. */
int store_batch_lock(struct store_conn *c, const struct store_batch_rows *rows,
		     struct wl_error *err);
/* How many times the connection waited for its database's answer. */
uint64_t store_round_trips(struct store_conn *c);
/* Statements this connection ran (the writer's, for /metrics). */
uint64_t store_statements(struct store_conn *c);
/* UPDATEs of an org's balance this connection sent (deferred ones: one per
 * org and batch on PostgreSQL, store/batch.c). */
uint64_t store_balance_writes(struct store_conn *c);
/* A value that moves whenever a statement changes rows or spoils the
 * transaction; store_unchanged_since(c, mark) is true when neither happened
 * since the mark and the transaction is still open (a job without a
 * savepoint that failed may then leave the batch as it is). */
uint64_t store_change_mark(struct store_conn *c);
bool store_unchanged_since(struct store_conn *c, uint64_t mark);
/* PostgreSQL: the next transaction sends its statements without waiting for
 * each one's result (libpq pipeline mode) wherever nothing is read back;
 * their failures show at COMMIT. Elsewhere it does nothing. */
int store_pipeline(struct store_conn *c, bool on, struct wl_error *err);
/* After a failed COMMIT: true when a pipelined statement had failed first
 * (the transaction was lost before COMMIT, nothing of it committed). */
bool store_pipeline_failed(struct store_conn *c);
/* That failure itself (its code and the database's reason), or NULL. */
const struct wl_error *store_pipeline_error(struct store_conn *c);

/* ---- organizations ---------------------------------------------------- */

int store_org_insert(struct store_conn *c, const struct store_org *org, struct wl_error *err);
/* WL_ENOTFOUND when absent. With for_update, PostgreSQL locks the row until
 * the transaction ends (SQLite's single writer needs no lock). */
int store_org_get(struct store_conn *c, const char *id, bool for_update, struct store_org *out,
		  struct wl_error *err);
/* balance += delta, refused with WL_EINSUFFICIENT when it would go below zero. */
int store_org_add_balance(struct store_conn *c, const char *id, int64_t delta,
			  struct wl_error *err);
/* The demo agency and its demo client, WL_ENOTFOUND when none was made. */
int store_org_find_demo(struct store_conn *c, struct store_org *agency, struct store_org *client,
			struct wl_error *err);

/* ---- users and API keys ---------------------------------------------- */

/* WL_ECONFLICT when the e-mail is taken. */
int store_user_insert(struct store_conn *c, const struct store_user *u, struct wl_error *err);

#define WL_KEY_HASH_LEN 32
int store_apikey_insert(struct store_conn *c, const char *id, const char *org_id,
			const unsigned char hash[WL_KEY_HASH_LEN], const char *label,
			int64_t created_at, struct wl_error *err);
/* The org of an unrevoked key with this hash, WL_EUNAUTHORIZED if none. */
int store_apikey_lookup(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			char org_id[WL_ID_LEN], struct wl_error *err);
int store_apikey_revoke_label(struct store_conn *c, const char *org_id, const char *label,
			      int64_t now, struct wl_error *err);

/* ---- ledger ------------------------------------------------------------ */

struct store_entry {
	const char *org_id;
	int64_t delta_seconds;
	const char *kind;
	const char *reference; /* idempotency key, unique per org */
	const char *description;
	int64_t created_at;
};

/* WL_ECONFLICT when (org, reference) exists already: the caller treats it as
 * "already applied". */
int store_ledger_insert(struct store_conn *c, const struct store_entry *e, struct wl_error *err);

/* The entry and its balance change together: WL_OK, WL_ECONFLICT when the
 * (org, reference) exists already (nothing changed), WL_EINSUFFICIENT when
 * the balance would go below zero (nothing written when the writer's
 * transaction already locked the org; otherwise the entry may be written:
 * the caller's job fails and its savepoint removes it). One round trip
 * where the backend can. */
int store_ledger_apply(struct store_conn *c, const struct store_entry *e, struct wl_error *err);
/* The same for a change the caller knows to be new and covered (reference
 * never used, balance read under lock in this transaction): one statement
 * that PostgreSQL's pipeline sends without waiting. A duplicate or an
 * overdraft is then a failure of the batch, not an answer. */
int store_ledger_apply_known(struct store_conn *c, const struct store_entry *e,
			     struct wl_error *err);
/* Two of them on two different orgs: one statement where the backend has
 * one (PostgreSQL), else one after the other. */
int store_ledger_apply_known_pair(struct store_conn *c, const struct store_entry *a,
				  const struct store_entry *b, struct wl_error *err);

struct store_audit_row {
	char org_id[WL_ID_LEN];
	int64_t balance_seconds;
	int64_t entries_sum;
};
/* Calls `mismatch` for each org whose balance differs from the sum of its
 * entries; counts orgs and entries. */
int store_audit(struct store_conn *c,
		void (*mismatch)(const struct store_audit_row *row, void *arg), void *arg,
		int64_t *orgs, int64_t *entries, struct wl_error *err);

/* A reference written more than once for one org (the audit: a call's
 * debits are not in the unique index, migration 16). */
struct store_audit_ref {
	char org_id[WL_ID_LEN];
	char reference[WL_REF_MAX + 1];
	int64_t copies;
};
/* Calls `repeated` for each (org, reference) of a call's debits written
 * more than once. */
int store_audit_refs(struct store_conn *c,
		     void (*repeated)(const struct store_audit_ref *row, void *arg), void *arg,
		     struct wl_error *err);

/* ---- calls and usage --------------------------------------------------- */

int store_call_insert(struct store_conn *c, const struct store_call *call, struct wl_error *err);
int store_call_get(struct store_conn *c, const char *id, bool for_update, struct store_call *out,
		   struct wl_error *err);
/* Writes status, elapsed, billed, cut_off, ended_reason, ended_at, last_event_at. */
int store_call_update(struct store_conn *c, const struct store_call *call, struct wl_error *err);
/* The same call with only its elapsed and billed seconds, cut-off and last
 * event changed (status, reason and end as they were). */
int store_call_tick(struct store_conn *c, const struct store_call *call, struct wl_error *err);
/* Newest first; after (cursor_ms, cursor_id) when cursor_id is non-empty.
 * Fills up to `limit` rows into out; *n = rows written. */
int store_call_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		    const char *cursor_id, int limit, struct store_call *out, int *n,
		    struct wl_error *err);
/* The org owning a phone number, WL_ENOTFOUND if none. */
int store_number_org(struct store_conn *c, const char *number_id, char org_id[WL_ID_LEN],
		     struct wl_error *err);

/* The row and its day's totals (store_usage_days_add), in the caller's transaction. */
int store_usage_insert(struct store_conn *c, const struct store_usage *u, struct wl_error *err);

/* Open calls (queued, ringing, in-progress) whose last event is older than
 * before_ms, oldest first: up to `limit` of them into out, *n of them. */
int store_call_stale(struct store_conn *c, int64_t before_ms, int limit, struct store_call *out,
		     int *n, struct wl_error *err);

/* Reconciliation of calls with usage, read in one snapshot: `unsettled`
 * for each ended call without a usage row, `stale` for each open call
 * whose last event is older than stale_before_ms. *calls = calls read. */
struct store_recon_hooks {
	void (*unsettled)(const struct store_call *call, void *arg);
	void (*stale)(const struct store_call *call, void *arg);
	void *arg;
};
int store_reconcile(struct store_conn *c, int64_t stale_before_ms,
		    const struct store_recon_hooks *hooks, int64_t *calls, struct wl_error *err);

struct store_usage_query {
	const char *org_id;
	bool by_billed_org; /* a parent sees what its minutes paid (own + children) */
	int64_t from_ms;    /* inclusive */
	int64_t to_ms;      /* exclusive */
};
/* Oldest first, after (cursor_ms, cursor_id) when cursor_id is non-empty. */
int store_usage_list(struct store_conn *c, const struct store_usage_query *q, int64_t cursor_ms,
		     const char *cursor_id, int limit, struct store_usage *out, int *n,
		     struct wl_error *err);
/* Seconds and rows of the range, read from the daily totals for its whole
 * UTC days and from the rows for the rest (a cost that does not grow with
 * the history); the same answer as summing the rows. */
int store_usage_sum(struct store_conn *c, const struct store_usage_query *q, int64_t *total_seconds,
		    int64_t *rows, struct wl_error *err);
/* A usage row with the name of the org whose call it was (the export). */
struct store_usage_line {
	struct store_usage u;
	char org_name[WL_NAME_MAX + 1];
};
/* Like store_usage_list, strictly after the key (after_ms, after_id) when
 * after_id is non-empty: up to `limit` rows into out, *n of them. */
int store_usage_export(struct store_conn *c, const struct store_usage_query *q, int64_t after_ms,
		       const char *after_id, int limit, struct store_usage_line *out, int *n,
		       struct wl_error *err);
/* The daily totals of UTC days [first_day, last_day] of what org_id used
 * (by_billed false) or paid for (true), by day; days without calls are
 * absent. Up to `limit` days into out, *n of them. */
struct store_usage_day {
	int64_t day; /* days since 1970-01-01, UTC */
	int64_t seconds;
	int64_t calls;
};
int store_usage_days(struct store_conn *c, const char *org_id, bool by_billed, int64_t first_day,
		     int64_t last_day, int limit, struct store_usage_day *out, int *n,
		     struct wl_error *err);
/* Adds `calls` usage rows of `seconds` in all on UTC `day` to the daily
 * totals of org_id and of billed_org_id (store_usage_insert does it for its
 * row; a bulk writer that inserts rows itself adds them per day). */
int store_usage_days_add(struct store_conn *c, const char *org_id, const char *billed_org_id,
			 int64_t day, int64_t seconds, int64_t calls, struct wl_error *err);

/* A day whose totals differ from its usage rows (the audit). */
struct store_days_row {
	char org_id[WL_ID_LEN];
	bool by_billed; /* the totals of what org_id paid, else of what it used */
	int64_t day;    /* days since 1970-01-01, UTC */
	int64_t total_seconds, total_calls; /* as the totals say */
	int64_t rows_seconds, rows_calls;   /* as the usage rows say */
};
/* Calls `differs` for every such day, read in one snapshot. */
int store_audit_usage_days(struct store_conn *c,
			   void (*differs)(const struct store_days_row *, void *), void *arg,
			   struct wl_error *err);

/* ---- bulk writes (bulk.c): seeded history ---------------------------------- */

/* One ended call as the live path leaves it: the call, its ledger entries
 * (the org's debit, and the agency's for a client's call), its usage row. */
struct store_ended_call {
	struct store_call call;
	struct store_usage usage;
	struct store_entry entries[2];
	int n_entries;
	char reference[WL_REF_MAX + 1]; /* storage for the entries' reference */
};

struct store_bulk {
	int n; /* calls in this transaction */
	/* Fills call i (0..n-1) into *out (zeroed); called once each, in order. */
	void (*next)(int i, struct store_ended_call *out, void *arg);
	void *arg;
	const char *payers[2]; /* balances to change first, in this order */
	int n_payers;
	int64_t payer_delta; /* added to each payer (negative: the calls' seconds) */
};

/* Writes b->n ended calls, their usage rows, daily totals and ledger
 * entries, and the payers' balances, in one transaction; on any failure
 * nothing (WL_EINSUFFICIENT when a balance cannot pay, WL_ECONFLICT when an
 * id or a ledger reference exists already). */
int store_bulk_ended_calls(struct store_conn *c, const struct store_bulk *b, struct wl_error *err);

/* ---- idempotent requests and installation values ------------------------ */

#define WL_FINGERPRINT_LEN 65 /* hex SHA-256 + NUL */

/* Records the fingerprint of the request behind (scope, key) the first time
 * the key is seen. WL_OK when it is new or was recorded with the same
 * fingerprint; WL_ECONFLICT when the key was used for a different request. */
int store_idem_claim(struct store_conn *c, const char *scope, const char *key,
		     const char *fingerprint, int64_t now, struct wl_error *err);

/* A named value of the installation; WL_ENOTFOUND when unset. */
int store_meta_get(struct store_conn *c, const char *name, char *out, size_t n,
		   struct wl_error *err);
/* Sets the value unless the name has one already (then nothing changes). */
int store_meta_put_once(struct store_conn *c, const char *name, const char *value,
			struct wl_error *err);
/* One sealed secret stored in the database (any), WL_ENOTFOUND when none. */
int store_sealed_sample(struct store_conn *c, char *out, size_t n, struct wl_error *err);

/* ---- whitelabel ---------------------------------------------------------- */

/* WL_ENOTFOUND when the org has never saved settings. */
int store_wl_get(struct store_conn *c, const char *org_id, bool for_update,
		 struct store_whitelabel *out, struct wl_error *err);
/* Insert or replace; WL_ECONFLICT when the slug or domain belongs to another
 * org, or when the slug was ever used by another org. Every slug an org
 * sets is kept in its slug history, so it stays reserved to that org after
 * it moves on to another. */
int store_wl_put(struct store_conn *c, const struct store_whitelabel *wl, struct wl_error *err);
/* By current slug (domain NULL) or by custom domain (slug NULL). */
int store_wl_find(struct store_conn *c, const char *slug, const char *domain,
		  struct store_whitelabel *out, struct wl_error *err);
/* The org that uses or once used this slug, WL_ENOTFOUND if none ever did. */
int store_slug_owner(struct store_conn *c, const char *slug, char org_id[WL_ID_LEN],
		     struct wl_error *err);
/* Settings with a custom domain, by org id after after_org_id ("" = from the
 * start); up to limit rows into out, *n = rows written. */
int store_wl_domains(struct store_conn *c, const char *after_org_id, int limit,
		     struct store_whitelabel *out, int *n, struct wl_error *err);

/* ---- users of an agency's client orgs, sessions, rate limits --------------- */

int store_user_get(struct store_conn *c, const char *user_id, struct store_user *out,
		   struct wl_error *err);
int store_user_by_email(struct store_conn *c, const char *email, struct store_user *out,
			struct wl_error *err);
/* Users of the child orgs of parent_id, oldest first, after the cursor. */
int store_client_users(struct store_conn *c, const char *parent_id, int64_t cursor_ms,
		       const char *cursor_id, int limit, struct store_client_user *out, int *n,
		       struct wl_error *err);
/* Child orgs of parent_id by name (the organization switcher). */
int store_org_children(struct store_conn *c, const char *parent_id, int limit,
		       struct store_org *out, int *n, struct wl_error *err);

int store_session_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			 const struct store_session *s, struct wl_error *err);
/* WL_EUNAUTHORIZED when absent or expired at `now`. */
int store_session_get(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN], int64_t now,
		      struct store_session *out, struct wl_error *err);
int store_session_delete(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			 struct wl_error *err);

/* ---- failed log-in attempts (services/sessions.c says what they mean) ---- */

struct store_login_failures {
	int64_t failures;
	int64_t last_failed_at; /* 0 when none */
};

/* The failures counted under bucket (zeros when none). On PostgreSQL the
 * row, if any, stays locked until the transaction ends. */
int store_login_failures_get(struct store_conn *c, const char *bucket,
			     struct store_login_failures *out, struct wl_error *err);
/* failures += delta, never below zero, counting from zero again when the
 * last failure was before forget_before; last_failed_at = now when delta > 0. */
int store_login_failures_add(struct store_conn *c, const char *bucket, int64_t delta, int64_t now,
			     int64_t forget_before, struct wl_error *err);
int store_login_failures_clear(struct store_conn *c, const char *bucket, struct wl_error *err);
/* Forgets every bucket whose last failure was before `before`. */
int store_login_failures_purge(struct store_conn *c, int64_t before, struct wl_error *err);

/* ---- the client portal (portal.c): its users, sessions, mailed tokens ---- */

struct store_portal_user {
	struct store_user user;
	int64_t verified_at;       /* 0 = address not verified */
	int64_t last_login_at;     /* 0 = never */
	char agency_id[WL_ID_LEN]; /* the org's parent, "" for a top-level org */
};

/* WL_ENOTFOUND when absent. */
int store_portal_user_get(struct store_conn *c, const char *user_id, struct store_portal_user *out,
			  struct wl_error *err);
int store_portal_user_by_email(struct store_conn *c, const char *email,
			       struct store_portal_user *out, struct wl_error *err);
/* Sets verified_at once (later calls change nothing). */
int store_portal_user_verified(struct store_conn *c, const char *user_id, int64_t now,
			       struct wl_error *err);
int store_portal_user_login(struct store_conn *c, const char *user_id, int64_t now,
			    struct wl_error *err);
int store_portal_user_password(struct store_conn *c, const char *user_id, const char *hash,
			       struct wl_error *err);

struct store_portal_session {
	char user_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];    /* the client org */
	char agency_id[WL_ID_LEN]; /* the portal's agency */
	char csrf_token[64];
	int64_t created_at;
	int64_t expires_at;
};

/* Also forgets the sessions expired at s->created_at. */
int store_portal_session_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
				const struct store_portal_session *s, struct wl_error *err);
/* WL_EUNAUTHORIZED when absent or expired at `now`. */
int store_portal_session_get(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			     int64_t now, struct store_portal_session *out, struct wl_error *err);
int store_portal_session_delete(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
				struct wl_error *err);
/* Ends every session of user_id except the one with hash `keep`. */
int store_portal_sessions_end(struct store_conn *c, const char *user_id,
			      const unsigned char keep[WL_KEY_HASH_LEN], struct wl_error *err);

/* Single-use tokens sent by mail, by purpose "verify" or "reset". */
int store_portal_token_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			      const char *purpose, const char *user_id, int64_t now,
			      int64_t expires_at, struct wl_error *err);
/* *n = tokens of user_id and purpose made after `since` (a mail's rate). */
int store_portal_tokens_recent(struct store_conn *c, const char *user_id, const char *purpose,
			       int64_t since, int64_t *n, struct wl_error *err);
/* Uses the token (and every other unused one of its user and purpose):
 * *user_id gets its user. WL_ENOTFOUND when unknown, used, or expired at now. */
int store_portal_token_use(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			   const char *purpose, int64_t now, char user_id[WL_ID_LEN],
			   struct wl_error *err);

struct store_apikey_row {
	char id[WL_ID_LEN];
	char label[WL_NAME_MAX + 1];
	int64_t created_at;
	int64_t last_used_at; /* 0 = never */
	int64_t revoked_at;   /* 0 = active */
};

/* An org's keys, newest first. */
int store_apikey_list(struct store_conn *c, const char *org_id, int limit,
		      struct store_apikey_row *out, int *n, struct wl_error *err);
/* WL_ENOTFOUND when the org has no such active key. */
int store_apikey_revoke(struct store_conn *c, const char *org_id, const char *key_id, int64_t now,
			struct wl_error *err);
int store_apikey_count_active(struct store_conn *c, const char *org_id, int64_t *n,
			      struct wl_error *err);
/* An unrevoked key (by its hash) and its org; with usage (from_ms and
 * to_ms; org_id and by_billed_org are not read: the key org's own, as
 * accounts_view counts them) also that org's usage seconds of the range,
 * from the same statement. WL_EUNAUTHORIZED when there is no such key. */
struct store_key_org {
	struct store_org org;
	char key_id[WL_ID_LEN];
	int64_t last_used_at;
	int64_t usage_seconds; /* 0 without usage */
};
int store_apikey_org(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		     const struct store_usage_query *usage, struct store_key_org *out,
		     struct wl_error *err);
/* An org's keys, newest first, after (cursor_ms, cursor_id) unless cursor_id is "". */
/* store_apikey_org with the month's usage for n keys (n <= STORE_KEYS_MAX)
 * in one statement where the database has one (PostgreSQL), else one by
 * one: found[i] says whether hashes[i] is an unrevoked key, out[i] its row. */
#define STORE_KEYS_MAX 64
int store_apikey_orgs(struct store_conn *c, int n, const unsigned char (*hashes)[WL_KEY_HASH_LEN],
		      const struct store_usage_query *usage, struct store_key_org *out, bool *found,
		      struct wl_error *err);
/* Lookups this connection answered from memory (store/keycache.c): tests. */
uint64_t store_keycache_hits(struct store_conn *c);
/* The data versions this connection read for it: without a lock (SQLite's
 * WAL-index header) and by a statement (PRAGMA data_version): tests. */
void store_version_reads(struct store_conn *c, uint64_t *lock_free, uint64_t *by_statement);
int store_apikey_page(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		      const char *cursor_id, int limit, struct store_apikey_row *out, int *n,
		      struct wl_error *err);
/* One key of the org (revoked or not), WL_ENOTFOUND otherwise. */
int store_apikey_get(struct store_conn *c, const char *org_id, const char *key_id,
		     struct store_apikey_row *out, struct wl_error *err);
/* last_used_at = now, unless it is already at or after not_before. */
int store_apikey_touch(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN], int64_t now,
		       int64_t not_before, struct wl_error *err);

struct store_ledger_row {
	int64_t delta_seconds;
	char kind[32];
	char reference[WL_REF_MAX + 1];
	char description[WL_DESC_MAX + 1];
	int64_t created_at;
};

/* An org's ledger entries, newest first. */
int store_ledger_list(struct store_conn *c, const char *org_id, int limit,
		      struct store_ledger_row *out, int *n, struct wl_error *err);

/* ---- the e-mail outbox (mail.c) ------------------------------------------- */

struct store_mail {
	char id[WL_ID_LEN];
	char agency_id[WL_ID_LEN];
	char kind[24]; /* verify, reset, purchase, … */
	char to_addr[WL_EMAIL_MAX + 1];
	char from_name[WL_NAME_MAX + 1];
	char subject[256];
	char *body_sealed;       /* secrets_seal() text; read: caller's buffer */
	size_t body_sealed_size; /* read: size of body_sealed */
	char status[12];         /* queued, sent, failed */
	int64_t attempts;
};

int store_mail_insert(struct store_conn *c, const struct store_mail *m, int64_t now,
		      struct wl_error *err);
/* Ids of queued mails due at now, oldest first. */
int store_mail_due(struct store_conn *c, int64_t now, int limit, char (*ids)[WL_ID_LEN], int *n,
		   struct wl_error *err);
/* Claims a due mail until lease_until: WL_ENOTFOUND when it is no longer
 * due (sent, or claimed by another sender). */
int store_mail_claim(struct store_conn *c, const char *id, int64_t now, int64_t lease_until,
		     struct wl_error *err);
int store_mail_get(struct store_conn *c, const char *id, struct store_mail *out,
		   struct wl_error *err);
int store_mail_sent(struct store_conn *c, const char *id, int64_t now, struct wl_error *err);
int store_mail_retry(struct store_conn *c, const char *id, int64_t next_at, const char *error,
		     struct wl_error *err);
int store_mail_failed(struct store_conn *c, const char *id, const char *error,
		      struct wl_error *err);
/* ---- Stripe purchases and the Stripe events log (purchases.c) ------------- */

#define WL_STRIPE_ID_MAX 200 /* the longest Stripe id wlportal stores */

struct store_purchase {
	char id[WL_ID_LEN];
	char agency_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];                /* the client org credited */
	char user_id[WL_ID_LEN];               /* "" when the session named none */
	char session_id[WL_STRIPE_ID_MAX + 1]; /* the Checkout Session, unique */
	char status[12];                       /* pending | paid | mismatch */
	int64_t credits;                       /* credited (paid) or on offer (pending) */
	int64_t amount_cents;                  /* minor units of currency */
	char currency[4];                      /* upper case, as the package */
	char event_id[WL_STRIPE_ID_MAX + 1];   /* the event that settled it, "" = none */
	int64_t created_at;
	int64_t paid_at;              /* 0 = not paid */
	char email[WL_EMAIL_MAX + 1]; /* the user's (read only; "" = none) */
	/* issue 12: who sells ("agency": an agency's portal, "platform": the
	 * operator's minutes, then agency_id is the buying org itself), and
	 * for platform purchases the VAT decided at checkout */
	char seller[12];
	int64_t net_cents;
	int64_t vat_rate_bp;
	char vat_rule[20];
};

/* A pending purchase for a new Checkout Session (status, event_id, paid_at
 * ignored); the same session again changes nothing. */
int store_purchase_pending(struct store_conn *c, const struct store_purchase *p,
			   struct wl_error *err);
/* The webhook's verdict (p->status "paid" or "mismatch") for p->session_id:
 * inserts the purchase, or settles the pending/mismatched one of the same
 * agency and org. WL_ECONFLICT when nothing changed (already paid, or the
 * session is another org's). */
int store_purchase_settle(struct store_conn *c, const struct store_purchase *p,
			  struct wl_error *err);
/* A pending purchase of the platform's minutes (seller "platform", with
 * its net amount and VAT decision). */
int store_purchase_pending_platform(struct store_conn *c, const struct store_purchase *p,
				    struct wl_error *err);
/* WL_ENOTFOUND when no purchase has this session. */
int store_purchase_by_session(struct store_conn *c, const char *session_id,
			      struct store_purchase *out, struct wl_error *err);
/* An agency's purchases, newest first, after (cursor_ms, cursor_id) unless
 * cursor_id is "". */
int store_purchase_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
			const char *cursor_id, int limit, struct store_purchase *out, int *n,
			struct wl_error *err);

/* One webhook delivery as received (the agency's Stripe events log). */
struct store_stripe_event {
	char id[WL_ID_LEN];
	char agency_id[WL_ID_LEN];
	int64_t received_at;
	char event_id[WL_STRIPE_ID_MAX + 1]; /* "" when unreadable */
	char type[80];
	char signature[24];     /* stripe_sig_result_name() */
	char outcome[16];       /* credited duplicate ignored mismatch bad_signature */
	char org_id[WL_ID_LEN]; /* the org credited or named, "" = none */
	char session_id[WL_STRIPE_ID_MAX + 1];
	char detail[256];
};

int store_stripe_event_insert(struct store_conn *c, const struct store_stripe_event *e,
			      struct wl_error *err);
/* How many bad_signature deliveries of the agency were logged since `since`. */
int store_stripe_event_bad_since(struct store_conn *c, const char *agency_id, int64_t since,
				 int64_t *count, struct wl_error *err);
/* Newest first, after (cursor_ms, cursor_id) unless cursor_id is "". */
int store_stripe_event_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
			    const char *cursor_id, int limit, struct store_stripe_event *out,
			    int *n, struct wl_error *err);

/* ---- billing: billing information, invoices, provider keys (billing.c) ---- */

#define WL_ADDRESS_MAX 400
#define WL_VAT_ID_MAX 20

struct store_billing_info {
	char org_id[WL_ID_LEN];
	char company_name[WL_NAME_MAX + 1];
	char address[WL_ADDRESS_MAX + 1];
	char country[3];
	char vat_id[WL_VAT_ID_MAX + 1]; /* normalized with its prefix, "" = none */
	char vat_status[8];             /* none, format, valid, invalid (core/vat.h) */
	int64_t vat_checked_at;         /* when VIES answered, 0 = never asked */
	char vat_check_detail[200];     /* what the check said, for people */
	bool client_invoices;           /* an agency invoices its clients' portal purchases */
	int64_t updated_at;
};

/* WL_ENOTFOUND when the org has none. */
int store_billing_get(struct store_conn *c, const char *org_id, struct store_billing_info *out,
		      struct wl_error *err);
int store_billing_put(struct store_conn *c, const struct store_billing_info *b,
		      struct wl_error *err);

struct store_invoice {
	char id[WL_ID_LEN];
	char seller_id[WL_ID_LEN]; /* "platform" or the agency's org id */
	char number[24];           /* INV-2026-000123 */
	char buyer_org_id[WL_ID_LEN];
	char purchase_ref[WL_STRIPE_ID_MAX + 1]; /* the Checkout Session, unique */
	int64_t issued_at;
	char issue_date[11]; /* YYYY-MM-DD (UTC) */
	char seller_name[WL_NAME_MAX + 1];
	char seller_address[WL_ADDRESS_MAX + 1];
	char seller_country[3];
	char seller_vat_id[WL_VAT_ID_MAX + 1];
	char buyer_name[WL_NAME_MAX + 1];
	char buyer_address[WL_ADDRESS_MAX + 1];
	char buyer_country[3];
	char buyer_vat_id[WL_VAT_ID_MAX + 1];
	char buyer_vat_status[8];
	char description[200];
	int64_t quantity;         /* minutes (credits) */
	int64_t unit_price_micro; /* per minute, micro-units of currency, net */
	int64_t net_cents;
	int64_t vat_rate_bp;
	int64_t vat_cents;
	int64_t gross_cents;
	char currency[4];
	char vat_rule[20];
	char vat_wording[200];
	char vat_note[200];
};

/* The next number of seller_id's sequence for year (1, 2, …): the counter
 * row is created or incremented in the caller's transaction, so a rolled
 * back purchase gives its number back and none is ever skipped. */
int store_invoice_next_number(struct store_conn *c, const char *seller_id, int64_t year,
			      int64_t *number, struct wl_error *err);
/* WL_ECONFLICT when the purchase has an invoice already. */
int store_invoice_insert(struct store_conn *c, const struct store_invoice *inv,
			 struct wl_error *err);
/* The invoice if org_id is its buyer or its seller, else WL_ENOTFOUND. */
int store_invoice_get(struct store_conn *c, const char *org_id, const char *id,
		      struct store_invoice *out, struct wl_error *err);
/* An org's invoices as buyer, or as_seller those it issued (never the
 * platform's: "platform" is no org id), newest first, after the cursor. */
struct store_invoice_query {
	const char *org_id;
	bool as_seller;
};
int store_invoice_list(struct store_conn *c, const struct store_invoice_query *q, int64_t cursor_ms,
		       const char *cursor_id, int limit, struct store_invoice *out, int *n,
		       struct wl_error *err);

/* Bring-your-own-key: one sealed API key per org and provider. */
int store_provider_key_put(struct store_conn *c, const char *org_id, const char *provider,
			   const char *sealed, int64_t now, struct wl_error *err);
/* WL_ENOTFOUND when the org has no key of that provider. */
int store_provider_key_delete(struct store_conn *c, const char *org_id, const char *provider,
			      struct wl_error *err);
/* Which providers have a key: names into out (up to max), *n of them. */
int store_provider_key_list(struct store_conn *c, const char *org_id, char (*out)[32], int max,
			    int *n, struct wl_error *err);
/* ---- outbound webhooks (webhooks.c) ----------------------------------------- */

#define WL_URL_MAX 2048
#define WL_WEBHOOK_EVENTS_MAX 128 /* the events list, comma-separated */
#define WL_WEBHOOK_DESC_MAX 256
#define WL_SEALED_SECRET_MAX 256
#define WL_WEBHOOK_RESPONSE_MAX 1024     /* the first bytes of a receiver's answer kept */
#define WL_WEBHOOK_BODY_MAX (256 * 1024) /* an event body, at most */

struct store_wh_endpoint {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char url[WL_URL_MAX + 1];
	char events[WL_WEBHOOK_EVENTS_MAX + 1]; /* "status-update,end-of-call-report" */
	char description[WL_WEBHOOK_DESC_MAX + 1];
	char secret_sealed[WL_SEALED_SECRET_MAX];
	char old_secret_sealed[WL_SEALED_SECRET_MAX]; /* "" = none */
	int64_t old_secret_until;                     /* the old secret signs until then */
	int64_t created_at;
	int64_t updated_at;
};

int store_wh_insert(struct store_conn *c, const struct store_wh_endpoint *e, struct wl_error *err);
/* WL_ENOTFOUND when there is no such endpoint. */
int store_wh_get(struct store_conn *c, const char *id, struct store_wh_endpoint *out,
		 struct wl_error *err);
/* An org's endpoints, oldest first, after (cursor_ms, cursor_id). */
int store_wh_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct store_wh_endpoint *out, int *n,
		  struct wl_error *err);
int store_wh_count(struct store_conn *c, const char *org_id, int64_t *n, struct wl_error *err);
/* url, events, description; WL_ENOTFOUND when the org has no such endpoint. */
int store_wh_update(struct store_conn *c, const struct store_wh_endpoint *e, struct wl_error *err);
int store_wh_rotate(struct store_conn *c, const char *id, const char *org_id, const char *sealed,
		    int64_t old_until, int64_t now, struct wl_error *err);
/* The endpoint and its deliveries; WL_ENOTFOUND when the org has no such endpoint. */
int store_wh_delete(struct store_conn *c, const char *id, const char *org_id, struct wl_error *err);

struct store_wh_delivery {
	char id[WL_ID_LEN]; /* the delivery id, the same on every attempt */
	char org_id[WL_ID_LEN];
	char endpoint_id[WL_ID_LEN];
	char event[32];
	char status[12]; /* pending, delivered, failed */
	int64_t attempts;
	int64_t next_attempt_at;
	int64_t retry_until;
	int64_t last_status_code; /* 0 = no HTTP answer */
	int64_t last_duration_ms;
	char last_error[256];
	char last_response[WL_WEBHOOK_RESPONSE_MAX + 1]; /* the answer's first 1 KiB, as UTF-8 */
	int64_t created_at;
	int64_t updated_at;
	char url[WL_URL_MAX + 1]; /* where it goes: "" = its endpoint's url */
	char *body; /* read by store_wh_delivery_get only: malloc'd, the caller frees */
};

/* body: the JSON text (bound as is). */
int store_wh_delivery_insert(struct store_conn *c, const struct store_wh_delivery *d,
			     const char *body, struct wl_error *err);
struct store_wh_claim {
	char id[WL_ID_LEN];
	int64_t attempts; /* the attempt this claim makes */
};
/* Claims up to `limit` deliveries due at now until lease_until. */
int store_wh_claim(struct store_conn *c, int64_t now, int64_t lease_until, int limit,
		   struct store_wh_claim *out, int *n, struct wl_error *err);
/* With its body (d->body malloc'd; free it). WL_ENOTFOUND when absent. */
int store_wh_delivery_get(struct store_conn *c, const char *id, struct store_wh_delivery *out,
			  struct wl_error *err);
/* Writes an attempt's outcome (status, next_attempt_at, last_*) when
 * d->attempts is still the delivery's latest claim; else nothing. */
int store_wh_settle(struct store_conn *c, const struct store_wh_delivery *d, int64_t now,
		    struct wl_error *err);
/* An endpoint's deliveries, newest first (body not read). */
int store_wh_delivery_list(struct store_conn *c, const char *endpoint_id, int64_t cursor_ms,
			   const char *cursor_id, int limit, struct store_wh_delivery *out, int *n,
			   struct wl_error *err);
int store_wh_resend(struct store_conn *c, const char *id, int64_t now, int64_t retry_until,
		    struct wl_error *err);

/* An org's balance.low threshold in minutes (0 = off). */
int store_org_set_low_balance(struct store_conn *c, const char *org_id, int64_t minutes,
			      struct wl_error *err);
/* After the org's balance moved: *fired = it just went below its threshold
 * while armed (now disarmed); a rise to or above it re-arms silently. */
int store_org_low_balance_check(struct store_conn *c, const char *org_id, bool *fired,
				int64_t *balance_seconds, int64_t *minutes, struct wl_error *err);
/* ---- limits an agency sets on a client org (limits.c) ---------------------- */

#define STORE_NO_LIMIT (-1)
struct store_limits {
	int64_t max_concurrent_calls; /* STORE_NO_LIMIT = none */
	int64_t monthly_minutes;      /* STORE_NO_LIMIT = none */
};

/* Both STORE_NO_LIMIT when none were ever set. */
int store_limits_get(struct store_conn *c, const char *org_id, struct store_limits *out,
		     struct wl_error *err);
int store_limits_put(struct store_conn *c, const char *org_id, const struct store_limits *l,
		     int64_t now, struct wl_error *err);
/* The org's open calls (queued, ringing, in-progress). */
int store_calls_open(struct store_conn *c, const char *org_id, int64_t *n, struct wl_error *err);
/* The seconds billed on org_id's own calls since from_ms: what the monthly
 * limit measures. The one place that reads it (today the usage rows of
 * ended calls), so a table of daily totals can take over here alone. */
int store_billed_since(struct store_conn *c, const char *org_id, int64_t from_ms, int64_t *seconds,
		       struct wl_error *err);

/* ---- the audit trail (trail.c) ---------------------------------------------- */

#define STORE_TRAIL_DETAIL_MAX 4096
struct store_trail_event {
	char id[WL_ID_LEN];
	char org_id[WL_ID_LEN];              /* the org changed */
	char agency_id[WL_ID_LEN];           /* its agency (itself for a parent) */
	char type[40];                       /* whitelabel.updated, allocation.created, … */
	char actor_type[8];                  /* user | api_key | system */
	char actor_id[WL_ID_LEN];            /* the user or key, "" for the system */
	char address[64];                    /* the client address of the request, "" = none */
	char detail[STORE_TRAIL_DETAIL_MAX]; /* a JSON object: what changed */
	int64_t created_at;
};

int store_trail_insert(struct store_conn *c, const struct store_trail_event *e,
		       struct wl_error *err);

struct store_trail_query {
	const char *org_id;
	bool as_agency;   /* the agency's own events and its clients' */
	int64_t from_ms;  /* inclusive */
	int64_t to_ms;    /* exclusive */
	const char *type; /* "" = every type */
};
/* Newest first, after (cursor_ms, cursor_id) unless cursor_id is "". */
int store_trail_list(struct store_conn *c, const struct store_trail_query *q, int64_t cursor_ms,
		     const char *cursor_id, int limit, struct store_trail_event *out, int *n,
		     struct wl_error *err);
/* How many times this process ran store_org_low_balance_check (a test sees
 * which debits paid for the alert). */
int64_t store_org_low_balance_checks(void);
/* ---- per-org configuration (agents.c, kb.c, numbers.c) --------------------
 * Every read and write names the org: another org's id is WL_ENOTFOUND.
 * Lists are oldest first, after (cursor_ms, cursor_id) unless cursor_id is
 * "". for_update locks the row on PostgreSQL (the writer's reads). */

int store_agent_insert(struct store_conn *c, const struct store_agent *a, struct wl_error *err);
int store_agent_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
		    struct store_agent *out, struct wl_error *err);
/* WL_ENOTFOUND when the org has no such agent. */
int store_agent_update(struct store_conn *c, const struct store_agent *a, struct wl_error *err);
int store_agent_delete(struct store_conn *c, const char *org_id, const char *id,
		       struct wl_error *err);
int store_agent_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		     const char *cursor_id, int limit, struct store_agent *out, int *n,
		     struct wl_error *err);
/* The org's first `limit` agents, oldest first, without their prompts. */
int store_agent_briefs(struct store_conn *c, const char *org_id, int limit,
		       struct store_agent_brief *out, int *n, struct wl_error *err);
/* The name of an agent of the org that lists the tool (or knowledge base)
 * id; WL_ENOTFOUND when none does. */
int store_agent_using(struct store_conn *c, const char *org_id, const char *tool_id,
		      const char *kb_id, char *name, size_t n, struct wl_error *err);

/* WL_ECONFLICT when the org has a tool of that name. */
int store_tool_insert(struct store_conn *c, const struct store_tool *t, struct wl_error *err);
int store_tool_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
		   struct store_tool *out, struct wl_error *err);
int store_tool_update(struct store_conn *c, const struct store_tool *t, struct wl_error *err);
int store_tool_delete(struct store_conn *c, const char *org_id, const char *id,
		      struct wl_error *err);
int store_tool_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		    const char *cursor_id, int limit, struct store_tool *out, int *n,
		    struct wl_error *err);

int store_kb_insert(struct store_conn *c, const struct store_kb *k, struct wl_error *err);
int store_kb_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
		 struct store_kb *out, struct wl_error *err);
int store_kb_update(struct store_conn *c, const struct store_kb *k, struct wl_error *err);
/* Deletes the knowledge base and its documents. */
int store_kb_delete(struct store_conn *c, const char *org_id, const char *id, struct wl_error *err);
int store_kb_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct store_kb *out, int *n,
		  struct wl_error *err);

/* A new document with its bytes and (text_len > 0) its extracted text. */
struct store_kb_doc_data {
	const void *content;
	size_t content_len;
	const char *text; /* NUL-free UTF-8, NULL = none */
	size_t text_len;
};
int store_kb_doc_insert(struct store_conn *c, const struct store_kb_doc *d,
			const struct store_kb_doc_data *data, struct wl_error *err);
int store_kb_doc_get(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
		     struct store_kb_doc *out, struct wl_error *err);
/* The bytes (text: the extracted text) of a document, malloc'ed into *out
 * (*len bytes; text is NUL-terminated); the caller frees it. */
int store_kb_doc_bytes(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
		       bool text, char **out, size_t *len, struct wl_error *err);
int store_kb_doc_delete(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
			struct wl_error *err);
/* The documents of a knowledge base (of org_id). */
struct store_doc_query {
	const char *org_id;
	const char *kb_id;
};
int store_kb_doc_list(struct store_conn *c, const struct store_doc_query *q, int64_t cursor_ms,
		      const char *cursor_id, int limit, struct store_kb_doc *out, int *n,
		      struct wl_error *err);
/* The bytes of every document of the org (its quota). */
int store_kb_org_bytes(struct store_conn *c, const char *org_id, int64_t *bytes,
		       struct wl_error *err);

/* WL_ECONFLICT when the number is taken on the platform. */
int store_number_insert(struct store_conn *c, const struct store_number *p, struct wl_error *err);
int store_number_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
		     struct store_number *out, struct wl_error *err);
/* WL_ECONFLICT when the new number is taken. */
int store_number_update(struct store_conn *c, const struct store_number *p, struct wl_error *err);
/* Deletes the number for its org: the row stays for the calls and usage
 * that name it, the number is free again. */
int store_number_release(struct store_conn *c, const char *org_id, const char *id, int64_t now,
			 struct wl_error *err);
int store_number_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		      const char *cursor_id, int limit, struct store_number *out, int *n,
		      struct wl_error *err);
/* The number in use with this E.164 text (any org); WL_ENOTFOUND if none. */
int store_number_by_e164(struct store_conn *c, const char *e164, struct store_number *out,
			 struct wl_error *err);
/* A number assigned to the agent (its E.164 text); WL_ENOTFOUND if none. */
int store_number_using_agent(struct store_conn *c, const char *agent_id, char *number, size_t n,
			     struct wl_error *err);

/* The org's message for inbound calls refused for want of credits;
 * WL_ENOTFOUND when it never set one. */
int store_inbound_message_get(struct store_conn *c, const char *org_id, char *out, size_t n,
			      struct wl_error *err);
int store_inbound_message_put(struct store_conn *c, const char *org_id, const char *message,
			      int64_t now, struct wl_error *err);
/* ops.c: what /metrics reads at a scrape (every instance's calls and mails). */
struct store_ops_counts {
	int64_t open_calls;  /* neither ended nor rejected */
	int64_t mail_queued; /* waiting in the outbox */
	int64_t mail_failed; /* given up */
};
int store_ops_counts(struct store_conn *c, struct store_ops_counts *out, struct wl_error *err);

#endif
