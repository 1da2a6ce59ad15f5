/*
 * config_common.c — what the API handlers of the per-org configuration
 * objects (agents, tools, knowledge bases, phone numbers) share: lists of
 * ids in and out, ETag and If-Match, the op a method means, paging, and
 * the inbound settings (the message a refused inbound call is told).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/agentcfg.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/numbers.h"
#include "services/whitelabel.h"

int
api_take_list(struct wl_req *req, json_t *obj, const char *field, size_t max_items,
	      const char **out, struct wl_error *err)
{
	json_t *v = json_object_get(obj, field), *e;
	size_t i, total = 0;
	char *joined;

	*out = NULL;
	if (v == NULL)
		return WL_OK;
	if (json_is_null(v)) {
		*out = "";
		return WL_OK;
	}
	if (!json_is_array(v)) {
		wl_error_field(err, field, "must be a list of strings");
		return WL_OK;
	}
	if (json_array_size(v) > max_items) {
		wl_error_field(err, field, "must list at most %zu items", max_items);
		return WL_OK;
	}
	json_array_foreach (v, i, e) {
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    json_string_length(e) > 64 ||
		    strcspn(json_string_value(e), ",") != json_string_length(e)) {
			wl_error_field(err, field, "must be a list of ids or names (strings)");
			return WL_OK;
		}
		total += json_string_length(e) + 1;
	}
	joined = http_alloc(req, total + 1);
	if (joined == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	json_array_foreach (v, i, e) {
		if (i > 0)
			strcat(joined, ",");
		strcat(joined, json_string_value(e));
	}
	*out = joined;
	return WL_OK;
}

void
api_kv_list(struct wl_buf *b, const char *key, const char *joined)
{
	const char *p = joined;

	wl_json_key(b, key);
	wl_json_arr_begin(b);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		wl_json_strn(b, p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	wl_json_arr_end(b);
}

void
api_kv_time(struct wl_buf *b, const char *key, int64_t ms)
{
	char t[32];

	wl_format_iso_ms(ms, t);
	wl_json_kv_str(b, key, t);
}

void
api_etag(struct wl_req *req, int64_t updated_at)
{
	char etag[32];

	wl_etag(updated_at, etag);
	http_add_header(req, "ETag", etag);
}

const char *
api_if_match(struct wl_req *req)
{
	return http_header(req, "If-Match");
}

enum orgcfg_op
api_write_op(struct wl_req *req)
{
	switch (req->method) {
	case HTTP_POST: return ORGCFG_CREATE;
	case HTTP_PUT: return ORGCFG_REPLACE;
	case HTTP_DELETE: return ORGCFG_DELETE;
	default: return ORGCFG_UPDATE;
	}
}

bool
api_id_param(struct wl_req *req, int i, const char *missing)
{
	if (wl_valid_uuid(req->params[i]))
		return true;
	http_reply_fail(req, WL_ENOTFOUND, "%s", missing);
	return false;
}

int
api_config_page(struct wl_req *req, int *limit, int64_t *cursor_ms, char cursor_id[64],
		struct wl_error *err)
{
	return api_page(req, 50, ORGCFG_PAGE_MAX, limit, cursor_ms, cursor_id, err);
}

/* ---- inbound settings ----------------------------------------------------- */

static void
render_inbound(struct wl_buf *b, const char *message)
{
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "insufficient_credits_message", message);
	wl_json_kv_str(b, "default_message", NUMBERS_REJECT_MESSAGE_DEFAULT);
	wl_json_obj_end(b);
}

void
api_inbound_settings_get(struct wl_req *req)
{
	char message[NUMBERS_REJECT_MESSAGE_MAX + 1];

	if (!api_parent_only(req))
		return;
	numbers_reject_message(req->conn, req->org.id, message, sizeof(message));
	render_inbound(&req->out, message);
	http_reply_json(req, 200);
}

static void
inbound_put_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct numbers_message_put *m = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_inbound(&req->out, m->result);
	http_reply_json(req, 200);
}

void
api_inbound_settings_put(struct wl_req *req)
{
	static const char *const known[] = { "insufficient_credits_message", NULL };
	struct numbers_message_put *m;
	struct wl_error err;
	const char *message = NULL;
	json_t *body;

	if (!api_parent_only(req))
		return;
	body = api_body_object(req);
	if (body == NULL)
		return;
	wl_error_clear(&err);
	m = http_alloc(req, sizeof(*m));
	if (m == NULL) {
		json_decref(body);
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (api_unknown_fields_named(body, known, &err) == WL_OK &&
	    api_take_string(req, body, "insufficient_credits_message",
			    "insufficient_credits_message", NUMBERS_REJECT_MESSAGE_MAX, &message,
			    &err) == WL_OK &&
	    err.nfields == 0 && message == NULL)
		wl_error_field(&err, "insufficient_credits_message", "is required (null: default)");
	json_decref(body);
	if (err.code != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	memcpy(m->org_id, req->org.id, WL_ID_LEN);
	m->message = message;
	http_submit(req, numbers_message_put_run, m, inbound_put_finish);
}
