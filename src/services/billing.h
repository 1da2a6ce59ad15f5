/*
 * billing.h — a parent org's billing with the platform: its billing
 * information (company, address, country, VAT ID checked for the
 * country's format and, when WLPORTAL_VIES_URL is set, with that service),
 * buying minutes through the operator's Stripe account (a Checkout Session
 * priced with the VAT of the buyer's situation), and bring-your-own-key
 * provider keys. Crediting and invoicing are stripe_events.c and
 * invoices.c.
 *
 * The VIES-style check: POST {WLPORTAL_VIES_URL} with the JSON
 * {"countryCode":"NL","vatNumber":"123456789B01"} (the number without its
 * prefix; Greece "EL"), as the EU's VIES REST service takes it; the answer
 * must be JSON with a boolean "valid" (other members are ignored). valid
 * true → "valid", false → "invalid", recorded with the time; no answer
 * within 10 s, a non-2xx or an unreadable answer leaves the format check
 * ("format") and says so in the check's detail.
 *
 * Blocking: billing_vies_check and billing_checkout_start call out and must
 * run on a worker (http_offload); the rest reads or is a writer job.
 */
#ifndef WL_SERVICES_BILLING_H
#define WL_SERVICES_BILLING_H

#include <stdbool.h>

#include "services/app.h"
#include "services/stripe_client.h"
#include "services/trail.h"
#include "store/store.h"

#define BILLING_MINUTES_MIN 100
#define BILLING_MINUTES_MAX 1000000
#define BILLING_PROVIDERS "openai, anthropic, deepgram, elevenlabs, cartesia"
#define BILLING_PROVIDER_KEY_MIN 8
#define BILLING_PROVIDER_KEY_MAX 512

/* What PUT /api/v1/billing-info (or the dashboard form) gives. */
struct billing_input {
	const char *company_name; /* required, 1..WL_NAME_MAX */
	const char *address;      /* required, 1..WL_ADDRESS_MAX */
	const char *country;      /* required, ISO 3166-1 alpha-2 (any case) */
	const char *vat_id;       /* NULL or "" = none */
	int client_invoices;      /* -1 = unchanged (default on), 0 off, 1 on */
};

/* Checks the input into *out (org_id, normalized VAT ID, vat_status
 * "none" or "format"); WL_EVALIDATION naming each bad field. prev (NULL
 * = none) gives client_invoices when the input leaves it unchanged. */
int billing_validate(const char *org_id, const struct billing_input *in,
		     const struct store_billing_info *prev, int64_t now_ms,
		     struct store_billing_info *out, struct wl_error *err);
/* Whether billing_vies_check has anything to ask. */
bool billing_wants_vies(const struct wl_app *app, const struct store_billing_info *b);
/* Asks WLPORTAL_VIES_URL about b's VAT ID and records the answer in b
 * (blocking: a worker). Never fails: an unanswered check keeps "format". */
void billing_vies_check(const struct wl_app *app, struct store_billing_info *b, int64_t now_ms);
/* Saving billing information: the row billing_validate made and who
 * saves it. */
struct billing_put {
	struct store_billing_info info;
	struct trail_actor actor;
};
/* Writer job (arg: struct billing_put): reads the previous row, writes the
 * new one and, in the same transaction, a billing_info.updated audit event
 * naming each of company_name, address, country, vat_id (null when
 * removed) and client_invoices that changed, with its new value (all of
 * them on the first save). A save that changes none of them records no
 * event (a VAT ID's check status is not a change of the information). */
int billing_put_run(struct store_conn *c, void *arg, struct wl_error *err);
/* WL_ENOTFOUND when the org has none. */
int billing_get(struct store_conn *c, const char *org_id, struct store_billing_info *out,
		struct wl_error *err);

/* Buying minutes from the platform. */
struct billing_checkout {
	/* in */
	char org_id[WL_ID_LEN];
	char user_id[WL_ID_LEN]; /* the dashboard's user, "" from the API */
	int64_t minutes;
	/* filled by billing_checkout_prepare */
	int64_t net_cents, vat_cents, gross_cents;
	int vat_rate_bp;
	char vat_rule[20];
	/* out */
	struct stripe_session session;
	struct store_purchase purchase;
	struct stripe_api_error detail;
};

/* Checks that platform billing is configured (WL_EUNAVAILABLE), the org
 * a parent (WL_EFORBIDDEN), the minutes in range and the billing
 * information entered (WL_EVALIDATION), and prices the purchase: net at
 * the platform price, VAT by core/vat.h for today. Reads only. */
int billing_checkout_prepare(struct store_conn *c, const struct wl_app *app,
			     const struct store_org *org, struct billing_checkout *p,
			     struct wl_error *err);
/* Creates the Checkout Session with the operator's key (blocking: a
 * worker); on WL_OK submit p with billing_checkout_record_run. */
int billing_checkout_start(const struct wl_app *app, struct billing_checkout *p,
			   struct wl_error *err);
int billing_checkout_record_run(struct store_conn *c, void *arg, struct wl_error *err);

/* Bring-your-own-key: a provider's key sealed with the master key (""
 * removes it: the job then answers WL_ENOTFOUND when there was none).
 * WL_EVALIDATION for an unknown provider or a key outside
 * BILLING_PROVIDER_KEY_MIN..MAX printable ASCII characters without
 * spaces. Keys are write-only: nothing reads one back but its presence. */
struct billing_provider_key {
	char org_id[WL_ID_LEN];
	char provider[32];
	char *sealed; /* NULL = remove */
	int64_t now_ms;
};
/* The providers a key may be given for, in order (BILLING_PROVIDERS);
 * NULL past the last. */
const char *billing_provider_at(int i);
bool billing_provider_known(const char *name);
int billing_provider_key_prepare(const struct wl_app *app, const char *org_id, const char *provider,
				 const char *key, int64_t now_ms, struct billing_provider_key *out,
				 struct wl_error *err);
int billing_provider_key_run(struct store_conn *c, void *arg, struct wl_error *err);
void billing_provider_key_free(struct billing_provider_key *k);
/* The providers with a key set (names), up to max. */
int billing_provider_keys(struct store_conn *c, const char *org_id, char (*out)[32], int max,
			  int *n, struct wl_error *err);

#endif
