/*
 * portal_accounts.c — clients' accounts on an agency's portal (see
 * portal_accounts.h): sign-up, sessions, log-in bookkeeping, mailed links
 * for verification and reset, password change and API keys. No HTTP here:
 * web/portal_auth.c and web/portal_home.c own the forms and cookies.
 */
#include "services/portal_accounts.h"

#include "log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "services/ledger.h"
#include "services/mail_outbox.h"

void
portal_token_hash(const char *token, unsigned char hash[WL_KEY_HASH_LEN])
{
	/* A key distinct from the dashboard's, so one table's token never
	 * matches the other's hash. */
	static const unsigned char k[] = "wlportal portal tokens, v1";

	crypto_generichash(hash, WL_KEY_HASH_LEN, (const unsigned char *)token, strlen(token), k,
			   sizeof(k) - 1);
}

int
portal_session_read(struct store_conn *c, const char *token, int64_t now, const char *agency_id,
		    struct store_portal_session *out, struct wl_error *err)
{
	unsigned char hash[WL_KEY_HASH_LEN];
	int rc;

	if (token == NULL || strlen(token) != PORTAL_TOKEN_LEN)
		return wl_fail(err, WL_EUNAUTHORIZED, "no session");
	portal_token_hash(token, hash);
	rc = store_portal_session_get(c, hash, now, out, err);
	if (rc == WL_OK && strcmp(out->agency_id, agency_id) != 0)
		return wl_fail(err, WL_EUNAUTHORIZED, "a session of another portal");
	return rc;
}

static void
new_session(struct portal_new_session *n, const char *user_id, const char *org_id,
	    const char *agency_id, int64_t now)
{
	memset(n, 0, sizeof(*n));
	ids_random_token(n->token, 32);
	portal_token_hash(n->token, n->hash);
	snprintf(n->session.user_id, sizeof(n->session.user_id), "%s", user_id);
	snprintf(n->session.org_id, sizeof(n->session.org_id), "%s", org_id);
	snprintf(n->session.agency_id, sizeof(n->session.agency_id), "%s", agency_id);
	ids_random_token(n->session.csrf_token, 24);
	n->session.created_at = now;
	n->session.expires_at = now + PORTAL_SESSION_TTL_MS;
}

/* ---- mails ---------------------------------------------------------------------------- */

static int
send_link_mail(struct store_conn *c, const struct wl_app *app, const struct portal_brand *b,
	       const char *kind, const char *to, const char *path, const char *token,
	       struct wl_error *err)
{
	char subject[200], body[2048];
	struct mail_request m;

	if (strcmp(kind, "verify") == 0) {
		snprintf(subject, sizeof(subject), "Confirm your e-mail address for %.120s",
			 b->company_name);
		snprintf(body, sizeof(body),
			 "Welcome to %s!\n\n"
			 "Please confirm your e-mail address by opening this link:\n\n"
			 "%s%s?token=%s\n\n"
			 "The link works once and for 7 days. If you did not sign up, you can "
			 "ignore this mail.\n\n— %s\n",
			 b->company_name, b->url, path, token, b->company_name);
	} else {
		snprintf(subject, sizeof(subject), "Reset your %.120s password", b->company_name);
		snprintf(body, sizeof(body),
			 "Someone asked to reset the password of your %s account.\n\n"
			 "To choose a new password, open this link:\n\n"
			 "%s%s?token=%s\n\n"
			 "The link works once and for one hour. If you did not ask for it, you can "
			 "ignore this mail: your password stays as it is.\n\n— %s\n",
			 b->company_name, b->url, path, token, b->company_name);
	}
	m = (struct mail_request){ app, b->agency_id, kind, to, b->company_name, subject, body };
	return mail_enqueue(c, &m, err);
}

/* ---- sign-up -------------------------------------------------------------------------- */

int
portal_signup_prepare(struct portal_signup *s, const char *password, struct wl_error *err)
{
	if (ids_hash_password(password, s->password_hash, sizeof(s->password_hash)) != WL_OK)
		return wl_fail(err, WL_EINTERNAL, "password hashing failed");
	ids_new_uuid(s->user_id);
	ids_new_uuid(s->org_id);
	ids_random_token(s->verify_token, 32);
	new_session(&s->created, s->user_id, s->org_id, s->brand.agency_id, s->now);
	return WL_OK;
}

int
portal_signup_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct portal_signup *s = arg;
	struct store_org org, agency;
	struct store_user user;
	unsigned char hash[WL_KEY_HASH_LEN];
	int rc;

	/* The agency's row first: the lock order of every job of an agency. */
	if ((rc = store_org_get(c, s->brand.agency_id, true, &agency, err)) != WL_OK)
		return rc;
	memset(&org, 0, sizeof(org));
	memcpy(org.id, s->org_id, WL_ID_LEN);
	snprintf(org.name, sizeof(org.name), "%.200s", s->email);
	memcpy(org.parent_id, agency.id, WL_ID_LEN);
	org.created_at = s->now;
	if ((rc = store_org_insert(c, &org, err)) != WL_OK)
		return rc;
	memset(&user, 0, sizeof(user));
	memcpy(user.id, s->user_id, WL_ID_LEN);
	memcpy(user.org_id, s->org_id, WL_ID_LEN);
	snprintf(user.email, sizeof(user.email), "%s", s->email);
	snprintf(user.password_hash, sizeof(user.password_hash), "%s", s->password_hash);
	user.created_at = s->now;
	if ((rc = store_user_insert(c, &user, err)) != WL_OK)
		return rc;
	portal_token_hash(s->verify_token, hash);
	rc = store_portal_token_insert(c, hash, "verify", s->user_id, s->now,
				       s->now + PORTAL_VERIFY_TTL_MS, err);
	if (rc == WL_OK)
		rc = send_link_mail(c, s->app, &s->brand, "verify", s->email, "/verify",
				    s->verify_token, err);
	if (rc == WL_OK)
		rc = store_portal_user_login(c, s->user_id, s->now, err);
	if (rc == WL_OK)
		rc = store_portal_session_insert(c, s->created.hash, &s->created.session, err);
	return rc;
}

/* ---- log-in ----------------------------------------------------------------------------- */

int
portal_find_user(struct store_conn *c, const char *agency_id, const char *email,
		 struct store_portal_user *out, struct wl_error *err)
{
	int rc = store_portal_user_by_email(c, email, out, err);

	if (rc == WL_OK && strcmp(out->agency_id, agency_id) != 0)
		return wl_fail(err, WL_ENOTFOUND, "user not found");
	return rc;
}

void
portal_login_prepare(struct portal_login *l, int64_t now)
{
	new_session(&l->created, l->user.user.id, l->user.user.org_id, l->agency_id, now);
}

int
portal_login_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct portal_login *l = arg;
	struct sessions_new bookkeeping;
	int64_t now = l->created.session.created_at;
	int rc;

	/* The dashboard's bookkeeping of failures, without its session row. */
	memset(&bookkeeping, 0, sizeof(bookkeeping));
	bookkeeping.attempt = l->attempt;
	if ((rc = sessions_clear_failures(c, &bookkeeping.attempt, err)) != WL_OK)
		return rc;
	if ((rc = store_portal_user_login(c, l->user.user.id, now, err)) != WL_OK)
		return rc;
	return store_portal_session_insert(c, l->created.hash, &l->created.session, err);
}

int
portal_logout_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	return store_portal_session_delete(c, arg, err);
}

/* ---- mailed links ----------------------------------------------------------------------- */

void
portal_reset_request_prepare(struct portal_reset_request *r)
{
	ids_random_token(r->token, 32);
}

int
portal_reset_request_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct portal_reset_request *r = arg;
	struct store_portal_user u;
	unsigned char hash[WL_KEY_HASH_LEN];
	int64_t recent;
	int rc;

	r->mailed = false;
	rc = portal_find_user(c, r->brand.agency_id, r->email, &u, err);
	if (rc == WL_ENOTFOUND)
		return WL_OK;
	if (rc != WL_OK)
		return rc;
	rc = store_portal_tokens_recent(c, u.user.id, "reset", r->now - PORTAL_RESET_TTL_MS,
					&recent, err);
	if (rc != WL_OK)
		return rc;
	if (recent >= PORTAL_RESET_MAILS_PER_HOUR) {
		wl_log("portal: agency %s: reset mail to user %s withheld (%lld in the last hour)",
		       r->brand.agency_id, u.user.id, (long long)recent);
		return WL_OK;
	}
	portal_token_hash(r->token, hash);
	rc = store_portal_token_insert(c, hash, "reset", u.user.id, r->now,
				       r->now + PORTAL_RESET_TTL_MS, err);
	if (rc == WL_OK)
		rc = send_link_mail(c, r->app, &r->brand, "reset", u.user.email, "/reset", r->token,
				    err);
	r->mailed = rc == WL_OK;
	return rc;
}

/* Uses the link's token; the user must be a client of this agency. */
static int
use_link(struct store_conn *c, struct portal_use_link *l, const char *purpose,
	 struct store_portal_user *u, struct wl_error *err)
{
	unsigned char hash[WL_KEY_HASH_LEN];
	int rc;

	if (strlen(l->token) != PORTAL_TOKEN_LEN)
		return wl_fail(err, WL_ENOTFOUND, "unknown link");
	portal_token_hash(l->token, hash);
	if ((rc = store_portal_token_use(c, hash, purpose, l->now, l->user_id, err)) != WL_OK)
		return rc;
	if ((rc = store_portal_user_get(c, l->user_id, u, err)) != WL_OK)
		return rc;
	if (strcmp(u->agency_id, l->agency_id) != 0)
		return wl_fail(err, WL_ENOTFOUND, "a link of another portal");
	return WL_OK;
}

int
portal_verify_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct portal_use_link *l = arg;
	struct store_portal_user u;
	int rc = use_link(c, l, "verify", &u, err);

	return rc == WL_OK ? store_portal_user_verified(c, l->user_id, l->now, err) : rc;
}

int
portal_reset_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct portal_use_link *l = arg;
	unsigned char none[WL_KEY_HASH_LEN];
	struct store_portal_user u;
	int rc = use_link(c, l, "reset", &u, err);

	if (rc != WL_OK)
		return rc;
	memset(none, 0, sizeof(none));
	if ((rc = store_portal_user_password(c, l->user_id, l->password_hash, err)) != WL_OK)
		return rc;
	if ((rc = store_portal_sessions_end(c, l->user_id, none, err)) != WL_OK)
		return rc;
	return store_portal_user_verified(c, l->user_id, l->now, err);
}

int
portal_password_change_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct portal_password_change *p = arg;
	int rc = store_portal_user_password(c, p->user_id, p->password_hash, err);

	return rc == WL_OK ? store_portal_sessions_end(c, p->user_id, p->keep, err) : rc;
}

/* ---- the client dashboard ---------------------------------------------------------------- */

int
portal_user_read(struct store_conn *c, const char *user_id, struct store_portal_user *out,
		 struct wl_error *err)
{
	return store_portal_user_get(c, user_id, out, err);
}

int
portal_home_read(struct store_conn *c, const char *user_id, const char *org_id,
		 struct portal_home *out, struct wl_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_portal_user_get(c, user_id, &out->user, err)) != WL_OK)
		return rc;
	if ((rc = store_org_get(c, org_id, false, &out->org, err)) != WL_OK)
		return rc;
	rc = store_ledger_list(c, org_id, PORTAL_HISTORY_ROWS, out->history, &out->nhistory, err);
	if (rc == WL_OK)
		rc = store_call_list(c, org_id, 0, "", PORTAL_CALL_ROWS, out->calls, &out->ncalls,
				     err);
	if (rc == WL_OK)
		rc = store_apikey_list(c, org_id, PORTAL_KEY_ROWS, out->keys, &out->nkeys, err);
	return rc;
}
