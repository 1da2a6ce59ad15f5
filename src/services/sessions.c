/*
 * sessions.c — logging in to the dashboard (see sessions.h): the back-off
 * of failed attempts per address and per (e-mail, address), the password
 * check against a stored argon2id hash, and the session rows. No HTTP
 * here: web/session.c owns the form, the cookies and the answers.
 */
#include "services/sessions.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "services/ids.h"

/*
 * The back-off. A pair (one e-mail from one address) fails 5 times freely,
 * an address (which may be an office behind one NAT) 20 times; after that
 * the next attempt waits 10 s, then 20 s, 40 s … doubling with each further
 * failure up to 15 minutes. An online guesser thus gets about a hundred
 * guesses a day per e-mail and address, while someone who mistyped a few
 * times waits seconds, and a victim logging in from their own address never
 * waits for what an attacker did elsewhere.
 */
#define PAIR_FREE 5
#define ADDR_FREE 20
#define BACKOFF_BASE_MS 10000LL
#define BACKOFF_CAP_MS (15LL * 60 * 1000)
#define FORGET_AFTER_MS (24LL * 3600 * 1000)

int64_t
sessions_backoff_ms(int64_t failures, int64_t allowed)
{
	int64_t over = failures - allowed, wait = BACKOFF_BASE_MS;

	if (over < 0)
		return 0;
	while (over-- > 0 && wait < BACKOFF_CAP_MS)
		wait *= 2;
	return wait < BACKOFF_CAP_MS ? wait : BACKOFF_CAP_MS;
}

/* "{prefix}" + hex of a hash of the parts: fixed length, and the table
 * holds no e-mail address or IP address in clear. */
static void
bucket_name(char *out, size_t n, const char *prefix, const char *a, const char *b)
{
	crypto_generichash_state st;
	unsigned char h[20];
	char hex[2 * sizeof(h) + 1];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)prefix, strlen(prefix) + 1);
	crypto_generichash_update(&st, (const unsigned char *)a, strlen(a) + 1);
	if (b != NULL)
		crypto_generichash_update(&st, (const unsigned char *)b, strlen(b) + 1);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, n, "%s:%s", prefix, hex);
}

void
sessions_attempt_init(struct sessions_attempt *a, const char *email, const char *addr, int64_t now)
{
	memset(a, 0, sizeof(*a));
	bucket_name(a->addr_bucket, sizeof(a->addr_bucket), "login-addr", addr, NULL);
	bucket_name(a->pair_bucket, sizeof(a->pair_bucket), "login-pair", email, addr);
	a->now = now;
}

/* Runs inside the writer's transaction, maybe more than once: it sets its
 * output first. The address's bucket is always locked before the pair's. */
int
sessions_attempt_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct sessions_attempt *a = arg;
	const char *buckets[2] = { a->addr_bucket, a->pair_bucket };
	const int64_t allowed[2] = { ADDR_FREE, PAIR_FREE };
	int64_t forget_before = a->now - FORGET_AFTER_MS;
	struct store_login_failures f;
	int i, rc;

	a->retry_after_ms = 0;
	for (i = 0; i < 2; i++) {
		int64_t wait;

		if ((rc = store_login_failures_get(c, buckets[i], &f, err)) != WL_OK)
			return rc;
		if (f.last_failed_at < forget_before)
			continue;
		wait = f.last_failed_at + sessions_backoff_ms(f.failures, allowed[i]) - a->now;
		if (wait > a->retry_after_ms)
			a->retry_after_ms = wait;
	}
	if (a->retry_after_ms > 0)
		return WL_OK;
	/* Counted as failed until the password proves otherwise. */
	for (i = 0; i < 2; i++)
		if ((rc = store_login_failures_add(c, buckets[i], 1, a->now, forget_before, err)) !=
		    WL_OK)
			return rc;
	return WL_OK;
}

int
sessions_find_user(struct store_conn *c, const char *email, struct store_user *out,
		   struct wl_error *err)
{
	return store_user_by_email(c, email, out, err);
}

/* A hash to verify against when the e-mail is unknown. */
static char dummy_hash[160];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy_hash(void)
{
	if (ids_hash_password("not a real password, only for timing", dummy_hash,
			      sizeof(dummy_hash)) != WL_OK)
		dummy_hash[0] = '\0';
}

bool
sessions_password_ok(const struct store_user *user, const char *password)
{
	bool ok;

	pthread_once(&dummy_once, make_dummy_hash);
	ok = ids_verify_password(user != NULL ? user->password_hash : dummy_hash, password) ==
	     WL_OK;
	return ok && user != NULL;
}

void
sessions_token_hash(const char *token, unsigned char hash[WL_KEY_HASH_LEN])
{
	crypto_generichash(hash, WL_KEY_HASH_LEN, (const unsigned char *)token, strlen(token), NULL,
			   0);
}

void
sessions_prepare(struct sessions_new *s, const struct sessions_attempt *a,
		 const struct store_user *user)
{
	memset(s, 0, sizeof(*s));
	s->attempt = *a;
	ids_random_token(s->token, 32);
	sessions_token_hash(s->token, s->hash);
	memcpy(s->session.user_id, user->id, WL_ID_LEN);
	memcpy(s->session.org_id, user->org_id, WL_ID_LEN);
	ids_random_token(s->session.csrf_token, 24);
	s->session.created_at = a->now;
	s->session.expires_at = a->now + SESSIONS_TTL_MS;
}

int
sessions_clear_failures(struct store_conn *c, const struct sessions_attempt *a,
			struct wl_error *err)
{
	int64_t forget_before = a->now - FORGET_AFTER_MS;
	int rc;

	rc = store_login_failures_add(c, a->addr_bucket, -1, a->now, forget_before, err);
	if (rc == WL_OK)
		rc = store_login_failures_clear(c, a->pair_bucket, err);
	if (rc == WL_OK)
		rc = store_login_failures_purge(c, forget_before, err);
	return rc;
}

int
sessions_create_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct sessions_new *s = arg;
	int rc = sessions_clear_failures(c, &s->attempt, err);

	if (rc == WL_OK)
		rc = store_session_insert(c, s->hash, &s->session, err);
	return rc;
}

int
sessions_lookup(struct store_conn *c, const char *token, int64_t now, struct store_session *out,
		struct wl_error *err)
{
	unsigned char hash[WL_KEY_HASH_LEN];

	sessions_token_hash(token, hash);
	return store_session_get(c, hash, now, out, err);
}

int
sessions_delete_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	return store_session_delete(c, arg, err);
}
