/*
 * store.h — the storage interface. This is the only door to the database:
 * services call these functions and never see SQL, and they do not know
 * whether SQLite or PostgreSQL answers. Each operation is written once
 * (orgs.c, ledger_ops.c, calls.c, whitelabel.c, sessions.c, meta.c) over
 * a thin driver per database (db.h: db_sqlite.c, db_pg.c); the SQL of both
 * dialects is in statements.c.
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
 * the balance would go below zero (the entry may be written: the caller's
 * job fails and its savepoint removes it). One round trip where the
 * backend can. */
int store_ledger_apply(struct store_conn *c, const struct store_entry *e, struct wl_error *err);

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

/* ---- calls and usage --------------------------------------------------- */

int store_call_insert(struct store_conn *c, const struct store_call *call, struct wl_error *err);
int store_call_get(struct store_conn *c, const char *id, bool for_update, struct store_call *out,
		   struct wl_error *err);
/* Writes status, elapsed, billed, cut_off, ended_reason, ended_at, last_event_at. */
int store_call_update(struct store_conn *c, const struct store_call *call, struct wl_error *err);
/* Newest first; after (cursor_ms, cursor_id) when cursor_id is non-empty.
 * Fills up to `limit` rows into out; *n = rows written. */
int store_call_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		    const char *cursor_id, int limit, struct store_call *out, int *n,
		    struct wl_error *err);
/* The org owning a phone number, WL_ENOTFOUND if none. */
int store_number_org(struct store_conn *c, const char *number_id, char org_id[WL_ID_LEN],
		     struct wl_error *err);

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
int store_usage_sum(struct store_conn *c, const struct store_usage_query *q, int64_t *total_seconds,
		    int64_t *rows, struct wl_error *err);

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
/* The org of an unrevoked key and when it was last used; WL_EUNAUTHORIZED if none. */
int store_apikey_lookup_used(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			     char org_id[WL_ID_LEN], int64_t *last_used_at, struct wl_error *err);
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

/* ops.c: what /metrics reads at a scrape (every instance's calls and mails). */
struct store_ops_counts {
	int64_t open_calls;  /* neither ended nor rejected */
	int64_t mail_queued; /* waiting in the outbox */
	int64_t mail_failed; /* given up */
};
int store_ops_counts(struct store_conn *c, struct store_ops_counts *out, struct wl_error *err);

#endif
