/*
 * invoices.c — issuing the invoice of a credit purchase inside the
 * credit's transaction (number, parties, VAT), and reading invoices back
 * (see invoices.h). The PDF is invoice_pdf.c.
 */
#include "services/invoices.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "core/vat.h"
#include "services/ids.h"

void
invoice_format_micro(int64_t micro, char out[32])
{
	int64_t whole = micro / 1000000, frac = micro % 1000000;
	char f[8];
	int n = 6;

	snprintf(f, sizeof(f), "%06lld", (long long)(frac < 0 ? -frac : frac));
	while (n > 2 && f[n - 1] == '0')
		n--;
	f[n] = '\0';
	snprintf(out, 32, "%lld.%s", (long long)whole, f);
}

/* The seller's details: the platform's settings, or the agency's billing
 * information when it invoices its clients. *due false when it does not. */
static int
seller_of(struct store_conn *c, const struct wl_app *app, const char *seller_id,
	  struct store_invoice *v, bool *due, struct wl_error *err)
{
	struct store_billing_info b;
	int rc;

	*due = true;
	snprintf(v->seller_id, sizeof(v->seller_id), "%s", seller_id);
	if (strcmp(seller_id, INVOICE_SELLER_PLATFORM) == 0) {
		snprintf(v->seller_name, sizeof(v->seller_name), "%s", app->seller_name);
		snprintf(v->seller_address, sizeof(v->seller_address), "%s", app->seller_address);
		snprintf(v->seller_country, sizeof(v->seller_country), "%s", app->seller_country);
		snprintf(v->seller_vat_id, sizeof(v->seller_vat_id), "%s", app->seller_vat_id);
		return WL_OK;
	}
	rc = store_billing_get(c, seller_id, &b, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && !b.client_invoices)) {
		wl_error_clear(err);
		*due = false;
		return WL_OK;
	}
	if (rc != WL_OK)
		return rc;
	snprintf(v->seller_name, sizeof(v->seller_name), "%s", b.company_name);
	snprintf(v->seller_address, sizeof(v->seller_address), "%s", b.address);
	memcpy(v->seller_country, b.country, sizeof(v->seller_country));
	snprintf(v->seller_vat_id, sizeof(v->seller_vat_id), "%s", b.vat_id);
	return WL_OK;
}

static void
vat_note(const struct store_billing_info *b, char *out, size_t n)
{
	char day[32];

	out[0] = '\0';
	if (b->vat_id[0] == '\0')
		return;
	if (strcmp(b->vat_status, "format") == 0) {
		snprintf(out, n,
			 "Customer VAT ID %s checked for its format only (not confirmed "
			 "with VIES).",
			 b->vat_id);
	} else if (strcmp(b->vat_status, "valid") == 0) {
		wl_format_iso_ms(b->vat_checked_at, day);
		snprintf(out, n, "Customer VAT ID %s confirmed by VIES on %.10s.", b->vat_id, day);
	} else if (strcmp(b->vat_status, "invalid") == 0) {
		snprintf(out, n, "Customer VAT ID %s was not confirmed by VIES.", b->vat_id);
	}
}

/* The buyer as its billing information says, else its organization's name
 * in the seller's country. */
static int
buyer_of(struct store_conn *c, const char *org_id, struct store_invoice *v,
	 struct store_billing_info *b, struct wl_error *err)
{
	struct store_org org;
	int rc = store_billing_get(c, org_id, b, err);

	snprintf(v->buyer_org_id, sizeof(v->buyer_org_id), "%s", org_id);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		memset(b, 0, sizeof(*b));
		if ((rc = store_org_get(c, org_id, false, &org, err)) != WL_OK)
			return rc;
		snprintf(b->company_name, sizeof(b->company_name), "%s", org.name);
		memcpy(b->country, v->seller_country, sizeof(b->country));
		snprintf(b->vat_status, sizeof(b->vat_status), "none");
	} else if (rc != WL_OK) {
		return rc;
	}
	snprintf(v->buyer_name, sizeof(v->buyer_name), "%s", b->company_name);
	snprintf(v->buyer_address, sizeof(v->buyer_address), "%s", b->address);
	memcpy(v->buyer_country, b->country, sizeof(v->buyer_country));
	snprintf(v->buyer_vat_id, sizeof(v->buyer_vat_id), "%s", b->vat_id);
	snprintf(v->buyer_vat_status, sizeof(v->buyer_vat_status), "%s", b->vat_status);
	vat_note(b, v->vat_note, sizeof(v->vat_note));
	return WL_OK;
}

/* Net and VAT: as decided at checkout, or taken out of the gross paid by
 * the rule that applies today. */
static int
amounts(const struct wl_app *app, const struct invoice_sale *s, const struct store_billing_info *b,
	int64_t day, struct store_invoice *v, struct wl_error *err)
{
	struct vat_decision d;
	int rc;

	v->gross_cents = s->gross_cents;
	if (s->recorded != NULL) {
		v->net_cents = s->recorded->net_cents;
		v->vat_rate_bp = s->recorded->vat_rate_bp;
		snprintf(v->vat_rule, sizeof(v->vat_rule), "%s", s->recorded->vat_rule);
	} else {
		rc = vat_decide(&app->vat, v->seller_country, v->buyer_country,
				vat_id_status_of(b->vat_status), day, &d, err);
		if (rc != WL_OK)
			return rc;
		v->vat_rate_bp = d.rate_bp;
		snprintf(v->vat_rule, sizeof(v->vat_rule), "%s", d.rule_name);
		v->net_cents =
			(s->gross_cents * 10000 + (10000 + d.rate_bp) / 2) / (10000 + d.rate_bp);
	}
	v->vat_cents = v->gross_cents - v->net_cents;
	snprintf(v->vat_wording, sizeof(v->vat_wording), "%s", vat_rule_wording(v->vat_rule));
	v->quantity = s->minutes;
	v->unit_price_micro =
		s->minutes > 0 ? (v->net_cents * 10000 + s->minutes / 2) / s->minutes : 0;
	if (s->recorded != NULL && strcmp(v->seller_id, INVOICE_SELLER_PLATFORM) == 0 &&
	    v->net_cents == wl_credits_cost_cents(s->minutes, app->price_micro_per_minute))
		v->unit_price_micro = app->price_micro_per_minute;
	return v->vat_cents >= 0 ? WL_OK : wl_fail(err, WL_EINTERNAL, "invoice: VAT below zero");
}

int
invoices_issue(struct store_conn *c, const struct wl_app *app, const struct invoice_sale *s,
	       struct store_invoice *out, bool *issued, struct wl_error *err)
{
	struct store_billing_info b;
	int64_t day = s->at_ms / 86400000, y, number;
	unsigned m, d;
	int rc;

	*issued = false;
	memset(out, 0, sizeof(*out));
	if ((rc = seller_of(c, app, s->seller_id, out, issued, err)) != WL_OK || !*issued)
		return rc;
	*issued = false;
	if ((rc = buyer_of(c, s->buyer_org_id, out, &b, err)) != WL_OK ||
	    (rc = amounts(app, s, &b, day, out, err)) != WL_OK)
		return rc;
	wl_civil_from_days(day, &y, &m, &d);
	if ((rc = store_invoice_next_number(c, s->seller_id, y, &number, err)) != WL_OK)
		return rc;
	ids_new_uuid(out->id);
	snprintf(out->number, sizeof(out->number), "INV-%04lld-%06lld", (long long)y,
		 (long long)number);
	snprintf(out->purchase_ref, sizeof(out->purchase_ref), "%s", s->purchase_ref);
	out->issued_at = s->at_ms;
	snprintf(out->issue_date, sizeof(out->issue_date), "%04lld-%02u-%02u", (long long)y, m, d);
	snprintf(out->description, sizeof(out->description), "Calling minutes (%lld min)",
		 (long long)s->minutes);
	snprintf(out->currency, sizeof(out->currency), "%.3s", s->currency);
	rc = store_invoice_insert(c, out, err);
	if (rc == WL_ECONFLICT) /* the session has its invoice: the same sale again */
		return wl_fail(err, WL_EINTERNAL, "invoice: session %s was invoiced before",
			       s->purchase_ref);
	*issued = rc == WL_OK;
	return rc;
}

static int
fetch_invoices(struct store_conn *c, const void *q, int64_t cursor_ms, const char *cursor_id,
	       int want, void *rows, int *n, struct wl_error *err)
{
	return store_invoice_list(c, q, cursor_ms, cursor_id, want, rows, n, err);
}

int
invoices_list(struct store_conn *c, const char *org_id, bool as_seller, int64_t cursor_ms,
	      const char *cursor_id, int limit, struct page *out, struct wl_error *err)
{
	struct store_invoice_query q = { .org_id = org_id, .as_seller = as_seller };

	return page_fetch(c, fetch_invoices, &q, sizeof(struct store_invoice), limit, cursor_ms,
			  cursor_id, out, err);
}

int
invoices_role(const char *role, bool *as_seller, struct wl_error *err)
{
	*as_seller = false;
	if (role == NULL || role[0] == '\0' || strcmp(role, "buyer") == 0)
		return WL_OK;
	if (strcmp(role, "seller") == 0) {
		*as_seller = true;
		return WL_OK;
	}
	return wl_fail(err, WL_EINVALID, "role must be buyer or seller");
}

int
invoices_get(struct store_conn *c, const char *org_id, const char *id, struct store_invoice *out,
	     struct wl_error *err)
{
	return store_invoice_get(c, org_id, id, out, err);
}
