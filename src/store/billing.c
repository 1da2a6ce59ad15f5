/*
 * billing.c — billing information, invoices with their gapless number
 * counters, and bring-your-own-key provider keys (sealed), written once
 * for both drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

static void
read_billing(struct db_stmt *st, void *out)
{
	struct store_billing_info *b = out;

	db_col_text(st, 0, b->org_id, sizeof(b->org_id));
	db_col_text(st, 1, b->company_name, sizeof(b->company_name));
	db_col_text(st, 2, b->address, sizeof(b->address));
	db_col_text(st, 3, b->country, sizeof(b->country));
	db_col_text(st, 4, b->vat_id, sizeof(b->vat_id));
	db_col_text(st, 5, b->vat_status, sizeof(b->vat_status));
	b->vat_checked_at = db_col_int64(st, 6);
	db_col_text(st, 7, b->vat_check_detail, sizeof(b->vat_check_detail));
	b->client_invoices = db_col_int64(st, 8) != 0;
	b->updated_at = db_col_int64(st, 9);
}

int
store_billing_get(struct store_conn *c, const char *org_id, struct store_billing_info *out,
		  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_BILLING_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	return db_one(st, read_billing, out, WL_ENOTFOUND, "no billing information", err);
}

int
store_billing_put(struct store_conn *c, const struct store_billing_info *b, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_BILLING_PUT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, b->org_id);
	db_bind_text(st, 2, b->company_name);
	db_bind_text(st, 3, b->address);
	db_bind_text(st, 4, b->country);
	db_bind_text(st, 5, b->vat_id);
	db_bind_text(st, 6, b->vat_status);
	db_bind_int64(st, 7, b->vat_checked_at);
	db_bind_text(st, 8, b->vat_check_detail);
	db_bind_int64(st, 9, b->client_invoices ? 1 : 0);
	db_bind_int64(st, 10, b->updated_at);
	return db_exec(st, err);
}

int
store_invoice_next_number(struct store_conn *c, const char *seller_id, int64_t year,
			  int64_t *number, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_INVOICE_NEXT, err);

	*number = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, seller_id);
	db_bind_int64(st, 2, year);
	return db_one(st, db_read_int64, number, WL_EINTERNAL, "invoice counter: no number", err);
}

static void
read_invoice(struct db_stmt *st, void *out)
{
	struct store_invoice *v = out;

	db_col_text(st, 0, v->id, sizeof(v->id));
	db_col_text(st, 1, v->seller_id, sizeof(v->seller_id));
	db_col_text(st, 2, v->number, sizeof(v->number));
	db_col_text(st, 3, v->buyer_org_id, sizeof(v->buyer_org_id));
	db_col_text(st, 4, v->purchase_ref, sizeof(v->purchase_ref));
	v->issued_at = db_col_int64(st, 5);
	db_col_text(st, 6, v->issue_date, sizeof(v->issue_date));
	db_col_text(st, 7, v->seller_name, sizeof(v->seller_name));
	db_col_text(st, 8, v->seller_address, sizeof(v->seller_address));
	db_col_text(st, 9, v->seller_country, sizeof(v->seller_country));
	db_col_text(st, 10, v->seller_vat_id, sizeof(v->seller_vat_id));
	db_col_text(st, 11, v->buyer_name, sizeof(v->buyer_name));
	db_col_text(st, 12, v->buyer_address, sizeof(v->buyer_address));
	db_col_text(st, 13, v->buyer_country, sizeof(v->buyer_country));
	db_col_text(st, 14, v->buyer_vat_id, sizeof(v->buyer_vat_id));
	db_col_text(st, 15, v->buyer_vat_status, sizeof(v->buyer_vat_status));
	db_col_text(st, 16, v->description, sizeof(v->description));
	v->quantity = db_col_int64(st, 17);
	v->unit_price_micro = db_col_int64(st, 18);
	v->net_cents = db_col_int64(st, 19);
	v->vat_rate_bp = db_col_int64(st, 20);
	v->vat_cents = db_col_int64(st, 21);
	v->gross_cents = db_col_int64(st, 22);
	db_col_text(st, 23, v->currency, sizeof(v->currency));
	db_col_text(st, 24, v->vat_rule, sizeof(v->vat_rule));
	db_col_text(st, 25, v->vat_wording, sizeof(v->vat_wording));
	db_col_text(st, 26, v->vat_note, sizeof(v->vat_note));
}

int
store_invoice_insert(struct store_conn *c, const struct store_invoice *v, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_INVOICE_INSERT, err);
	const char *text[] = { v->id,
			       v->seller_id,
			       v->number,
			       v->buyer_org_id,
			       v->purchase_ref,
			       NULL,
			       v->issue_date,
			       v->seller_name,
			       v->seller_address,
			       v->seller_country,
			       v->seller_vat_id,
			       v->buyer_name,
			       v->buyer_address,
			       v->buyer_country,
			       v->buyer_vat_id,
			       v->buyer_vat_status,
			       v->description };
	int i;

	if (st == NULL)
		return err->code;
	for (i = 0; i < (int)(sizeof(text) / sizeof(text[0])); i++)
		if (text[i] != NULL)
			db_bind_text(st, i + 1, text[i]);
	db_bind_int64(st, 6, v->issued_at);
	db_bind_int64(st, 18, v->quantity);
	db_bind_int64(st, 19, v->unit_price_micro);
	db_bind_int64(st, 20, v->net_cents);
	db_bind_int64(st, 21, v->vat_rate_bp);
	db_bind_int64(st, 22, v->vat_cents);
	db_bind_int64(st, 23, v->gross_cents);
	db_bind_text(st, 24, v->currency);
	db_bind_text(st, 25, v->vat_rule);
	db_bind_text(st, 26, v->vat_wording);
	db_bind_text(st, 27, v->vat_note);
	return db_insert_once(st, err);
}

int
store_invoice_get(struct store_conn *c, const char *org_id, const char *id,
		  struct store_invoice *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_INVOICE_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, id);
	return db_one(st, read_invoice, out, WL_ENOTFOUND, "invoice not found", err);
}

int
store_invoice_list(struct store_conn *c, const struct store_invoice_query *q, int64_t cursor_ms,
		   const char *cursor_id, int limit, struct store_invoice *out, int *n,
		   struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, q->as_seller ? Q_INVOICE_SOLD : Q_INVOICE_LIST, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, q->org_id);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id);
	db_bind_int64(st, 4, limit);
	return db_rows(st, read_invoice, out, sizeof(*out), limit, n, err);
}

int
store_provider_key_put(struct store_conn *c, const char *org_id, const char *provider,
		       const char *sealed, int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PROVIDER_KEY_PUT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, provider);
	db_bind_text(st, 3, sealed);
	db_bind_int64(st, 4, now);
	return db_exec(st, err);
}

int
store_provider_key_delete(struct store_conn *c, const char *org_id, const char *provider,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PROVIDER_KEY_DELETE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, provider);
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	return db_finish(st, db_changes(st) == 1
				     ? WL_OK
				     : wl_fail(err, WL_ENOTFOUND,
					       "No %s key is set for this organization", provider));
}

static void
read_provider(struct db_stmt *st, void *out)
{
	db_col_text(st, 0, out, 32);
}

int
store_provider_key_list(struct store_conn *c, const char *org_id, char (*out)[32], int max, int *n,
			struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PROVIDER_KEY_LIST, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, max);
	return db_rows(st, read_provider, out, 32, max, n, err);
}
