/*
 * dashboard.c — the dashboard's home (the minutes or credits balance of the
 * org acted on and its usage this month, with the organization switcher)
 * and the agency's users table with manual credit allocations. Business
 * rules stay in services/: this file reads, renders, and queues the
 * allocation job.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/calls.h"
#include "services/ids.h"
#include "services/pricing.h"
#include "services/webhooks.h"
#include "services/whitelabel.h"

#define USAGE_ROWS 10 /* recent calls on the home page */
#define USERS_PAGE 50 /* portal users a page */

static void
put_minutes(struct tpl_data *d, const char *name, int64_t seconds)
{
	char m[32];

	wl_format_minutes(seconds, m);
	tpl_put(d, name, m);
}

static void
put_time(struct tpl_data *d, const char *name, int64_t ms)
{
	char t[32];

	wl_format_iso_ms(ms, t);
	t[16] = '\0'; /* "YYYY-MM-DDTHH:MM" */
	t[10] = ' ';
	tpl_putf(d, name, "%s UTC", t);
}

/* The month's cost as services/pricing.h decides it: the platform price for
 * a parent, the agency's package price for a client, "—" without a price. */
static void
put_cost(struct tpl_data *d, const struct wl_req *req, const struct pricing_cost *cost)
{
	char m[32];
	bool child = req->org.parent_id[0] != '\0';

	if (cost->known) {
		wl_format_cents(cost->minor, m);
		tpl_putf(d, "month_cost", "%s%s", wl_currency_symbol(cost->currency), m);
	} else {
		tpl_put(d, "month_cost", "—");
	}
	tpl_put(d, "cost_currency", cost->currency);
	tpl_put(d, "cost_basis",
		!child        ? "at the platform price"
		: cost->known ? "at the package price"
			      : "no package price set");
}

void
web_dashboard(struct wl_req *req)
{
	struct tpl_data *d, *row;
	const struct store_usage *rows;
	struct usage_report rep;
	struct wl_error err;
	int64_t today = req->now_ms / WL_MS_PER_DAY;
	int64_t from = wl_month_start_ms(req->now_ms) / WL_MS_PER_DAY;
	bool child = req->org.parent_id[0] != '\0';
	int i, status = 200;

	wl_error_clear(&err);
	if (calls_usage(req->conn, req->app, &req->org, from, today, 0, "", USAGE_ROWS, &rep,
			&err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	d = web_page_data(req, "Dashboard", "dashboard");
	tpl_put_bool(d, "is_child", child);
	tpl_put(d, "balance_label", child ? "Credits balance" : "Minutes balance");
	put_minutes(d, "balance", req->org.balance_seconds);
	tpl_put_bool(d, "balance_low", webhooks_balance_low(&req->org));
	tpl_putf(d, "low_threshold", "%lld", (long long)req->org.low_balance_minutes);
	put_minutes(d, "month_minutes", rep.total_seconds);
	tpl_putf(d, "month_calls", "%lld", (long long)rep.total_rows);
	put_cost(d, req, &rep.cost);
	tpl_put_list(d, "usage");
	rows = usage_rows(&rep);
	for (i = 0; i < rep.page.n; i++) {
		row = tpl_push(d, "usage");
		put_time(row, "when", rows[i].created_at);
		put_minutes(row, "minutes", rows[i].duration_sec);
		tpl_put(row, "call_id", rows[i].call_id);
	}
	tpl_put_bool(d, "more_usage", rep.page.more);
	usage_report_free(&rep);
	tpl_put(d, "chart_action", "/dashboard");
	if (web_usage_chart(req, d, &status) != WL_OK) {
		tpl_data_free(d);
		http_reply_fail(req, WL_EUNAVAILABLE, "The usage could not be read");
		return;
	}
	web_render(req, status, "dashboard", d);
}

/* A client's limits: the form's values ("" = none) and a summary. */
static void
put_limits(struct tpl_data *row, const struct store_client_user *u)
{
	bool calls = u->max_concurrent_calls != STORE_NO_LIMIT;
	bool minutes = u->monthly_minutes != STORE_NO_LIMIT;

	tpl_put(row, "org_id", u->user.org_id);
	tpl_putf(row, "max_concurrent", "%lld", (long long)u->max_concurrent_calls);
	tpl_putf(row, "monthly_minutes", "%lld", (long long)u->monthly_minutes);
	if (!calls)
		tpl_put(row, "max_concurrent", "");
	if (!minutes)
		tpl_put(row, "monthly_minutes", "");
	if (calls && minutes)
		tpl_putf(row, "limits_text", "%lld at once · %lld min/month",
			 (long long)u->max_concurrent_calls, (long long)u->monthly_minutes);
	else if (calls)
		tpl_putf(row, "limits_text", "%lld at once", (long long)u->max_concurrent_calls);
	else if (minutes)
		tpl_putf(row, "limits_text", "%lld min/month", (long long)u->monthly_minutes);
	else
		tpl_put(row, "limits_text", "No limits");
}

/* ---- users and allocations -------------------------------------------------- */

struct alloc_form {
	const char *user_id;
	const char *credits;
	const char *description;
	const char *error;
};

/* One page of the agency's users, as read: the rows shown, whether a next
 * page exists, and the cursor the page started after ("" = the first). */
struct users_view {
	const struct store_client_user *users;
	int n;
	bool more;
	const char *after;
};

/* The page from what was read: the chrome and one page of users. */
static void
users_page_with(struct wl_req *req, int status, const struct alloc_form *failed,
		const struct accounts_chrome *chrome, const struct users_view *v)
{
	struct tpl_data *d, *row;
	const struct store_client_user *users = v->users;
	const char *done = http_query(req, "allocated");
	const char *credits = http_query(req, "credits");
	char ref[40], next[WL_CURSOR_TEXT_MAX];
	int i;

	d = web_page_data_with(req, chrome, "Users", "users");
	tpl_put(d, "after", v->after);
	tpl_put_list(d, "users");
	for (i = 0; i < v->n; i++) {
		bool is_failed = failed != NULL && strcmp(failed->user_id, users[i].user.id) == 0;
		bool is_done = done != NULL && strcmp(done, users[i].user.id) == 0;

		row = tpl_push(d, "users");
		tpl_put(row, "user_id", users[i].user.id);
		tpl_put(row, "email", users[i].user.email);
		put_minutes(row, "credits_balance", users[i].balance_seconds);
		put_time(row, "joined", users[i].user.created_at);
		tpl_put_bool(row, "verified", users[i].verified_at != 0);
		tpl_putf(row, "purchases", "%lld", (long long)users[i].purchases);
		put_limits(row, &users[i]);
		if (users[i].last_login_at != 0)
			put_time(row, "last_login", users[i].last_login_at);
		else
			tpl_put(row, "last_login", "never");
		/* A fresh reference per form: submitting the same form twice
		 * allocates once. */
		ids_random_token(ref, 16);
		tpl_put(row, "ref", ref);
		tpl_put_bool(row, "open", is_failed);
		if (is_failed) {
			tpl_put(row, "v_credits", failed->credits);
			tpl_put(row, "v_description", failed->description);
			tpl_put(row, "alloc_error", failed->error);
		}
		if (is_done && credits != NULL && strlen(credits) < 16) {
			tpl_put(d, "flash_email", users[i].user.email);
			tpl_put(d, "flash_credits", credits);
			put_minutes(d, "flash_balance", users[i].balance_seconds);
			tpl_put_bool(row, "just_done", true);
		}
	}
	tpl_putf(d, "user_count", "%d%s", v->n, v->more ? "+" : "");
	if (v->more && wl_cursor_encode(users[v->n - 1].user.created_at, users[v->n - 1].user.id,
					next, sizeof(next)) == WL_OK)
		tpl_put(d, "next_after", next);
	tpl_put_bool(d, "paged", v->more || v->after[0] != '\0');
	web_render(req, status, "users", d);
}

/* The cursor of `after` (from our own "Next page" link); anything else is
 * the first page and `after` becomes "". */
static const char *
users_cursor(const char *after, int64_t *cursor_ms, char cursor_id[64])
{
	if (after == NULL || wl_cursor_decode(after, cursor_ms, cursor_id) != WL_OK) {
		*cursor_ms = 0;
		cursor_id[0] = '\0';
		return "";
	}
	return after;
}

/* The page, read on the handler's connection. */
static void
users_page(struct wl_req *req, int status, const struct alloc_form *failed)
{
	struct tpl_data *d;
	struct accounts_chrome *chrome;
	struct users_view v;
	struct page pg;
	struct wl_error err;
	char cursor_id[64];
	int64_t cursor_ms;

	wl_error_clear(&err);
	if (whitelabel_require_parent(&req->org, &err) != WL_OK) {
		d = web_page_data(req, "Users", "users");
		tpl_put_bool(d, "not_parent", true);
		web_render(req, 200, "users", d);
		return;
	}
	v.after = users_cursor(failed != NULL ? http_form(req, "after") : http_query(req, "after"),
			       &cursor_ms, cursor_id);
	chrome = http_alloc(req, sizeof(*chrome));
	if (chrome == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	if (accounts_client_users(req->conn, req->org.id, cursor_ms, cursor_id, USERS_PAGE, &pg,
				  &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, chrome);
	v.users = pg.rows;
	v.n = pg.n;
	v.more = pg.more;
	users_page_with(req, status, failed, chrome, &v);
	page_free(&pg);
}

void
web_users(struct wl_req *req)
{
	users_page(req, 200, NULL);
}

/* The allocation job and, when it is refused, the page to show again, read
 * by the writer before the finish (which never queries the database). The
 * rows are copied into the request's own memory, so nothing outlives a
 * client that goes away meanwhile. */
struct alloc_job {
	struct whitelabel_allocation alloc; /* first: the job's argument */
	char user_id[WL_ID_LEN];            /* of the session */
	char session_org_id[WL_ID_LEN];
	struct store_org acting;
	const char *after; /* the users page the form was on */
	int64_t cursor_ms;
	char cursor_id[64];
	struct accounts_chrome *chrome;
	struct store_client_user *users; /* USERS_PAGE rows */
	struct users_view view;
	bool page_read;
};

static void
allocate_refused(struct store_conn *c, void *arg)
{
	struct alloc_job *j = arg;
	struct wl_error err;
	struct page pg;

	wl_error_clear(&err);
	j->page_read = false;
	if (accounts_client_users(c, j->alloc.parent_org_id, j->cursor_ms, j->cursor_id, USERS_PAGE,
				  &pg, &err) != WL_OK)
		return;
	memcpy(j->users, pg.rows, sizeof(*j->users) * (size_t)pg.n);
	j->view.users = j->users;
	j->view.n = pg.n;
	j->view.more = pg.more;
	j->view.after = j->after;
	page_free(&pg);
	accounts_chrome_read(c, j->user_id, j->session_org_id, &j->acting, j->chrome);
	j->page_read = true;
}

static void
allocate_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct alloc_job *j = arg;
	struct whitelabel_allocation *r = &j->alloc;
	struct alloc_form f;
	char loc[360];

	if (rc == WL_OK) {
		/* back to the page the form was on (a cursor we made: url-safe) */
		snprintf(loc, sizeof(loc), "/dashboard/users?allocated=%s&credits=%lld%s%s#user-%s",
			 r->user_id, (long long)r->credits, j->after[0] ? "&after=" : "", j->after,
			 r->user_id);
		http_redirect(req, loc);
		return;
	}
	if (rc != WL_EVALIDATION) {
		http_reply_error(req, err);
		return;
	}
	if (!j->page_read) {
		web_error_page(req, 422, NULL,
			       err->nfields > 0 ? err->fields[0].message : err->message);
		return;
	}
	f.user_id = r->user_id;
	f.credits = http_form(req, "credits");
	f.description = http_form(req, "description");
	f.error = err->nfields > 0 ? err->fields[0].message : err->message;
	if (err->nfields > 0 && strcmp(err->fields[0].name, "credits") == 0) {
		char *msg = http_alloc(req, 200);

		if (msg != NULL) {
			snprintf(msg, 200, "Credits amount %s", err->fields[0].message);
			f.error = msg;
		}
	}
	users_page_with(req, 422, &f, j->chrome, &j->view);
}

static bool
parse_credits(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	bool neg = false;

	if (s == NULL)
		return false;
	while (*s == ' ')
		s++;
	if (*s == '-') {
		neg = true;
		s++;
	}
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 8)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	while (s[i] == ' ')
		i++;
	if (i == 0 || s[i] != '\0')
		return false;
	*out = neg ? -v : v;
	return true;
}

/* The form's own wording for the first complaint of the allocation checks. */
static const char *
allocation_form_error(const struct wl_error_field *f)
{
	if (strcmp(f->name, "credits") == 0)
		return "Enter a whole number of credits, not zero (up to 1,000,000; negative "
		       "to correct a mistake).";
	if (strcmp(f->name, "description") == 0)
		return f->reason == WL_FIELD_TOO_LONG
			       ? "The description must be at most 500 characters."
			       : "Enter a description, e.g. the invoice number or the reason.";
	return "This form is out of date. Please enter the allocation again.";
}

void
web_allocate(struct wl_req *req)
{
	struct alloc_job *j;
	struct whitelabel_allocation *r;
	struct alloc_form f;
	struct wl_error err;
	const char *ref = http_form(req, "ref");
	int64_t credits = 0;

	wl_error_clear(&err);
	if (whitelabel_require_parent(&req->org, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (!wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That user is not among your portal's users.");
		return;
	}
	f.user_id = req->params[0];
	f.credits = http_form(req, "credits");
	f.description = http_form(req, "description");
	f.error = NULL;
	j = http_alloc(req, sizeof(*j));
	if (j != NULL) {
		j->chrome = http_alloc(req, sizeof(*j->chrome));
		j->users = http_alloc(req, sizeof(*j->users) * USERS_PAGE);
	}
	if (j == NULL || j->chrome == NULL || j->users == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	r = &j->alloc;
	if (!parse_credits(f.credits, &credits))
		wl_error_field_why(&err, "credits", WL_FIELD_INVALID, "must be a whole number");
	else
		(void)whitelabel_allocation_prepare(r, req->org.id, req->params[0], credits,
						    f.description, "alloc:web:", ref, &err);
	if (err.nfields > 0) {
		f.error = allocation_form_error(&err.fields[0]);
		users_page(req, 422, &f);
		return;
	}
	memcpy(j->user_id, req->user_id, WL_ID_LEN);
	memcpy(j->session_org_id, req->key_org_id, WL_ID_LEN);
	j->acting = req->org;
	j->after = users_cursor(http_form(req, "after"), &j->cursor_ms, j->cursor_id);
	http_actor(req, &r->actor);
	http_submit(req, whitelabel_allocate_run, r, allocate_finish);
	http_on_refusal(req, allocate_refused);
}
