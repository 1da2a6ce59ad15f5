/*
 * pricing.h — what an organization's usage costs and in which currency, and
 * the agency's margin in its package currency. The one place that decides
 * which price applies:
 *
 *  - a parent (agency or direct customer) pays the platform price, EUR;
 *  - a client (child) org pays its agency's package price per credit, in
 *    the package currency: never the platform (wholesale) price, which is
 *    the agency's cost and not its client's business;
 *  - a client of an agency without a package has no price: the cost is
 *    unknown (JSON null, "—" on pages) and the currency is the agency's
 *    package currency setting (EUR unless it chose another).
 */
#ifndef WL_PRICING_H
#define WL_PRICING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/whitelabel.h"
#include "services/app.h"
#include "store/store.h"

struct pricing_cost {
	bool known;       /* false: a client whose agency has no package */
	int64_t minor;    /* cents or pence; 0 when !known */
	char currency[4]; /* EUR, USD or GBP */
};

/* An org's price, read once, for costing many amounts (the CSV export). */
struct pricing_price {
	bool known; /* as in struct pricing_cost */
	char currency[4];
	bool platform; /* the platform price (a parent), else the package's */
	int64_t micro_per_minute;
	int64_t package_price_cents, package_credits;
};
int pricing_price_of(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		     struct pricing_price *out, struct wl_error *err);
/* The cost of `seconds` at that price, rounded once as pricing_usage_cost
 * does (0 when the price is not known). */
int64_t pricing_cost_minor(const struct pricing_price *p, int64_t seconds);

/* The cost of `seconds` of org's calls (a read; see above for the rule). */
int pricing_usage_cost(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		       int64_t seconds, struct pricing_cost *out, struct wl_error *err);

/* The margin of a package of `credits` at `price_minor` in `currency`, the
 * platform cost converted at the operator's rate for that currency.
 * WL_EINVALID for a negative amount or a currency without a rate. */
int pricing_margin(const struct wl_app *app, int64_t credits, int64_t price_minor,
		   const char *currency, struct wl_margin *out, struct wl_error *err);

#endif
