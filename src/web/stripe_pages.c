/*
 * stripe_pages.c — the agency dashboard's Stripe pages: its purchases
 * (amount, currency, date, client) and its Stripe events log (every webhook
 * delivery with its signature verdict and outcome, for "payments not
 * crediting users"), newest first, paged with ?after= cursors we made.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "services/purchases.h"
#include "services/whitelabel.h"

#define STRIPE_PAGE 50

typedef int (*list_fn)(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
		       const char *cursor_id, int limit, struct page *out, struct wl_error *err);

/* The page's data and rows; NULL after answering (not a parent, an error). */
static struct tpl_data *
list_page(struct wl_req *req, const char *title, const char *nav, const char *tpl, list_fn list,
	  struct page *pg)
{
	struct tpl_data *d = web_page_data(req, title, nav);
	const char *after = http_query(req, "after");
	struct wl_error err;
	int64_t cursor_ms = 0;
	char cursor_id[64] = "";

	if (d == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return NULL;
	}
	wl_error_clear(&err);
	if (whitelabel_require_parent(&req->org, &err) != WL_OK) {
		tpl_put_bool(d, "not_parent", true);
		web_render(req, 200, tpl, d);
		return NULL;
	}
	if (after == NULL || wl_cursor_decode(after, &cursor_ms, cursor_id) != WL_OK)
		after = "";
	if (list(req->conn, req->org.id, cursor_ms, cursor_id, STRIPE_PAGE, pg, &err) != WL_OK) {
		tpl_data_free(d);
		http_reply_error(req, &err);
		return NULL;
	}
	tpl_put(d, "after", after);
	tpl_put_bool(d, "paged", pg->more || after[0] != '\0');
	tpl_putf(d, "count", "%d%s", pg->n, pg->more ? "+" : "");
	tpl_put_list(d, "rows");
	return d;
}

static void
next_link(struct tpl_data *d, bool more, int64_t ms, const char *id)
{
	char next[WL_CURSOR_TEXT_MAX];

	if (more && wl_cursor_encode(ms, id, next, sizeof(next)) == WL_OK)
		tpl_put(d, "next_after", next);
}

static const char *
status_badge(const char *status)
{
	return strcmp(status, "paid") == 0 || strcmp(status, "credited") == 0 ? "badge-success"
	       : strcmp(status, "mismatch") == 0 || strcmp(status, "bad_signature") == 0
		       ? "badge-danger"
		       : "badge-neutral";
}

void
web_purchases(struct wl_req *req)
{
	const struct store_purchase *rows;
	struct tpl_data *d, *row;
	struct page pg;
	char t[WL_CURSOR_TEXT_MAX], amount[32];
	int i;

	if ((d = list_page(req, "Purchases", "purchases", "purchases", purchases_list, &pg)) ==
	    NULL)
		return;
	rows = pg.rows;
	for (i = 0; i < pg.n; i++) {
		row = tpl_push(d, "rows");
		tpl_put(row, "id", rows[i].id);
		wl_format_iso_ms(rows[i].paid_at > 0 ? rows[i].paid_at : rows[i].created_at, t);
		t[16] = '\0'; /* 2026-01-31T12:34 */
		t[10] = ' ';
		tpl_putf(row, "date", "%s UTC", t);
		tpl_put(row, "email", rows[i].email[0] ? rows[i].email : rows[i].org_id);
		tpl_putf(row, "credits", "%lld", (long long)rows[i].credits);
		wl_format_cents(rows[i].amount_cents, amount);
		tpl_put(row, "amount", amount);
		tpl_put(row, "currency", rows[i].currency);
		tpl_put(row, "status", rows[i].status);
		tpl_put(row, "badge", status_badge(rows[i].status));
	}
	next_link(d, pg.more, pg.n ? rows[pg.n - 1].created_at : 0, pg.n ? rows[pg.n - 1].id : "");
	page_free(&pg);
	web_render(req, 200, "purchases", d);
}

void
web_stripe_events(struct wl_req *req)
{
	const struct store_stripe_event *rows;
	struct store_whitelabel s;
	struct wl_error err;
	struct tpl_data *d, *row;
	struct page pg;
	char t[WL_CURSOR_TEXT_MAX], url[600];
	int i;

	d = list_page(req, "Stripe events", "stripe_events", "stripe_events", purchases_events_list,
		      &pg);
	if (d == NULL)
		return;
	wl_error_clear(&err);
	if (whitelabel_load(req->conn, req->org.id, &s, &err) == WL_OK && s.slug[0] != '\0') {
		whitelabel_webhook_url(req->app, s.slug, url, sizeof(url));
		tpl_put(d, "webhook_url", url);
	}
	rows = pg.rows;
	for (i = 0; i < pg.n; i++) {
		row = tpl_push(d, "rows");
		wl_format_iso_ms(rows[i].received_at, t);
		t[19] = '\0'; /* 2026-01-31T12:34:56 */
		t[10] = ' ';
		tpl_putf(row, "date", "%s UTC", t);
		tpl_put(row, "event_id", rows[i].event_id[0] ? rows[i].event_id : "—");
		tpl_put(row, "type", rows[i].type[0] ? rows[i].type : "—");
		tpl_put(row, "signature", rows[i].signature);
		tpl_put(row, "outcome", rows[i].outcome);
		tpl_put(row, "badge", status_badge(rows[i].outcome));
		tpl_put(row, "org", rows[i].org_id[0] ? rows[i].org_id : "—");
		tpl_put(row, "detail", rows[i].detail);
	}
	next_link(d, pg.more, pg.n ? rows[pg.n - 1].received_at : 0, pg.n ? rows[pg.n - 1].id : "");
	page_free(&pg);
	web_render(req, 200, "stripe_events", d);
}
