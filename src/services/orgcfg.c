/*
 * orgcfg.c — versions, If-Match and id lists of the per-org configuration
 * objects (see orgcfg.h).
 */
#include "services/orgcfg.h"

#include <stdio.h>
#include <string.h>

#include "core/agentcfg.h"
#include "core/validate.h"

int64_t
orgcfg_next_version(int64_t now, int64_t old)
{
	return now > old ? now : old + 1;
}

int
orgcfg_check_match(const char *if_match, int64_t updated_at, const char *what, struct wl_error *err)
{
	if (if_match == NULL || wl_if_match(if_match, updated_at))
		return WL_OK;
	return wl_fail(err, WL_EPRECONDITION,
		       "The %s was changed since you read it (If-Match does not name its current "
		       "version); read it again and retry",
		       what);
}

int
orgcfg_each_id(const char *joined, int (*each)(const char *id, void *arg), void *arg)
{
	const char *p = joined;
	char id[WL_ID_LEN + 1];
	int rc;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");

		snprintf(id, sizeof(id), "%.*s", (int)(n < WL_ID_LEN ? n : WL_ID_LEN), p);
		rc = each(id, arg);
		if (rc != 0)
			return rc;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

bool
orgcfg_id_list_ok(const char *joined, const char *field, struct wl_error *err)
{
	const char *p = joined, *q;
	int n = 0;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		char id[WL_ID_LEN];

		if (len != WL_ID_LEN - 1) {
			wl_error_field(err, field, "must list ids (UUIDs)");
			return false;
		}
		memcpy(id, p, len);
		id[len] = '\0';
		if (!wl_valid_uuid(id)) {
			wl_error_field(err, field, "must list ids (UUIDs)");
			return false;
		}
		for (q = joined; q < p; q += WL_ID_LEN)
			if (memcmp(q, p, len) == 0) {
				wl_error_field(err, field, "must not name the same id twice");
				return false;
			}
		if (++n > WL_ID_LIST_MAX) {
			wl_error_field(err, field, "must list at most %d ids", WL_ID_LIST_MAX);
			return false;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}
