/*
 * trail.c — writing and reading the audit trail (see trail.h).
 */
#include "services/trail.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "services/ids.h"

static const char *const known_types[] = {
	TRAIL_SETTINGS,      TRAIL_ACTIVATED,   TRAIL_DEACTIVATED,    TRAIL_ALLOCATION,
	TRAIL_KEY_CREATED,   TRAIL_KEY_REVOKED, TRAIL_DOMAIN_CLAIMED, TRAIL_DOMAIN_REMOVED,
	TRAIL_DOMAIN_STATUS, TRAIL_LIMITS,      TRAIL_BILLING_INFO,
};

bool
trail_type_known(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
		if (strcmp(type, known_types[i]) == 0)
			return true;
	return false;
}

void
trail_detail_begin(struct wl_buf *b)
{
	wl_buf_init(b, STORE_TRAIL_DETAIL_MAX - 1);
	wl_json_obj_begin(b);
}

void
trail_detail_free(struct wl_buf *b)
{
	wl_buf_free(b);
}

int
trail_record(struct store_conn *c, const struct trail_actor *who, const char *org_id,
	     const char *agency_id, const char *type, struct wl_buf *detail, int64_t now,
	     struct wl_error *err)
{
	struct store_trail_event e;
	const char *text = "{}";

	assert(trail_type_known(type));
	memset(&e, 0, sizeof(e));
	ids_new_uuid(e.id);
	snprintf(e.org_id, sizeof(e.org_id), "%s", org_id);
	snprintf(e.agency_id, sizeof(e.agency_id), "%s",
		 agency_id != NULL && agency_id[0] != '\0' ? agency_id : org_id);
	snprintf(e.type, sizeof(e.type), "%s", type);
	snprintf(e.actor_type, sizeof(e.actor_type), "%s",
		 who != NULL && who->type[0] != '\0' ? who->type : "system");
	if (who != NULL) {
		snprintf(e.actor_id, sizeof(e.actor_id), "%s", who->id);
		snprintf(e.address, sizeof(e.address), "%s", who->address);
	}
	if (detail != NULL) {
		wl_json_obj_end(detail);
		text = wl_buf_ok(detail) ? wl_buf_cstr(detail) : "{\"truncated\":true}";
	}
	snprintf(e.detail, sizeof(e.detail), "%s", text);
	e.created_at = now;
	return store_trail_insert(c, &e, err);
}

static int
fetch_events(struct store_conn *c, const void *query, int64_t cursor_ms, const char *cursor_id,
	     int want, void *rows, int *n, struct wl_error *err)
{
	return store_trail_list(c, query, cursor_ms, cursor_id, want, rows, n, err);
}

int
trail_list(struct store_conn *c, const struct store_org *org, const char *type, int64_t from_ms,
	   int64_t to_ms, int64_t cursor_ms, const char *cursor_id, int limit, struct page *out,
	   struct wl_error *err)
{
	struct store_trail_query q = {
		.org_id = org->id,
		.as_agency = org->parent_id[0] == '\0',
		.from_ms = from_ms,
		.to_ms = to_ms,
		.type = type != NULL ? type : "",
	};

	assert(limit >= 1 && limit <= TRAIL_PAGE_MAX);
	return page_fetch(c, fetch_events, &q, sizeof(struct store_trail_event), limit, cursor_ms,
			  cursor_id, out, err);
}
