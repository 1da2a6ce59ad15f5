/*
 * portals.c — finds the agency a portal address means (see portals.h).
 */
#include "services/portals.h"

#include <string.h>

#include "core/host.h"
#include "core/whitelabel.h"

int
portals_find_slug(struct store_conn *c, const char *slug, struct store_whitelabel *out,
		  bool *former, struct wl_error *err)
{
	char org_id[WL_ID_LEN];
	int rc;

	*former = false;
	if (!wl_valid_slug(slug))
		return wl_fail(err, WL_ENOTFOUND, "no portal has this slug");
	rc = store_wl_find(c, slug, NULL, out, err);
	if (rc != WL_ENOTFOUND)
		return rc;
	wl_error_clear(err);
	rc = store_slug_owner(c, slug, org_id, err);
	if (rc != WL_OK)
		return rc;
	rc = store_wl_get(c, org_id, false, out, err);
	if (rc != WL_OK)
		return rc;
	if (out->slug[0] == '\0')
		return wl_fail(err, WL_ENOTFOUND, "the agency of this slug has no portal now");
	*former = true;
	return WL_OK;
}

int
portals_find_domain(struct store_conn *c, const char *host, struct store_whitelabel *out,
		    struct wl_error *err)
{
	int rc;

	if (!wl_valid_hostname(host))
		return wl_fail(err, WL_ENOTFOUND, "no portal at this host");
	rc = store_wl_find(c, NULL, host, out, err);
	if (rc != WL_OK)
		return rc;
	/* Only a verified domain serves: a pending or expired claim, or one
	 * whose records are no longer right, is no portal. */
	if (strcmp(out->domain_status, "verified") != 0)
		return wl_fail(err, WL_ENOTFOUND, "this domain is not verified");
	return WL_OK;
}

int
portals_tls_allowed(const struct wl_app *app, struct store_conn *c, const char *name,
		    struct wl_error *err)
{
	struct store_whitelabel s;
	char host[256], slug[64];
	size_t slug_len;
	bool former;
	int rc;

	if (!wl_host_lower(name, strlen(name), host, sizeof(host)))
		return wl_fail(err, WL_ENOTFOUND, "not a host name served here");
	if (wl_host_is_platform(host, app->base_domain))
		return WL_OK;
	if (!wl_valid_hostname(host))
		return wl_fail(err, WL_ENOTFOUND, "not a host name served here");
	slug_len = wl_host_portal_slug(host, app->base_domain);
	if (slug_len > 0 && slug_len < sizeof(slug)) {
		memcpy(slug, host, slug_len);
		slug[slug_len] = '\0';
		rc = portals_find_slug(c, slug, &s, &former, err);
	} else {
		rc = portals_find_domain(c, host, &s, err);
	}
	if (rc != WL_OK)
		return rc == WL_ENOTFOUND ? wl_fail(err, WL_ENOTFOUND, "no portal at this host")
					  : rc;
	if (!s.active)
		return wl_fail(err, WL_ENOTFOUND, "the portal at this host is not active");
	return WL_OK;
}
