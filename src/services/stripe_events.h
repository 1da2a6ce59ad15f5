/*
 * stripe_events.h — what a Stripe webhook delivery does: its signature
 * verdict, the event read from the raw body, and the writer job that
 * credits a paid Checkout Session once, records the purchase and writes
 * the delivery to the agency's Stripe events log. The HTTP side is
 * api/stripe_webhook.c; signatures are core/stripe_sig.c.
 *
 * Exactly once: the credit is a ledger entry with the reference
 * "stripe:{session id}" on the client org, unique per org, and the job
 * locks the client org's row first. A second delivery of the same event,
 * another event of the same session (checkout.session.async_payment_succeeded
 * after checkout.session.completed), or the same event arriving at the same
 * moment on another instance of one PostgreSQL all find the entry and are
 * logged as `duplicate`. Quantity: the amount paid divided by the
 * package's price (1 for the sessions wlportal makes); an amount that is
 * not a whole number of packages, or another currency, is `mismatch`
 * (recorded, not credited). A credit queues the purchase confirmation
 * mail to the user the session names (services/mail_outbox.h), from the
 * agency's name, in the same transaction, and so does the invoice
 * (services/invoices.c): the platform's for its minutes, the agency's for a
 * portal purchase once the agency has billing information.
 *
 * The platform's own webhook (d->platform) runs the same code: it credits
 * only a session POST /api/v1/billing/checkout started (its pending
 * purchase, seller "platform") to the parent org that started it, with the
 * amount and currency recorded. Its deliveries are not kept in any
 * agency's events log; the server log has a line for each.
 */
#ifndef WL_SERVICES_STRIPE_EVENTS_H
#define WL_SERVICES_STRIPE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stripe_sig.h"
#include "services/app.h"
#include "store/store.h"

#define STRIPE_EVENT_COMPLETED "checkout.session.completed"
#define STRIPE_EVENT_ASYNC_PAID "checkout.session.async_payment_succeeded"
/* Deliveries with a bad or missing signature are logged up to this many
 * per agency and minute (anyone can send them); more are answered 400
 * and not kept. */
#define STRIPE_BAD_LOG_PER_MINUTE 60
/* The most packages one session may buy (quantity). */
#define STRIPE_QUANTITY_MAX 100

struct stripe_delivery {
	/* in: the app (its master key seals the confirmation mail), set by the caller */
	const struct wl_app *app;
	/* in: a delivery to the platform's own webhook (POST /api/webhooks/stripe,
	 * the operator's signing secret): a parent org buying minutes, started
	 * by POST /api/v1/billing/checkout. Set by the caller after
	 * stripe_events_read; agency_id is then the buying org, once known. */
	bool platform;
	/* in: filled by stripe_events_read */
	char agency_id[WL_ID_LEN];
	int64_t received_at; /* ms */
	enum stripe_sig_result verdict;
	bool readable; /* a JSON event with an id and a type */
	char event_id[WL_STRIPE_ID_MAX + 1];
	char type[80];
	char session_id[WL_STRIPE_ID_MAX + 1];
	char payment_status[24];
	char named_org_id[WL_ID_LEN];  /* client_reference_id, else metadata[org_id] */
	char named_user_id[WL_ID_LEN]; /* metadata[user_id] */
	bool has_amount;
	int64_t amount_total; /* minor units */
	char currency[8];
	/* out: the log row written (outcome, org, detail) */
	struct store_stripe_event logged;
	bool not_logged;         /* a bad signature over the per-minute cap */
	char org_id[WL_ID_LEN];  /* the client org, "" when not one of ours */
	char user_id[WL_ID_LEN]; /* its user named by the session, "" = none */
	int64_t credits;         /* credited by this delivery, 0 = none */
	int64_t balance_seconds; /* the org's balance after the credit */
	char invoice_number[24]; /* the invoice issued with the credit, "" = none */
};

/* Verifies the signature of body with secret (NULL or "" = none
 * configured) and reads the event; never fails (a refusal is d->verdict). */
void stripe_events_read(struct stripe_delivery *d, const char *agency_id, const char *secret,
			const char *sig_header, const void *body, size_t body_len, int64_t now_ms);

/* Writer job (arg: struct stripe_delivery): logs the delivery and, for a
 * verified paid Checkout Session, credits it once. */
int stripe_events_run(struct store_conn *c, void *arg, struct wl_error *err);

/* The outcome names of the log. */
#define STRIPE_OUTCOME_CREDITED "credited"
#define STRIPE_OUTCOME_DUPLICATE "duplicate"
#define STRIPE_OUTCOME_IGNORED "ignored"
#define STRIPE_OUTCOME_MISMATCH "mismatch"
#define STRIPE_OUTCOME_BAD_SIGNATURE "bad_signature"

#endif
