/*
 * portals.c — finds the agency a portal address means (see portals.h).
 */
#include "services/portals.h"

#include <string.h>

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
