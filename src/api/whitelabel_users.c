/*
 * whitelabel_users.c — an agency's portal users with their credits
 * (GET /api/v1/whitelabel/users) and its manual credit allocations to
 * them (POST …/users/:id/allocations). The checks of an allocation are
 * the service's (whitelabel_allocation_prepare), shared with the dashboard.
 */
#include "api/api.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/ids.h"
#include "services/whitelabel.h"

static void
render_user(struct wl_buf *b, const void *row)
{
	const struct store_client_user *u = row;
	char t[WL_CURSOR_TEXT_MAX], minutes[32];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "user_id", u->user.id);
	wl_json_kv_str(b, "org_id", u->user.org_id);
	wl_json_kv_str(b, "email", u->user.email);
	wl_format_minutes(u->balance_seconds, minutes);
	wl_json_kv_raw(b, "credits_balance", minutes);
	wl_format_iso_ms(u->user.created_at, t);
	wl_json_kv_str(b, "created_at", t);
	wl_json_key(b, "purchases");
	wl_json_int(b, u->purchases);
	wl_json_key(b, "email_verified");
	wl_json_bool(b, u->verified_at != 0);
	wl_json_key(b, "last_login_at");
	if (u->last_login_at != 0) {
		wl_format_iso_ms(u->last_login_at, t);
		wl_json_str(b, t);
	} else {
		wl_json_null(b);
	}
	wl_json_obj_end(b);
}

static void
user_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_client_user *u = row;

	*ms = u->user.created_at;
	*id = u->user.id;
}

void
api_whitelabel_users(struct wl_req *req)
{
	static const struct api_list_shape shape = { "users", render_user, user_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	if (!api_parent_only(req))
		return;
	wl_error_clear(&err);
	if (api_page(req, 100, PAGE_MAX, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    accounts_client_users(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) !=
		    WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

static void
allocation_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct whitelabel_allocation *r = arg;
	char minutes[32];

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "user_id", r->user_id);
	wl_json_kv_str(&req->out, "org_id", r->org_id);
	wl_json_kv_int(&req->out, "credits", r->credits);
	wl_json_kv_str(&req->out, "description", r->description);
	wl_format_minutes(r->balance_seconds, minutes);
	wl_json_kv_raw(&req->out, "credits_balance", minutes);
	wl_json_kv_bool(&req->out, "applied", r->applied);
	wl_json_obj_end(&req->out);
	http_reply_json(req, r->applied ? 201 : 200);
}

static const char *const allocation_known[] = { "credits", "description", NULL };

void
api_whitelabel_allocate(struct wl_req *req)
{
	struct whitelabel_allocation *r;
	struct wl_error err;
	const char *desc = NULL, *key = http_header(req, "Idempotency-Key");
	int64_t credits = 0;
	char id[WL_ID_LEN];
	json_t *body;

	if (!api_parent_only(req))
		return;
	if (!wl_valid_uuid(req->params[0])) {
		http_reply_fail(req, WL_ENOTFOUND, "user not found among your portal's users");
		return;
	}
	if (key != NULL && !wl_valid_token(key, WHITELABEL_ALLOC_KEY_MAX)) {
		http_reply_fail(req, WL_EINVALID,
				"Idempotency-Key must be 1 to 200 letters, digits or ._:-");
		return;
	}
	if ((body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	if (api_unknown_fields_named(body, allocation_known, &err) != WL_OK)
		goto bad;
	if (api_int(body, "credits", true, -WL_PACKAGE_CREDITS_MAX, WL_PACKAGE_CREDITS_MAX,
		    &credits, &err) < 0 ||
	    api_string(body, "description", true, WHITELABEL_ALLOC_DESC_MAX, &desc, &err) < 0)
		goto bad;
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto bad;
	}
	if (key == NULL) {
		ids_new_uuid(id);
		key = id;
	}
	if (whitelabel_allocation_prepare(r, req->org.id, req->params[0], credits, desc,
					  "alloc:api:", key, &err) != WL_OK)
		goto bad;
	json_decref(body);
	http_actor(req, &r->actor);
	http_submit(req, whitelabel_allocate_run, r, allocation_finish);
	return;
bad:
	json_decref(body);
	http_reply_error(req, &err);
}
