/*
 * portals.h — which agency's portal a request means: by its slug (current,
 * or one it used before: slugs stay reserved to their agency for good), or
 * by its verified custom domain. Used by the portal pages, and by whatever
 * else addresses an agency by slug (the Stripe webhook
 * /api/webhooks/stripe/{slug} resolves its slug here too).
 */
#ifndef WL_SERVICES_PORTALS_H
#define WL_SERVICES_PORTALS_H

#include <stdbool.h>

#include "services/app.h"
#include "store/store.h"

/* The settings of the agency that uses slug now or used it before;
 * *former says which (its current slug is out->slug). WL_ENOTFOUND when no
 * agency ever used it. */
int portals_find_slug(struct store_conn *c, const char *slug, struct store_whitelabel *out,
		      bool *former, struct wl_error *err);

/* The settings of the agency whose custom domain this host (lowercase, no
 * port) is and is verified; WL_ENOTFOUND otherwise. */
int portals_find_domain(struct store_conn *c, const char *host, struct store_whitelabel *out,
			struct wl_error *err);

/* Whether wlportal serves name (a host name, any case, no port), for a TLS
 * certificate on demand: the platform's own hosts ({base}, portal.{base}),
 * {slug}.portal.{base} of an active portal (a former slug too: it
 * redirects), or the verified custom domain of an active portal. WL_OK or
 * WL_ENOTFOUND (another code when the database fails). */
int portals_tls_allowed(const struct wl_app *app, struct store_conn *c, const char *name,
			struct wl_error *err);

#endif
