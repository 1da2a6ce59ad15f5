/*
 * portal_accounts.h — the accounts of an agency's clients on its branded
 * portal: sign-up (a user and a child organization of the agency, in one
 * writer job, with its verification mail), portal sessions (apart from the
 * dashboard's; each belongs to one agency and is refused by any other),
 * log-in with the dashboard's back-off (services/sessions.c), e-mail
 * verification and password reset by single-use mailed links, password
 * change (a client's own API keys: services/apikeys.h).
 *
 * Tokens (sessions, mailed links) are random; the database holds only
 * their hashes. Password hashing (argon2id) is slow: the *_prepare
 * functions that hash run on a worker, never on a server thread; every
 * *_run is a writer job (its argument holds its inputs and outputs).
 */
#ifndef WL_SERVICES_PORTAL_ACCOUNTS_H
#define WL_SERVICES_PORTAL_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"
#include "services/ids.h"
#include "services/sessions.h"
#include "store/store.h"

#define PORTAL_PASSWORD_MIN 10
#define PORTAL_PASSWORD_MAX 256
#define PORTAL_SESSION_TTL_MS (12LL * 3600 * 1000)
#define PORTAL_VERIFY_TTL_MS (7LL * 24 * 3600 * 1000)
#define PORTAL_RESET_TTL_MS (3600LL * 1000)
/* Reset mails to one client within PORTAL_RESET_TTL_MS: past it the form
 * answers the same but sends nothing, so nobody can flood a mailbox. */
#define PORTAL_RESET_MAILS_PER_HOUR 3
#define PORTAL_TOKEN_LEN 43 /* base64url of 32 random bytes */
#define PORTAL_URL_MAX 600

/* The session behind a portal cookie for the agency agency_id:
 * WL_EUNAUTHORIZED when there is none, it expired, or it belongs to
 * another agency's portal. */
int portal_session_read(struct store_conn *c, const char *token, int64_t now, const char *agency_id,
			struct store_portal_session *out, struct wl_error *err);
void portal_token_hash(const char *token, unsigned char hash[WL_KEY_HASH_LEN]);

/* What a job needs of the portal to write its mails. */
struct portal_brand {
	char agency_id[WL_ID_LEN];
	char company_name[WL_NAME_MAX + 1];
	char url[PORTAL_URL_MAX]; /* the portal's absolute URL, without a final / */
};

/* A new session (written by the jobs below that log a user in). */
struct portal_new_session {
	unsigned char hash[WL_KEY_HASH_LEN];
	struct store_portal_session session;
	char token[SESSIONS_TOKEN_MAX]; /* the cookie value: wipe it once sent */
};

/* ---- sign-up ---- */
struct portal_signup {
	const struct wl_app *app;
	struct portal_brand brand;
	char email[WL_EMAIL_MAX + 1]; /* normalised */
	char password_hash[160];
	int64_t now;
	struct portal_new_session created;
	char user_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char verify_token[PORTAL_TOKEN_LEN + 1];
};
/* On a worker: hashes the password, makes the ids, tokens and session. */
int portal_signup_prepare(struct portal_signup *s, const char *password, struct wl_error *err);
/* Writer job: the child org, its user, the verification token and mail,
 * the session. WL_ECONFLICT when the address has an account already. */
int portal_signup_run(struct store_conn *c, void *arg, struct wl_error *err);

/* ---- log-in (after sessions_attempt_run and the password check) ---- */
struct portal_login {
	struct sessions_attempt attempt;
	char agency_id[WL_ID_LEN];
	struct store_portal_user user;
	struct portal_new_session created;
};
/* The user behind email on this agency's portal; WL_ENOTFOUND when there
 * is none (or it belongs to another agency). */
int portal_find_user(struct store_conn *c, const char *agency_id, const char *email,
		     struct store_portal_user *out, struct wl_error *err);
void portal_login_prepare(struct portal_login *l, int64_t now);
/* Writer job: clears the failures like the dashboard, writes the session
 * and the log-in time. */
int portal_login_run(struct store_conn *c, void *arg, struct wl_error *err);
/* Writer job, arg the WL_KEY_HASH_LEN bytes of portal_token_hash. */
int portal_logout_run(struct store_conn *c, void *arg, struct wl_error *err);

/* ---- mailed links ---- */
struct portal_reset_request {
	const struct wl_app *app;
	struct portal_brand brand;
	char email[WL_EMAIL_MAX + 1];
	int64_t now;
	char token[PORTAL_TOKEN_LEN + 1];
	bool mailed; /* out: never shown to the client */
};
void portal_reset_request_prepare(struct portal_reset_request *r);
/* Writer job: when the address has an account on this portal, a reset
 * token (1 h) and its mail; otherwise nothing. WL_OK either way. */
int portal_reset_request_run(struct store_conn *c, void *arg, struct wl_error *err);

struct portal_use_link {
	char agency_id[WL_ID_LEN];
	char token[PORTAL_TOKEN_LEN + 1];
	char password_hash[160]; /* reset only */
	int64_t now;
	char user_id[WL_ID_LEN]; /* out */
};
/* Writer jobs: WL_ENOTFOUND when the link is unknown, used, expired, or of
 * another agency's portal (nothing changes then). A reset sets the new
 * password, ends every session of the user and counts the address as
 * verified (the mail reached it). */
int portal_verify_run(struct store_conn *c, void *arg, struct wl_error *err);
int portal_reset_run(struct store_conn *c, void *arg, struct wl_error *err);

/* ---- password change ---- */
struct portal_password_change {
	char user_id[WL_ID_LEN];
	unsigned char keep[WL_KEY_HASH_LEN]; /* the session that asked stays */
	char password_hash[160];
};
/* Writer job: the new hash, every other session of the user ended. */
int portal_password_change_run(struct store_conn *c, void *arg, struct wl_error *err);

/* ---- what the client dashboard shows ---- */
#define PORTAL_HISTORY_ROWS 25
#define PORTAL_CALL_ROWS 10
#define PORTAL_KEY_ROWS 40
struct portal_home {
	struct store_portal_user user;
	struct store_org org;
	struct store_ledger_row history[PORTAL_HISTORY_ROWS];
	int nhistory;
	struct store_call calls[PORTAL_CALL_ROWS];
	int ncalls;
	struct store_apikey_row keys[PORTAL_KEY_ROWS];
	int nkeys;
};
/* The user, the client org, its newest ledger entries, calls and keys. */
int portal_home_read(struct store_conn *c, const char *user_id, const char *org_id,
		     struct portal_home *out, struct wl_error *err);
/* The user alone (the account page, a password check). */
int portal_user_read(struct store_conn *c, const char *user_id, struct store_portal_user *out,
		     struct wl_error *err);

#endif
