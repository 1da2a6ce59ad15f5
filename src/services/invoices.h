/*
 * invoices.h — the invoice of a credit purchase, issued in the same
 * transaction as the credit (services/stripe_events.c calls it from the
 * writer job that credits a paid Checkout Session), and reading them back
 * for the API, the dashboard and the PDF (services/invoice_pdf.c).
 *
 * Sellers: the platform ("platform": WLPORTAL_SELLER_*) for minutes bought
 * with POST /api/v1/billing/checkout, and an agency for its clients'
 * portal purchases once it has billing information (client_invoices on,
 * the default). Numbers: INV-{year}-{NNNNNN}, one gapless sequence per
 * seller and year, taken from a counter row updated in the transaction of
 * the credit, so a purchase rolled back gives its number back and two
 * purchases committed at once never share or skip one. A duplicate
 * delivery never reaches this code (the ledger entry exists already), and
 * the purchase's session is unique among invoices besides.
 *
 * The buyer's details are those of its billing information at the time of
 * the credit; a buyer without any is named by its organization and taken to
 * be in the seller's country (domestic VAT).
 */
#ifndef WL_SERVICES_INVOICES_H
#define WL_SERVICES_INVOICES_H

#include "core/buf.h"
#include "services/app.h"
#include "services/paging.h"
#include "store/store.h"

#define INVOICE_SELLER_PLATFORM "platform"

struct invoice_sale {
	const char *seller_id;    /* INVOICE_SELLER_PLATFORM or the agency's org id */
	const char *buyer_org_id; /* the org credited */
	const char *purchase_ref; /* the Checkout Session */
	int64_t minutes;          /* credits bought */
	int64_t gross_cents;      /* what was paid */
	const char *currency;
	int64_t at_ms; /* the credit's time: the issue date */
	/* a platform purchase: the net amount and VAT decided at checkout
	 * (what the buyer was charged); NULL = decide from the gross now */
	const struct store_purchase *recorded;
};

/* Writes the invoice of one sale (writer job context). *issued false when
 * no invoice is due (an agency without billing information, or with client
 * invoices off); out then holds nothing. */
int invoices_issue(struct store_conn *c, const struct wl_app *app, const struct invoice_sale *s,
		   struct store_invoice *out, bool *issued, struct wl_error *err);

/* Newest first, the org's invoices (struct store_invoice rows): as buyer,
 * or as_seller those it issued to its clients for their portal purchases.
 * Only an agency sells: a client org's seller list is empty. */
int invoices_list(struct store_conn *c, const char *org_id, bool as_seller, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct page *out, struct wl_error *err);
/* The role query value ("buyer" or "seller"; NULL or "" = buyer) into
 * *as_seller; WL_EINVALID otherwise. */
int invoices_role(const char *role, bool *as_seller, struct wl_error *err);
/* WL_ENOTFOUND unless org_id is the invoice's buyer or seller. */
int invoices_get(struct store_conn *c, const char *org_id, const char *id,
		 struct store_invoice *out, struct wl_error *err);

/* The invoice as a one-page PDF (libharu) into out. */
int invoice_pdf_render(const struct store_invoice *v, struct wl_buf *out, struct wl_error *err);

/* "0.07" from 70000 micro-units (2 to 6 decimals, trailing zeros trimmed
 * down to 2). out 32 bytes. */
void invoice_format_micro(int64_t micro, char out[32]);

#endif
