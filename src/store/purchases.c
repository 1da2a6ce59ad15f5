/*
 * purchases.c — Stripe purchases (one per Checkout Session) and the Stripe
 * events log (every webhook delivery received), written once for both
 * drivers (db.h); the SQL of each dialect is in statements*.c. The credit
 * of a purchase is a ledger entry (ledger_ops.c), not a row here.
 */
#include "store/db.h"

static void
read_purchase(struct db_stmt *st, void *out)
{
	struct store_purchase *p = out;

	db_col_text(st, 0, p->id, sizeof(p->id));
	db_col_text(st, 1, p->agency_id, sizeof(p->agency_id));
	db_col_text(st, 2, p->org_id, sizeof(p->org_id));
	db_col_text(st, 3, p->user_id, sizeof(p->user_id));
	db_col_text(st, 4, p->session_id, sizeof(p->session_id));
	db_col_text(st, 5, p->status, sizeof(p->status));
	p->credits = db_col_int64(st, 6);
	p->amount_cents = db_col_int64(st, 7);
	db_col_text(st, 8, p->currency, sizeof(p->currency));
	db_col_text(st, 9, p->event_id, sizeof(p->event_id));
	p->created_at = db_col_int64(st, 10);
	p->paid_at = db_col_int64(st, 11);
	db_col_text(st, 12, p->email, sizeof(p->email));
	db_col_text(st, 13, p->seller, sizeof(p->seller));
	p->net_cents = db_col_int64(st, 14);
	p->vat_rate_bp = db_col_int64(st, 15);
	db_col_text(st, 16, p->vat_rule, sizeof(p->vat_rule));
}

int
store_purchase_pending(struct store_conn *c, const struct store_purchase *p, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PURCHASE_PENDING, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, p->id);
	db_bind_text(st, 2, p->agency_id);
	db_bind_text(st, 3, p->org_id);
	db_bind_text(st, 4, p->user_id);
	db_bind_text(st, 5, p->session_id);
	db_bind_int64(st, 6, p->credits);
	db_bind_int64(st, 7, p->amount_cents);
	db_bind_text(st, 8, p->currency);
	db_bind_int64(st, 9, p->created_at);
	return db_exec(st, err);
}

int
store_purchase_pending_platform(struct store_conn *c, const struct store_purchase *p,
				struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PURCHASE_PENDING_PLATFORM, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, p->id);
	db_bind_text(st, 2, p->agency_id);
	db_bind_text(st, 3, p->org_id);
	db_bind_text(st, 4, p->user_id);
	db_bind_text(st, 5, p->session_id);
	db_bind_int64(st, 6, p->credits);
	db_bind_int64(st, 7, p->amount_cents);
	db_bind_text(st, 8, p->currency);
	db_bind_int64(st, 9, p->created_at);
	db_bind_int64(st, 10, p->net_cents);
	db_bind_int64(st, 11, p->vat_rate_bp);
	db_bind_text(st, 12, p->vat_rule);
	return db_exec(st, err);
}

int
store_purchase_settle(struct store_conn *c, const struct store_purchase *p, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PURCHASE_SETTLE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, p->id);
	db_bind_text(st, 2, p->agency_id);
	db_bind_text(st, 3, p->org_id);
	db_bind_text(st, 4, p->user_id);
	db_bind_text(st, 5, p->session_id);
	db_bind_text(st, 6, p->status);
	db_bind_int64(st, 7, p->credits);
	db_bind_int64(st, 8, p->amount_cents);
	db_bind_text(st, 9, p->currency);
	db_bind_text(st, 10, p->event_id);
	db_bind_int64(st, 11, p->created_at);
	db_bind_int64(st, 12, p->paid_at);
	return db_insert_once(st, err);
}

int
store_purchase_by_session(struct store_conn *c, const char *session_id, struct store_purchase *out,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PURCHASE_BY_SESSION, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, session_id);
	return db_one(st, read_purchase, out, WL_ENOTFOUND, "purchase not found", err);
}

/* A newest-first list of an agency's rows after a cursor. */
static int
agency_rows(struct store_conn *c, enum stmt_id id, const char *agency_id, int64_t cursor_ms,
	    const char *cursor_id, int limit, db_read_fn read, void *out, size_t size, int *n,
	    struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, agency_id);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id);
	db_bind_int64(st, 4, limit);
	return db_rows(st, read, out, size, limit, n, err);
}

int
store_purchase_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
		    const char *cursor_id, int limit, struct store_purchase *out, int *n,
		    struct wl_error *err)
{
	return agency_rows(c, Q_PURCHASE_LIST, agency_id, cursor_ms, cursor_id, limit,
			   read_purchase, out, sizeof(*out), n, err);
}

static void
read_event(struct db_stmt *st, void *out)
{
	struct store_stripe_event *e = out;

	db_col_text(st, 0, e->id, sizeof(e->id));
	db_col_text(st, 1, e->agency_id, sizeof(e->agency_id));
	e->received_at = db_col_int64(st, 2);
	db_col_text(st, 3, e->event_id, sizeof(e->event_id));
	db_col_text(st, 4, e->type, sizeof(e->type));
	db_col_text(st, 5, e->signature, sizeof(e->signature));
	db_col_text(st, 6, e->outcome, sizeof(e->outcome));
	db_col_text(st, 7, e->org_id, sizeof(e->org_id));
	db_col_text(st, 8, e->session_id, sizeof(e->session_id));
	db_col_text(st, 9, e->detail, sizeof(e->detail));
}

int
store_stripe_event_insert(struct store_conn *c, const struct store_stripe_event *e,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_STRIPE_EVENT_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->agency_id);
	db_bind_int64(st, 3, e->received_at);
	db_bind_text(st, 4, e->event_id);
	db_bind_text(st, 5, e->type);
	db_bind_text(st, 6, e->signature);
	db_bind_text(st, 7, e->outcome);
	db_bind_text(st, 8, e->org_id);
	db_bind_text(st, 9, e->session_id);
	db_bind_text(st, 10, e->detail);
	return db_exec(st, err);
}

int
store_stripe_event_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
			const char *cursor_id, int limit, struct store_stripe_event *out, int *n,
			struct wl_error *err)
{
	return agency_rows(c, Q_STRIPE_EVENT_LIST, agency_id, cursor_ms, cursor_id, limit,
			   read_event, out, sizeof(*out), n, err);
}

int
store_stripe_event_bad_since(struct store_conn *c, const char *agency_id, int64_t since,
			     int64_t *count, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_STRIPE_EVENT_BAD_SINCE, err);

	*count = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, agency_id);
	db_bind_int64(st, 2, since);
	return db_one(st, db_read_int64, count, WL_EINTERNAL, "stripe events: no count", err);
}
