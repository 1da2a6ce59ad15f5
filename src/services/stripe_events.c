/*
 * stripe_events.c — a Stripe webhook delivery from its raw body to the
 * ledger: the signature verdict, the few fields of the event wlportal
 * reads, and the writer job that credits a paid Checkout Session exactly
 * once, records the purchase and logs the delivery (see stripe_events.h).
 */
#include "services/stripe_events.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/money.h"
#include "core/stripe.h"
#include "core/validate.h"
#include "log.h"
#include "services/ids.h"
#include "services/invoices.h"
#include "services/ledger.h"
#include "services/mail_outbox.h"

/* A string member that is a Stripe-like id (or a uuid) short enough to
 * store; anything else reads as "". */
static void
take_id(json_t *obj, const char *key, char *out, size_t n)
{
	const char *v = json_string_value(json_object_get(obj, key));

	out[0] = '\0';
	if (v != NULL && strlen(v) < n && stripe_id_ok(v))
		snprintf(out, n, "%s", v);
}

/* A short printable word (a type, a status, a currency). */
static void
take_word(json_t *obj, const char *key, char *out, size_t n)
{
	const char *v = json_string_value(json_object_get(obj, key));
	size_t i;

	out[0] = '\0';
	if (v == NULL || strlen(v) >= n)
		return;
	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '.' || v[i] == '_'))
			return;
	snprintf(out, n, "%s", v);
}

static void
take_uuid(json_t *obj, const char *key, char out[WL_ID_LEN])
{
	const char *v = json_string_value(json_object_get(obj, key));

	out[0] = '\0';
	if (v != NULL && wl_valid_uuid(v))
		snprintf(out, WL_ID_LEN, "%s", v);
}

static void
read_session(struct stripe_delivery *d, json_t *s)
{
	json_t *amount = json_object_get(s, "amount_total");

	take_id(s, "id", d->session_id, sizeof(d->session_id));
	take_word(s, "payment_status", d->payment_status, sizeof(d->payment_status));
	take_word(s, "currency", d->currency, sizeof(d->currency));
	take_uuid(s, "client_reference_id", d->named_org_id);
	if (d->named_org_id[0] == '\0')
		take_uuid(json_object_get(s, "metadata"), "org_id", d->named_org_id);
	take_uuid(json_object_get(s, "metadata"), "user_id", d->named_user_id);
	d->has_amount = json_is_integer(amount) && json_integer_value(amount) >= 0;
	d->amount_total = d->has_amount ? json_integer_value(amount) : 0;
}

/* The event as far as it can be read; the body was checked first, so this
 * reads only what its owner signed. */
static void
read_event(struct stripe_delivery *d, const void *body, size_t len)
{
	json_error_t jerr;
	json_t *ev = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *obj;

	if (!json_is_object(ev)) {
		json_decref(ev);
		return;
	}
	take_id(ev, "id", d->event_id, sizeof(d->event_id));
	take_word(ev, "type", d->type, sizeof(d->type));
	d->readable = d->event_id[0] != '\0' && d->type[0] != '\0';
	obj = json_object_get(json_object_get(ev, "data"), "object");
	if (d->readable && json_is_object(obj) && strncmp(d->type, "checkout.session.", 17) == 0)
		read_session(d, obj);
	json_decref(ev);
}

void
stripe_events_read(struct stripe_delivery *d, const char *agency_id, const char *secret,
		   const char *sig_header, const void *body, size_t body_len, int64_t now_ms)
{
	const struct wl_app *app = d->app;

	memset(d, 0, sizeof(*d));
	d->app = app;
	snprintf(d->agency_id, sizeof(d->agency_id), "%s", agency_id);
	d->received_at = now_ms;
	if (secret == NULL || secret[0] == '\0')
		d->verdict = STRIPE_SIG_NO_SECRET;
	else
		d->verdict = stripe_sig_verify(sig_header, sig_header ? strlen(sig_header) : 0,
					       secret, body, body_len, now_ms / 1000, 0, NULL);
	/* An unverified body is not read: its claims would only mislead. */
	if (d->verdict == STRIPE_SIG_OK)
		read_event(d, body, body_len);
}

/* ---- the writer job ------------------------------------------------------------ */

static int outcome(struct stripe_delivery *d, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
outcome(struct stripe_delivery *d, const char *what, const char *fmt, ...)
{
	va_list ap;

	snprintf(d->logged.outcome, sizeof(d->logged.outcome), "%s", what);
	va_start(ap, fmt);
	vsnprintf(d->logged.detail, sizeof(d->logged.detail), fmt, ap);
	va_end(ap);
	return WL_OK;
}

/* The client org the session names, locked: a child of this agency. */
static int
client_org(struct store_conn *c, struct stripe_delivery *d, struct store_org *org,
	   struct wl_error *err)
{
	int rc;

	if (d->org_id[0] == '\0')
		return WL_ENOTFOUND;
	rc = store_org_get(c, d->org_id, true, org, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && strcmp(org->parent_id, d->agency_id) != 0)) {
		wl_error_clear(err);
		return WL_ENOTFOUND;
	}
	return rc;
}

/* How many packages the amount paid buys: 0 when it is not a whole number
 * of them in the package's currency. */
static int64_t
quantity(const struct stripe_delivery *d, const struct store_whitelabel *wl)
{
	int64_t q;

	if (!d->has_amount || wl->package_price_cents <= 0 || wl->package_credits <= 0 ||
	    strcasecmp(d->currency, wl->package_currency) != 0 ||
	    d->amount_total % wl->package_price_cents != 0)
		return 0;
	q = d->amount_total / wl->package_price_cents;
	return q >= 1 && q <= STRIPE_QUANTITY_MAX ? q : 0;
}

static void
purchase_of(const struct stripe_delivery *d, const struct store_whitelabel *wl, const char *status,
	    int64_t credits, struct store_purchase *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	ids_new_uuid(p->id);
	memcpy(p->agency_id, d->agency_id, WL_ID_LEN);
	memcpy(p->org_id, d->org_id, WL_ID_LEN);
	memcpy(p->user_id, d->user_id, WL_ID_LEN);
	snprintf(p->session_id, sizeof(p->session_id), "%s", d->session_id);
	snprintf(p->status, sizeof(p->status), "%s", status);
	p->credits = credits;
	p->amount_cents = d->amount_total;
	snprintf(p->currency, sizeof(p->currency), "%.3s",
		 strlen(d->currency) == 3 ? d->currency
		 : wl != NULL             ? wl->package_currency
					  : "EUR");
	for (i = 0; p->currency[i] != '\0'; i++)
		if (p->currency[i] >= 'a' && p->currency[i] <= 'z')
			p->currency[i] = (char)(p->currency[i] - 'a' + 'A');
	snprintf(p->event_id, sizeof(p->event_id), "%s", d->event_id);
	p->created_at = d->received_at;
	p->paid_at = strcmp(status, "paid") == 0 ? d->received_at : 0;
}

/* metadata[user_id] counts only when it is a user of the org credited. */
static void
check_user(struct store_conn *c, struct stripe_delivery *d)
{
	struct store_user u;
	struct wl_error e;

	wl_error_clear(&e);
	if (d->user_id[0] != '\0' &&
	    (store_user_get(c, d->user_id, &u, &e) != WL_OK || strcmp(u.org_id, d->org_id) != 0))
		d->user_id[0] = '\0';
}

static int
record_mismatch(struct store_conn *c, struct stripe_delivery *d, const struct store_whitelabel *wl,
		struct wl_error *err)
{
	struct store_purchase p;
	int rc;

	purchase_of(d, wl, "mismatch", 0, &p);
	rc = store_purchase_settle(c, &p, err);
	if (rc == WL_ECONFLICT) { /* paid already: it stays paid */
		wl_error_clear(err);
		return WL_OK;
	}
	return rc;
}

/* The purchase confirmation, queued with the credit (mail_outbox.h). A
 * mail that cannot be made (no user named, an unusable address) does not
 * hold the credit back. */
static int
confirmation_mail(struct store_conn *c, const struct stripe_delivery *d,
		  const struct store_whitelabel *wl, struct wl_error *err)
{
	struct mail_request m;
	struct store_user u;
	struct wl_error e;
	char subject[160], body[1024], balance[32];
	int rc;

	wl_error_clear(&e);
	if (wl == NULL || d->app == NULL || d->user_id[0] == '\0' ||
	    store_user_get(c, d->user_id, &u, &e) != WL_OK)
		return WL_OK;
	wl_format_minutes(d->balance_seconds, balance);
	snprintf(subject, sizeof(subject), "Your purchase: %lld credits", (long long)d->credits);
	snprintf(body, sizeof(body),
		 "Thank you for your purchase.\n\n%lld credits were added to your account "
		 "for %lld.%02lld %s.\nYour balance is now %s credits.\n\n%s\n",
		 (long long)d->credits, (long long)(d->amount_total / 100),
		 (long long)(d->amount_total % 100), wl->package_currency, balance,
		 wl->company_name);
	memset(&m, 0, sizeof(m));
	m.app = d->app;
	m.agency_id = d->agency_id;
	m.kind = "purchase";
	m.to_addr = u.email;
	m.from_name = wl->company_name;
	m.subject = subject;
	m.body = body;
	rc = mail_enqueue(c, &m, err);
	if (rc == WL_EINVALID) {
		wl_log("stripe webhook: agency %s: no purchase mail for session %s: %s",
		       d->agency_id, d->session_id, err->message);
		wl_error_clear(err);
		return WL_OK;
	}
	return rc;
}

/* The invoice of the credit, in its transaction: the platform's always,
 * an agency's when it has billing information (invoices.h). */
static int
invoice(struct store_conn *c, struct stripe_delivery *d, const struct store_purchase *p,
	const struct store_purchase *recorded, struct wl_error *err)
{
	struct invoice_sale sale;
	struct store_invoice v;
	bool issued;
	int rc;

	if (d->app == NULL)
		return WL_OK;
	memset(&sale, 0, sizeof(sale));
	sale.seller_id = d->platform ? INVOICE_SELLER_PLATFORM : d->agency_id;
	sale.buyer_org_id = p->org_id;
	sale.purchase_ref = p->session_id;
	sale.minutes = p->credits;
	sale.gross_cents = p->amount_cents;
	sale.currency = p->currency;
	sale.at_ms = d->received_at;
	sale.recorded = d->platform ? recorded : NULL;
	rc = invoices_issue(c, d->app, &sale, &v, &issued, err);
	if (rc == WL_OK && issued)
		snprintf(d->invoice_number, sizeof(d->invoice_number), "%s", v.number);
	return rc;
}

static int
credit(struct store_conn *c, struct stripe_delivery *d, const struct store_whitelabel *wl,
       const struct store_org *org, int64_t credits, const struct store_purchase *recorded,
       struct wl_error *err)
{
	struct store_purchase p;
	char reference[WL_REF_MAX], desc[WL_DESC_MAX];
	int rc;

	snprintf(reference, sizeof(reference), "stripe:%s", d->session_id);
	snprintf(desc, sizeof(desc), "Purchase: %lld %s for %lld.%02lld %s (Stripe %s)",
		 (long long)credits, d->platform ? "minutes" : "credits",
		 (long long)(d->amount_total / 100), (long long)(d->amount_total % 100),
		 recorded != NULL ? recorded->currency : wl->package_currency, d->session_id);
	rc = ledger_apply(c, org->id, credits * 60, "purchase", reference, desc, d->received_at,
			  err);
	if (rc < 0)
		return rc;
	if (rc == LEDGER_DUPLICATE)
		return outcome(d, STRIPE_OUTCOME_DUPLICATE, "session %s was credited before",
			       d->session_id);
	purchase_of(d, wl, "paid", credits, &p);
	rc = store_purchase_settle(c, &p, err);
	if (rc != WL_OK || (rc = invoice(c, d, &p, recorded, err)) != WL_OK)
		return rc;
	d->credits = credits;
	d->balance_seconds = org->balance_seconds + credits * 60;
	if ((rc = confirmation_mail(c, d, wl, err)) != WL_OK)
		return rc;
	return outcome(d, STRIPE_OUTCOME_CREDITED, "%lld credits", (long long)credits);
}

/* A session wlportal started: it credits what the client was offered when
 * it clicked Buy (the pending purchase), whatever the package says today,
 * and only to the org that started it, for exactly the amount and currency
 * recorded. A session paid already is a duplicate for its own org and a
 * mismatch for any other (nothing is credited, Stripe is told 200). */
static int
settle_recorded(struct store_conn *c, struct stripe_delivery *d, const struct store_whitelabel *wl,
		const struct store_org *org, const struct store_purchase *pending,
		struct wl_error *err)
{
	bool same_org = strcmp(pending->agency_id, d->agency_id) == 0 &&
			strcmp(pending->org_id, d->org_id) == 0;

	if (strcmp(pending->status, "paid") == 0)
		return same_org ? outcome(d, STRIPE_OUTCOME_DUPLICATE,
					  "session %s was credited before", d->session_id)
				: outcome(d, STRIPE_OUTCOME_MISMATCH,
					  "session %s was paid to another organization",
					  d->session_id);
	if (!same_org)
		return outcome(d, STRIPE_OUTCOME_MISMATCH,
			       "session %s was started by another organization", d->session_id);
	if (!d->has_amount || d->amount_total != pending->amount_cents ||
	    strcasecmp(d->currency, pending->currency) != 0 || pending->credits <= 0) {
		outcome(d, STRIPE_OUTCOME_MISMATCH, "paid %lld %s; the purchase was %lld %s",
			(long long)d->amount_total, d->currency[0] ? d->currency : "(no currency)",
			(long long)pending->amount_cents, pending->currency);
		return record_mismatch(c, d, wl, err);
	}
	return credit(c, d, wl, org, pending->credits, pending, err);
}

/* Whether the delivery is a paid Checkout Session to act on; else the
 * outcome is written and false returned (outcome() is WL_OK, 0). */
static bool
actionable(struct stripe_delivery *d)
{
	if (d->verdict != STRIPE_SIG_OK)
		return outcome(d, STRIPE_OUTCOME_BAD_SIGNATURE, "%s",
			       stripe_sig_result_message(d->verdict));
	if (!d->readable)
		return outcome(d, STRIPE_OUTCOME_IGNORED, "not a Stripe event (no id or type)");
	if (strcmp(d->type, STRIPE_EVENT_COMPLETED) != 0 &&
	    strcmp(d->type, STRIPE_EVENT_ASYNC_PAID) != 0)
		return outcome(d, STRIPE_OUTCOME_IGNORED, "wlportal does not act on %s", d->type);
	if (d->session_id[0] == '\0')
		return outcome(d, STRIPE_OUTCOME_IGNORED,
			       "the event carries no Checkout Session id");
	if (strcmp(d->payment_status, "paid") != 0)
		return outcome(
			d, STRIPE_OUTCOME_IGNORED,
			"payment_status is %s: credited when Stripe sends " STRIPE_EVENT_ASYNC_PAID,
			d->payment_status[0] ? d->payment_status : "absent");
	return true;
}

/* The platform's minutes: only a session POST /api/v1/billing/checkout
 * started, for the parent org that started it, as recorded. */
static int
settle_platform(struct store_conn *c, struct stripe_delivery *d, struct wl_error *err)
{
	struct store_purchase pending;
	struct store_org org;
	int rc;

	rc = d->org_id[0] != '\0' ? store_org_get(c, d->org_id, true, &org, err) : WL_ENOTFOUND;
	if (rc == WL_ENOTFOUND || (rc == WL_OK && org.parent_id[0] != '\0')) {
		wl_error_clear(err);
		d->org_id[0] = '\0';
		return outcome(d, STRIPE_OUTCOME_MISMATCH,
			       "the session names no organization that buys minutes");
	}
	if (rc != WL_OK)
		return rc;
	memcpy(d->agency_id, org.id, WL_ID_LEN);
	d->user_id[0] = '\0';
	rc = store_purchase_by_session(c, d->session_id, &pending, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && strcmp(pending.seller, "platform") != 0)) {
		wl_error_clear(err);
		return outcome(d, STRIPE_OUTCOME_MISMATCH,
			       "session %s was not started by POST /api/v1/billing/checkout",
			       d->session_id);
	}
	if (rc != WL_OK)
		return rc;
	return settle_recorded(c, d, NULL, &org, &pending, err);
}

/* What the delivery does; the log row is written after. */
static int
settle(struct store_conn *c, struct stripe_delivery *d, struct wl_error *err)
{
	struct store_whitelabel wl;
	struct store_purchase pending;
	struct store_org org;
	int64_t q;
	int rc;

	if (!actionable(d))
		return WL_OK;
	if (d->platform)
		return settle_platform(c, d, err);
	if ((rc = store_wl_get(c, d->agency_id, false, &wl, err)) != WL_OK)
		return rc;
	rc = client_org(c, d, &org, err);
	if (rc == WL_ENOTFOUND) {
		d->org_id[0] = '\0';
		return outcome(d, STRIPE_OUTCOME_MISMATCH,
			       "the session names no client organization of this portal");
	}
	if (rc != WL_OK)
		return rc;
	check_user(c, d);
	rc = store_purchase_by_session(c, d->session_id, &pending, err);
	if (rc == WL_OK)
		return settle_recorded(c, d, &wl, &org, &pending, err);
	if (rc != WL_ENOTFOUND)
		return rc;
	/* A session wlportal did not start (say, a payment link of the
	 * agency's): the package of today prices it. */
	wl_error_clear(err);
	q = quantity(d, &wl);
	if (q == 0) {
		outcome(d, STRIPE_OUTCOME_MISMATCH, "paid %lld %s; the package costs %lld %s",
			(long long)d->amount_total, d->currency[0] ? d->currency : "(no currency)",
			(long long)wl.package_price_cents, wl.package_currency);
		return record_mismatch(c, d, &wl, err);
	}
	return credit(c, d, &wl, &org, wl.package_credits * q, NULL, err);
}

static int
log_delivery(struct store_conn *c, struct stripe_delivery *d, struct wl_error *err)
{
	struct store_stripe_event *e = &d->logged;

	ids_new_uuid(e->id);
	memcpy(e->agency_id, d->agency_id, WL_ID_LEN);
	e->received_at = d->received_at;
	snprintf(e->event_id, sizeof(e->event_id), "%s", d->event_id);
	snprintf(e->type, sizeof(e->type), "%s", d->type);
	snprintf(e->signature, sizeof(e->signature), "%s", stripe_sig_result_name(d->verdict));
	memcpy(e->org_id, d->org_id, WL_ID_LEN);
	snprintf(e->session_id, sizeof(e->session_id), "%s", d->session_id);
	return store_stripe_event_insert(c, e, err);
}

int
stripe_events_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct stripe_delivery *d = arg;
	int rc;

	/* run may be called again (writer.h): start from the delivery as read. */
	memset(&d->logged, 0, sizeof(d->logged));
	memcpy(d->org_id, d->named_org_id, WL_ID_LEN);
	memcpy(d->user_id, d->named_user_id, WL_ID_LEN);
	d->credits = 0;
	d->balance_seconds = 0;
	d->not_logged = false;
	d->invoice_number[0] = '\0';
	rc = settle(c, d, err);
	if (rc != WL_OK)
		return rc;
	if (d->platform) { /* the operator's deliveries: the server log only */
		d->not_logged = true;
		snprintf(d->logged.signature, sizeof(d->logged.signature), "%s",
			 stripe_sig_result_name(d->verdict));
		return WL_OK;
	}
	if (d->verdict != STRIPE_SIG_OK) {
		int64_t n;

		rc = store_stripe_event_bad_since(c, d->agency_id, d->received_at - 60000, &n, err);
		if (rc != WL_OK)
			return rc;
		if (n >= STRIPE_BAD_LOG_PER_MINUTE) {
			d->not_logged = true;
			return WL_OK;
		}
	}
	return log_delivery(c, d, err);
}
