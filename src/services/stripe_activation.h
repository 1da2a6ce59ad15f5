/*
 * stripe_activation.h — an active portal sells a Price that Stripe says
 * exists, is active, is one_time, belongs to the agency's product and costs
 * exactly the package. Turning the portal on, or changing its Stripe
 * settings or package while it is on, asks Stripe first
 * (GET {WLPORTAL_STRIPE_API}/v1/prices/{price_id} with the agency's secret
 * key) and refuses, naming stripe_price_id, when it does not; when Stripe
 * cannot be reached the change is refused with that reason.
 *
 * Two steps: stripe_activation_check runs on a worker (it calls Stripe)
 * before the settings job, and records what it checked in the job's
 * argument; the job (whitelabel_put_run) calls stripe_activation_verify
 * under the row lock, which refuses when the settings it is about to write
 * are not the ones checked (another update came in between).
 */
#ifndef WL_SERVICES_STRIPE_ACTIVATION_H
#define WL_SERVICES_STRIPE_ACTIVATION_H

#include <stdbool.h>

#include "services/app.h"
#include "services/whitelabel.h"

/* Whether the update needs a check when the portal ends up active: it
 * turns it on, or sets the secret key, product, price or package. */
bool stripe_activation_touched(const struct wl_whitelabel_update *u);

/* Worker only (blocking). Reads the stored settings, merges the update,
 * and when the result is active fetches and checks the price with Stripe.
 * WL_OK (r->checked filled when a check was made), WL_EVALIDATION naming
 * stripe_price_id (or stripe_secret_key when Stripe refuses the key), or
 * WL_EUNAVAILABLE when Stripe could not be reached. */
int stripe_activation_check(struct store_conn *c, const struct wl_app *app,
			    struct whitelabel_put *r, struct wl_error *err);

/* In the settings job, with s the settings about to be written. */
int stripe_activation_verify(const struct whitelabel_put *r, const struct store_whitelabel *s,
			     struct wl_error *err);

#endif
