/*
 * sessions.h — logging in to the dashboard: the back-off of failed
 * attempts, the password check, and the session rows.
 *
 * Failed attempts are counted in the database (every instance sees them)
 * under two buckets: the client address, and the pair (e-mail, address).
 * Neither is the e-mail alone, so nobody can lock another person out from
 * their own address. Each bucket has a few free failures; past them every
 * further failure doubles the wait before the next attempt, up to a cap,
 * and a bucket without a failure for a day is forgotten. A correct password
 * from an address that has not failed is never refused.
 *
 * Flow (web/session.c): sessions_attempt_run as a writer job (refuses with
 * retry_after_ms, or counts the attempt as a failure in advance, so that
 * parallel guesses cannot slip past the count), then on a worker
 * sessions_find_user and sessions_password_ok (argon2id, slow), then on
 * success sessions_create_run as a writer job (takes the provisional
 * failure back and writes the session).
 */
#ifndef WL_SESSIONS_H
#define WL_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define SESSIONS_TTL_MS (12LL * 3600 * 1000)
#define SESSIONS_TOKEN_MAX 64

struct sessions_attempt {
	char addr_bucket[80];
	char pair_bucket[80];
	int64_t now;
	int64_t retry_after_ms; /* out: > 0 when the attempt is refused */
};

/* email already normalised (wl_email_normalize); addr as text. */
void sessions_attempt_init(struct sessions_attempt *a, const char *email, const char *addr,
			   int64_t now);
/* Writer job, arg a struct sessions_attempt. */
int sessions_attempt_run(struct store_conn *c, void *arg, struct wl_error *err);

/* The wait after `failures` failures in a bucket allowing `allowed` of them freely. */
int64_t sessions_backoff_ms(int64_t failures, int64_t allowed);

/* The user with this e-mail address, whatever its case; WL_ENOTFOUND. */
int sessions_find_user(struct store_conn *c, const char *email, struct store_user *out,
		       struct wl_error *err);
/* argon2id on a worker thread only. With user NULL (no such address) a
 * dummy hash is checked, so both cases take the same time; false then. */
bool sessions_password_ok(const struct store_user *user, const char *password);

struct sessions_new {
	struct sessions_attempt attempt;
	unsigned char hash[WL_KEY_HASH_LEN];
	struct store_session session;
	char token[SESSIONS_TOKEN_MAX]; /* the cookie value: wipe it once sent */
};

/* A new session of user after attempt a: random token, its hash, a CSRF
 * token, the expiry. */
void sessions_prepare(struct sessions_new *s, const struct sessions_attempt *a,
		      const struct store_user *user);
/* Writer job, arg a struct sessions_new: forgets the pair's failures, takes
 * the address's provisional failure back, writes the session. */
int sessions_create_run(struct store_conn *c, void *arg, struct wl_error *err);

/* Inside a writer job, after a correct password: forgets the pair's
 * failures and takes the address's provisional failure back (the portal's
 * log-in uses it too, with its own session rows). */
int sessions_clear_failures(struct store_conn *c, const struct sessions_attempt *a,
			    struct wl_error *err);

/* The stored form of a session token. */
void sessions_token_hash(const char *token, unsigned char hash[WL_KEY_HASH_LEN]);
/* The live session of a cookie's token at `now`; WL_EUNAUTHORIZED when
 * there is none or it has expired. */
int sessions_lookup(struct store_conn *c, const char *token, int64_t now, struct store_session *out,
		    struct wl_error *err);
/* Writer job, arg the WL_KEY_HASH_LEN bytes of sessions_token_hash. */
int sessions_delete_run(struct store_conn *c, void *arg, struct wl_error *err);

#endif
