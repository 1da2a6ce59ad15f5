/*
 * trail_pages.c — the dashboard's audit trail (/dashboard/audit: who
 * changed what, filtered by type and dates, paged), its API keys page
 * (made with a name and shown once, revoked with one click) and the form
 * that sets a client's limits from the users table. Rules stay in
 * services/trail.c, apikeys.c and limits.c.
 */
#include "web/web.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/apikeys.h"
#include "services/limits.h"
#include "services/trail.h"

#define AUDIT_PAGE 50

static void
put_when(struct tpl_data *d, const char *name, int64_t ms)
{
	char t[32];

	if (ms <= 0) {
		tpl_put(d, name, "never");
		return;
	}
	wl_format_iso_ms(ms, t);
	t[19] = '\0';
	t[10] = ' ';
	tpl_putf(d, name, "%s UTC", t);
}

/* "field: value" lines of an event's changes (a JSON object we wrote). */
static void
put_changes(struct tpl_data *row, const char *detail)
{
	json_t *o = json_loads(detail, 0, NULL);
	struct tpl_data *item;
	const char *key;
	json_t *v;

	tpl_put_list(row, "changes");
	if (o == NULL)
		return;
	json_object_foreach (o, key, v) {
		item = tpl_push(row, "changes");
		tpl_put(item, "field", key);
		if (json_is_string(v))
			tpl_put(item, "value", json_string_value(v));
		else if (json_is_integer(v))
			tpl_putf(item, "value", "%lld", (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			tpl_put(item, "value", json_is_true(v) ? "yes" : "no");
		else
			tpl_put(item, "value", "none");
	}
	json_decref(o);
}

/* A date field of the filter form: [from, to) in ms, "" when not given. */
static const char *
date_field(struct wl_req *req, const char *name, int64_t *ms, int64_t add_days)
{
	const char *v = http_query(req, name);
	int64_t day;

	if (v == NULL || v[0] == '\0' || wl_parse_date(v, &day) != WL_OK)
		return "";
	*ms = (day + add_days) * WL_MS_PER_DAY;
	return v;
}

void
web_audit(struct wl_req *req)
{
	static const char *const types[] = {
		TRAIL_SETTINGS,      TRAIL_ACTIVATED,   TRAIL_DEACTIVATED,    TRAIL_ALLOCATION,
		TRAIL_KEY_CREATED,   TRAIL_KEY_REVOKED, TRAIL_DOMAIN_CLAIMED, TRAIL_DOMAIN_REMOVED,
		TRAIL_DOMAIN_STATUS, TRAIL_LIMITS,      TRAIL_BILLING_INFO
	};
	const struct store_trail_event *rows;
	const char *type = http_query(req, "type"), *after = http_query(req, "after");
	struct tpl_data *d, *row;
	struct wl_error err;
	struct page pg;
	int64_t from = 0, to = INT64_MAX, cursor_ms = 0;
	char cursor_id[64] = "", next[WL_CURSOR_TEXT_MAX];
	size_t i;

	wl_error_clear(&err);
	if (type == NULL || !trail_type_known(type))
		type = "";
	if (after == NULL || wl_cursor_decode(after, &cursor_ms, cursor_id) != WL_OK)
		after = "";
	if ((d = web_page_data(req, "Audit trail", "audit")) == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "f_from", date_field(req, "from", &from, 0));
	tpl_put(d, "f_to", date_field(req, "to", &to, 1));
	tpl_put(d, "f_type", type);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		row = tpl_push(d, "types");
		tpl_put(row, "name", types[i]);
		tpl_put_bool(row, "selected", strcmp(types[i], type) == 0);
	}
	if (trail_list(req->conn, &req->org, type, from, to, cursor_ms, cursor_id, AUDIT_PAGE, &pg,
		       &err) != WL_OK) {
		tpl_data_free(d);
		http_reply_error(req, &err);
		return;
	}
	rows = pg.rows;
	tpl_put_list(d, "rows");
	for (i = 0; i < (size_t)pg.n; i++) {
		row = tpl_push(d, "rows");
		put_when(row, "when", rows[i].created_at);
		tpl_put(row, "type", rows[i].type);
		tpl_put(row, "actor_type", rows[i].actor_type);
		tpl_put(row, "actor_id", rows[i].actor_id[0] ? rows[i].actor_id : "—");
		tpl_put(row, "address", rows[i].address[0] ? rows[i].address : "—");
		tpl_put(row, "org",
			strcmp(rows[i].org_id, req->org.id) == 0 ? "this organization"
								 : rows[i].org_id);
		put_changes(row, rows[i].detail);
	}
	tpl_put(d, "after", after);
	if (pg.more && wl_cursor_encode(rows[pg.n - 1].created_at, rows[pg.n - 1].id, next,
					sizeof(next)) == WL_OK)
		tpl_put(d, "next_after", next);
	tpl_put_bool(d, "paged", pg.more || after[0] != '\0');
	page_free(&pg);
	web_render(req, 200, "audit", d);
}

/* ---- API keys ---- */

void
web_keys(struct wl_req *req)
{
	const struct store_apikey_row *rows;
	struct tpl_data *d, *row;
	struct wl_error err;
	struct page pg;
	const char *done = http_query(req, "done");
	int i;

	wl_error_clear(&err);
	if ((d = web_page_data(req, "API keys", "api_keys")) == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	if (apikeys_list(req->conn, req->org.id, 0, "", APIKEYS_PAGE_MAX, &pg, &err) != WL_OK) {
		tpl_data_free(d);
		http_reply_error(req, &err);
		return;
	}
	rows = pg.rows;
	tpl_put_list(d, "keys");
	for (i = 0; i < pg.n; i++) {
		row = tpl_push(d, "keys");
		tpl_put(row, "id", rows[i].id);
		tpl_put(row, "name", rows[i].label);
		put_when(row, "created", rows[i].created_at);
		put_when(row, "last_used", rows[i].last_used_at);
		tpl_put_bool(row, "active", rows[i].revoked_at == 0);
		if (rows[i].revoked_at != 0)
			put_when(row, "revoked", rows[i].revoked_at);
	}
	page_free(&pg);
	if (done != NULL && strcmp(done, "revoked") == 0)
		tpl_put(d, "flash", "The key is revoked: it is refused from now on.");
	web_render(req, 200, "api_keys", d);
}

/* The job and the page chrome read before it (a finish never queries). */
struct key_job {
	struct apikeys_create k; /* first: the job's argument */
	struct accounts_chrome chrome;
};

static void
key_made(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct key_job *j = arg;
	struct apikeys_create *k = &j->k;
	struct tpl_data *d;

	if (rc != WL_OK) {
		sodium_memzero(k->key, sizeof(k->key));
		web_error_page(req, wl_error_http_status(rc), NULL,
			       rc == WL_ECONFLICT ? err->message
						  : "The key was not made. Please try again.");
		return;
	}
	d = web_page_data_with(req, &j->chrome, "Your new API key", "api_keys");
	if (d != NULL) {
		tpl_put(d, "name", k->name);
		tpl_put(d, "key", k->key);
		tpl_put_bool(d, "new_key", true);
	}
	sodium_memzero(k->key, sizeof(k->key));
	web_render(req, 201, "api_keys", d);
}

void
web_key_create(struct wl_req *req)
{
	struct key_job *j = http_alloc(req, sizeof(*j));
	struct wl_error err;

	wl_error_clear(&err);
	if (j == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	if (apikeys_create_prepare(&j->k, &req->org, http_form(req, "name"), req->now_ms, &err) !=
	    WL_OK) {
		web_error_page(req, 422, NULL,
			       "Give the key a name of 1 to 64 characters of text.");
		return;
	}
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, &j->chrome);
	http_actor(req, &j->k.actor);
	http_submit(req, apikeys_create_run, &j->k, key_made);
}

static void
key_revoked(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	char loc[80];

	(void)arg;
	if (rc != WL_OK && rc != WL_ENOTFOUND) {
		http_reply_error(req, err);
		return;
	}
	snprintf(loc, sizeof(loc), "/dashboard/api-keys%s%sdone=revoked", web_org_query(req),
		 web_org_query(req)[0] ? "&" : "?");
	http_redirect(req, loc);
}

void
web_key_revoke(struct wl_req *req)
{
	struct apikeys_revoke *r;

	if (!wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "There is no such API key.");
		return;
	}
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	apikeys_revoke_prepare(r, &req->org, req->params[0], req->now_ms);
	http_actor(req, &r->actor);
	http_submit(req, apikeys_revoke_run, r, key_revoked);
}

/* ---- a client's limits (the users table's form) ---- */

/* "" → no limit; else a whole number 0..max. */
static bool
parse_limit(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0') {
		*out = STORE_NO_LIMIT;
		return true;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v <= max;
}

static void
limits_saved(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct limits_put *r = arg;
	char loc[120];

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	snprintf(loc, sizeof(loc), "/dashboard/users?limits=%s#client-%s", r->org_id, r->org_id);
	http_redirect(req, loc);
}

void
web_limits_save(struct wl_req *req)
{
	struct limits_put *r;

	if (!wl_valid_uuid(req->params[0]) || req->org.parent_id[0] != '\0') {
		web_error_page(req, 404, NULL, "That organization is not one of your clients.");
		return;
	}
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memset(r, 0, sizeof(*r));
	if (!parse_limit(http_form(req, "max_concurrent_calls"), LIMITS_CONCURRENT_MAX,
			 &r->want.max_concurrent_calls) ||
	    !parse_limit(http_form(req, "monthly_minutes"), LIMITS_MONTHLY_MAX,
			 &r->want.monthly_minutes)) {
		web_error_page(req, 422, NULL,
			       "Limits are whole numbers (leave a field empty for no limit).");
		return;
	}
	r->set_concurrent = r->set_monthly = true;
	memcpy(r->agency_id, req->org.id, WL_ID_LEN);
	memcpy(r->org_id, req->params[0], WL_ID_LEN);
	http_actor(req, &r->actor);
	http_submit(req, limits_put_run, r, limits_saved);
}
