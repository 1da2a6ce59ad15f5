/*
 * accounts.h — organizations, their people and API keys, grants of minutes,
 * who is asking (authentication) and on whose behalf (the organization
 * switcher), and the account view of the platform API.
 */
#ifndef WL_ACCOUNTS_H
#define WL_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"
#include "services/ids.h"
#include "services/paging.h"

struct accounts_new_org {
	const char *name;
	const char *email;
	const char *password;
	const char *parent_id; /* NULL or "" for a top-level (parent) org */
	int64_t seconds;       /* initial minutes (parent) or credits (child) */
	bool is_demo;
	const char *key_label; /* "default" unless given */
};

struct accounts_created {
	char org_id[WL_ID_LEN];
	char user_id[WL_ID_LEN];
	char api_key[WL_API_KEY_LEN + 1];
};

/* Blocking (argon2id + a durable write): for the CLI and start-up only. */
int accounts_create_org(struct wl_app *app, const struct accounts_new_org *in,
			struct accounts_created *out, struct wl_error *err);

struct accounts_grant_result {
	int64_t balance_seconds;
	bool applied;
};

/* Adds seconds to an org through the ledger; a repeated reference changes
 * nothing (applied = false). Blocking. */
int accounts_grant(struct wl_app *app, const char *org_id, int64_t seconds, const char *reference,
		   const char *description, struct accounts_grant_result *out,
		   struct wl_error *err);

/* The org of a bearer API key, WL_EUNAUTHORIZED otherwise. */
int accounts_authenticate(struct store_conn *c, const char *key, size_t n, char org_id[WL_ID_LEN],
			  struct wl_error *err);
/* An API request's key and the org it acts on: the key's own org, or —
 * with X-Organization-Id (requested) — one of its child orgs (anything
 * else is WL_EFORBIDDEN). with_month: the acting org's usage this month
 * (month_known) read with the key and its org in one statement when the
 * request acts on the key's own org, so GET /api/v1/account costs one
 * statement (one round trip on PostgreSQL). The key is read on every
 * request: a revoked key is refused at once, on every instance. Records
 * when the key was last used (at most once a minute per key, by a writer
 * job nobody waits for). */
struct api_auth {
	char key_org_id[WL_ID_LEN];
	char key_id[WL_ID_LEN];
	struct store_org org; /* acted on */
	bool month_known;
	int64_t month_usage_seconds;
};
int accounts_api_auth(struct wl_app *app, struct store_conn *c, const char *key, size_t n,
		      int64_t now, const char *requested, bool with_month, struct api_auth *out,
		      struct wl_error *err);
/* accounts_api_auth of n requests (n <= STORE_KEYS_MAX) for their key's own
 * org with the month's usage (GET /api/v1/account): one statement for all
 * where the database has one (store_apikey_orgs). rc[i], out[i] and errs[i]
 * are what accounts_api_auth would have answered for keys[i]. */
void accounts_api_auth_many(struct wl_app *app, struct store_conn *c, int n,
			    const char *const *keys, const size_t *lens, int64_t now,
			    struct api_auth *out, int *rc, struct wl_error *errs);

/* The org a request acts on: the key's own org, or — with X-Organization-Id —
 * one of its child orgs. Anything else is WL_EFORBIDDEN. */
int accounts_acting_org(struct store_conn *c, const char *key_org_id, const char *requested,
			struct store_org *out, struct wl_error *err);

struct account_view {
	struct store_org org;
	int64_t month_usage_seconds;
};

int accounts_view(struct store_conn *c, const struct store_org *org, int64_t now_ms,
		  struct account_view *out, struct wl_error *err);

/* The portal users of an agency's client orgs with their credits, oldest
 * first: one page of `limit` (1..PAGE_MAX) after the cursor. page rows are
 * struct store_client_user; page_free them. */
int accounts_client_users(struct store_conn *c, const char *parent_id, int64_t cursor_ms,
			  const char *cursor_id, int limit, struct page *out, struct wl_error *err);

/* What a dashboard page shows of its session: the user's e-mail, the
 * session's org and (for an agency) its client orgs for the switcher. */
#define ACCOUNTS_SWITCHER_MAX 200
struct accounts_chrome {
	char user_email[WL_EMAIL_MAX + 1];
	struct store_org session_org;
	int nchildren;
	struct {
		char id[WL_ID_LEN];
		char name[WL_NAME_MAX + 1];
	} children[ACCOUNTS_SWITCHER_MAX];
};
/* Reads the chrome of user_id's session on session_org_id (missing parts
 * stay empty; session_org falls back to `acting`). */
void accounts_chrome_read(struct store_conn *c, const char *user_id, const char *session_org_id,
			  const struct store_org *acting, struct accounts_chrome *out);

/* The demo agency and client: created once, fresh API keys on every call. */
struct accounts_demo {
	char agency_id[WL_ID_LEN];
	char client_id[WL_ID_LEN];
	char agency_key[WL_API_KEY_LEN + 1];
	char client_key[WL_API_KEY_LEN + 1];
	bool created;
};
#define DEMO_AGENCY_EMAIL "agency@demo.wlportal.test"
#define DEMO_AGENCY_PASSWORD "demo-agency-pass"
#define DEMO_CLIENT_EMAIL "client@demo.wlportal.test"
#define DEMO_CLIENT_PASSWORD "demo-client-pass"

int accounts_ensure_demo(struct wl_app *app, struct accounts_demo *out, struct wl_error *err);

#endif
