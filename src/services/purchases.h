/*
 * purchases.h — Buy Credits: a client of an agency's portal starts a Stripe
 * Checkout Session for the agency's package (with the agency's own secret
 * key), is sent to Stripe, and comes back to the success page; the credit
 * itself arrives with the webhook (services/stripe_events.c). Also the
 * agency's lists: its purchases and its Stripe events log.
 *
 * Blocking: purchases_checkout_start calls Stripe and must run on a worker
 * (http_offload), never on a server thread. It then hands back a writer
 * job (purchases_record_run) that records the pending purchase.
 */
#ifndef WL_SERVICES_PURCHASES_H
#define WL_SERVICES_PURCHASES_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"
#include "services/paging.h"
#include "services/stripe_client.h"
#include "store/store.h"

struct purchase_checkout {
	/* in */
	char agency_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];       /* the client org that buys */
	char user_id[WL_ID_LEN];      /* the client user who clicked */
	char email[WL_EMAIL_MAX + 1]; /* customer_email, "" = not sent */
	/* Where the portal's pages are for this client, without a trailing
	 * slash ("https://acme.portal.example.com", or a verified custom
	 * domain's origin); "" = the agency's portal host. */
	char origin[600];
	/* The Idempotency-Key's own part: the Buy form's token (one per form
	 * shown, so a double click makes one session), "" = a new one. */
	char attempt[80];
	/* out */
	struct stripe_session session;  /* where to send the client (303) */
	struct store_purchase purchase; /* the pending purchase to record */
	struct stripe_api_error detail;
};

/* Reads the agency's settings, opens its secret key and creates the
 * Checkout Session (blocking: a worker only). Errors name what went wrong
 * without the key: WL_ENOTFOUND the portal is not active or has no
 * package; WL_EUNAVAILABLE Stripe not reached / timed out / 5xx; other
 * codes as stripe_session_create. On WL_OK submit p with purchases_record_run. */
int purchases_checkout_start(struct store_conn *c, const struct wl_app *app,
			     struct purchase_checkout *p, struct wl_error *err);
/* Writer job (arg: struct purchase_checkout): the pending purchase. */
int purchases_record_run(struct store_conn *c, void *arg, struct wl_error *err);

/* What the success page shows for session_id of org_id: *found false until
 * the purchase is known (the webhook may come later); *paid once credited;
 * *balance_seconds the org's balance now. */
struct purchase_status {
	bool found;
	bool paid;
	struct store_purchase purchase;
	int64_t balance_seconds;
};
int purchases_status(struct store_conn *c, const char *org_id, const char *session_id,
		     struct purchase_status *out, struct wl_error *err);

/* Pages (newest first) of an agency's purchases (struct store_purchase)
 * and of its Stripe events log (struct store_stripe_event). */
int purchases_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
		   const char *cursor_id, int limit, struct page *out, struct wl_error *err);
int purchases_events_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
			  const char *cursor_id, int limit, struct page *out, struct wl_error *err);

#endif
