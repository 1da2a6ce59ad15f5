/*
 * whitelabel.h — an agency's portal settings (brand, slug, Stripe account,
 * package, activation), its client users and the credits it allocates to
 * them by hand (its custom domain: services/domains.h). Only parent
 * organizations have any of this.
 *
 * The *_run functions are writer jobs (services/writer.h).
 */
#ifndef WL_SERVICES_WHITELABEL_H
#define WL_SERVICES_WHITELABEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/whitelabel.h"
#include "services/app.h"
#include "services/trail.h"
#include "store/store.h"

#define WHITELABEL_PARENT_ONLY "Only parent organizations can access whitelabel"

/* WL_EFORBIDDEN for a child org. */
int whitelabel_require_parent(const struct store_org *org, struct wl_error *err);

/* The settings of an org; defaults (nothing set, inactive) when never saved. */
int whitelabel_load(struct store_conn *c, const char *org_id, struct store_whitelabel *out,
		    struct wl_error *err);

/* WL_WLF_* bits of what is set. */
unsigned whitelabel_have(const struct store_whitelabel *s);

/* Public addresses: the portal and the Stripe webhook endpoint. */
void whitelabel_portal_url(const struct wl_app *app, const char *slug, char *out, size_t n);
/* The platform's own origin (its dashboard): "https://{base}". */
void whitelabel_platform_url(const struct wl_app *app, char *out, size_t n);
void whitelabel_webhook_url(const struct wl_app *app, const char *slug, char *out, size_t n);
/* The name part of the CNAME record for a domain ("portal" for
 * portal.example.com, "@" for a bare example.com). */
void whitelabel_record_name(const char *domain, char *out, size_t n);

/* Parts of a package an update may leave out (a partial PUT). */
#define WHITELABEL_PKG_CREDITS 1u
#define WHITELABEL_PKG_PRICE 2u
#define WHITELABEL_PKG_CURRENCY 4u

struct whitelabel_put {
	/* in: strings owned by the caller until the job is done */
	char org_id[WL_ID_LEN];
	struct wl_whitelabel_update u;
	/* with u.has_package: the WHITELABEL_PKG_* parts the request left out.
	 * The job takes them from what is stored, read under the row lock in
	 * the same transaction, so two partial updates never lose each other. */
	unsigned package_missing;
	const char *secret_key_sealed;     /* set when u.stripe_secret_key is */
	const char *webhook_secret_sealed; /* set when u.stripe_webhook_secret is */
	/* What the Price check with Stripe saw (services/stripe_activation.h):
	 * the job refuses an active result whose Stripe settings differ from
	 * what was checked, or that the update touched without a check. */
	struct whitelabel_stripe_checked {
		bool done;
		char price_id[256];
		char product_id[256];
		char secret_key_sealed[512];
		int64_t price_cents;
		char currency[4];
	} checked;
	struct trail_actor actor; /* for the audit trail */
	/* out */
	struct store_whitelabel result;
	/* the job's own: the stored currency of a partial package */
	char merged_currency[4];
};
/* Records what changed in the audit trail: settings.changed with each
 * changed field's new value (secrets only as "changed" or "removed"), and
 * portal.activated or portal.deactivated when `active` flips. */
int whitelabel_put_run(struct store_conn *c, void *arg, struct wl_error *err);

/* The reference is the request's idempotency key, scoped to the agency.
 * Beside it the job keeps a fingerprint of the request (user, credits,
 * description): the same key again with the same request changes nothing
 * (applied = false), with another request it is WL_ECONFLICT. */
#define WHITELABEL_KEY_REUSED \
	"This Idempotency-Key was already used for a different request " \
	"(another user, amount or description): use a new key for a new allocation"

struct whitelabel_allocation {
	/* in */
	char parent_org_id[WL_ID_LEN];
	char user_id[WL_ID_LEN];
	int64_t credits; /* may be negative (a correction) */
	char description[501];
	char reference[300];
	struct trail_actor actor; /* for the audit trail */
	/* out */
	char org_id[WL_ID_LEN];
	int64_t balance_seconds;
	bool applied;
};
/* The description of an allocation: at most this many bytes. */
#define WHITELABEL_ALLOC_DESC_MAX 500
/* The caller's own idempotency key or form reference: at most this long. */
#define WHITELABEL_ALLOC_KEY_MAX 200
/* Fills r for whitelabel_allocate_run after checking what both the API and
 * the dashboard take from their callers: credits not zero and within
 * ±WL_PACKAGE_CREDITS_MAX, a description that says something (valid text,
 * not blank, at most WHITELABEL_ALLOC_DESC_MAX bytes), a key of letters,
 * digits and ._:- (the reference is "{ref_prefix}{key}", so the API's keys
 * and the dashboard's form references never meet). WL_EVALIDATION with one
 * field per complaint (credits, description, reference) and its reason. */
int whitelabel_allocation_prepare(struct whitelabel_allocation *r, const char *parent_org_id,
				  const char *user_id, int64_t credits, const char *description,
				  const char *ref_prefix, const char *key, struct wl_error *err);
/* An applied allocation is recorded in the audit trail (allocation.created). */
int whitelabel_allocate_run(struct store_conn *c, void *arg, struct wl_error *err);

#endif
