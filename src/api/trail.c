/*
 * trail.c — GET /api/v1/audit-events: the audit trail an org may read
 * (an agency its own and its clients' events, a client its own), newest
 * first, paged, filtered by type and by start_date/end_date (inclusive UTC
 * days).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "services/trail.h"

static void
render_event(struct wl_buf *b, const void *row)
{
	const struct store_trail_event *e = row;
	char t[32];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", e->id);
	wl_json_kv_str(b, "type", e->type);
	wl_json_kv_str(b, "org_id", e->org_id);
	wl_json_key(b, "actor");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "type", e->actor_type);
	wl_json_kv_str(b, "id", e->actor_id[0] ? e->actor_id : NULL);
	wl_json_obj_end(b);
	wl_json_kv_str(b, "address", e->address[0] ? e->address : NULL);
	wl_format_iso_ms(e->created_at, t);
	wl_json_kv_str(b, "created_at", t);
	/* written by trail_record as a JSON object */
	wl_json_key(b, "changes");
	wl_json_raw(b, e->detail[0] == '{' ? e->detail : "{}");
	wl_json_obj_end(b);
}

static void
event_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_trail_event *e = row;

	*ms = e->created_at;
	*id = e->id;
}

int
api_trail_range(struct wl_req *req, const char **type, int64_t *from_ms, int64_t *to_ms,
		struct wl_error *err)
{
	const char *s = http_query(req, "start_date");
	const char *e = http_query(req, "end_date");
	int64_t day;

	*type = http_query(req, "type");
	if (*type != NULL && (*type)[0] != '\0' && !trail_type_known(*type))
		return wl_fail(err, WL_EINVALID,
			       "type must be one of settings.changed, portal.activated, "
			       "portal.deactivated, allocation.created, api_key.created, "
			       "api_key.revoked, domain.claimed, domain.removed, "
			       "domain.status_changed, limits.changed, billing_info.updated");
	*from_ms = 0;
	*to_ms = INT64_MAX;
	if (s != NULL && s[0] != '\0') {
		if (wl_parse_date(s, &day) != WL_OK)
			return wl_fail(err, WL_EINVALID, "start_date must be a date as YYYY-MM-DD");
		*from_ms = day * 86400000LL;
	}
	if (e != NULL && e[0] != '\0') {
		if (wl_parse_date(e, &day) != WL_OK)
			return wl_fail(err, WL_EINVALID, "end_date must be a date as YYYY-MM-DD");
		*to_ms = (day + 1) * 86400000LL;
	}
	if (*from_ms >= *to_ms)
		return wl_fail(err, WL_EINVALID, "start_date must not be after end_date");
	return WL_OK;
}

void
api_audit_events(struct wl_req *req)
{
	static const struct api_list_shape shape = { "audit_events", render_event, event_cursor };
	const char *type;
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms, from_ms, to_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_trail_range(req, &type, &from_ms, &to_ms, &err) != WL_OK ||
	    api_page(req, 100, TRAIL_PAGE_MAX, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    trail_list(req->conn, &req->org, type, from_ms, to_ms, cursor_ms, cursor_id, limit, &pg,
		       &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}
