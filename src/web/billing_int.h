/*
 * billing_int.h — what the files of the dashboard's Settings > Billing
 * page share: billing_page.c draws the page, billing.c holds the billing
 * information, Add Credits and invoice forms, billing_keys.c the
 * bring-your-own-key forms. Nothing outside src/web/billing*.c includes it.
 */
#ifndef WL_WEB_BILLING_INT_H
#define WL_WEB_BILLING_INT_H

#include "web/web.h"

/* Which form a refusal belongs to: its complaints and typed values are
 * shown beside it. */
enum billing_form { BF_NONE, BF_INFO, BF_CHECKOUT, BF_KEYS };

/* The page, read on req->conn (a handler or a worker); err (may be NULL)
 * is the refused form's complaint. */
void billing_page(struct wl_req *req, int status, enum billing_form form,
		  const struct wl_error *err);
/* The status of a refused form: 422 for its values, else the error's own. */
int billing_refused_status(const struct wl_error *err);
/* The org acted on is an agency (a parent org): billing information, Add
 * Credits and invoices are its alone. */
bool billing_is_agency(const struct wl_req *req);

#endif
