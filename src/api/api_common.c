/*
 * api_common.c — reading JSON request bodies strictly (an object, known
 * types, bounded strings, integers in range) and rendering shared objects.
 * Every complaint names the field it is about.
 */
#include "api/api.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/whitelabel.h"

json_t *
api_body_object(struct wl_req *req)
{
	json_error_t jerr;
	json_t *root;

	if (req->body.len == 0) {
		http_reply_fail(req, WL_EINVALID, "The request body must be a JSON object");
		return NULL;
	}
	root = json_loadb(req->body.p, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* Only the position: the parser's text may quote the body, which
		 * can hold a secret. */
		http_reply_fail(req, WL_EINVALID,
				"The request body is not valid JSON (line %d, column %d)",
				jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		http_reply_fail(req, WL_EINVALID, "The request body must be a JSON object");
		return NULL;
	}
	return root;
}

static int
field_error(struct wl_error *err, const char *field, const char *msg)
{
	wl_fail(err, WL_EINVALID, "Field '%s' %s", field, msg);
	err->nfields = 1;
	snprintf(err->fields[0].name, sizeof(err->fields[0].name), "%s", field);
	snprintf(err->fields[0].message, sizeof(err->fields[0].message), "%s", msg);
	return WL_EINVALID;
}

int
api_string(json_t *obj, const char *field, bool required, size_t maxlen, const char **out,
	   struct wl_error *err)
{
	json_t *v = json_object_get(obj, field);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return field_error(err, field, "is required");
		return 1;
	}
	if (!json_is_string(v))
		return field_error(err, field, "must be a string");
	if (json_string_length(v) == 0 && required)
		return field_error(err, field, "must not be empty");
	if (json_string_length(v) > maxlen) {
		char msg[64];

		snprintf(msg, sizeof(msg), "must be at most %zu characters", maxlen);
		return field_error(err, field, msg);
	}
	if (strlen(json_string_value(v)) != json_string_length(v))
		return field_error(err, field, "must not contain NUL characters");
	*out = json_string_value(v);
	return WL_OK;
}

int
api_int(json_t *obj, const char *field, bool required, int64_t min, int64_t max, int64_t *out,
	struct wl_error *err)
{
	json_t *v = json_object_get(obj, field);
	char range[96];

	if (v == NULL || json_is_null(v)) {
		if (required)
			return field_error(err, field, "is required");
		return 1;
	}
	if (!json_is_integer(v))
		return field_error(err, field, "must be a whole number");
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(range, sizeof(range), "must be between %lld and %lld", (long long)min,
			 (long long)max);
		return field_error(err, field, range);
	}
	*out = json_integer_value(v);
	return WL_OK;
}

int
api_page(struct wl_req *req, int dflt, int max, int *limit, int64_t *cursor_ms, char cursor_id[64],
	 struct wl_error *err)
{
	const char *l = http_query(req, "limit");
	const char *c = http_query(req, "cursor");

	*limit = dflt;
	*cursor_ms = 0;
	cursor_id[0] = '\0';
	if (l != NULL) {
		char *end;
		long v;

		v = strtol(l, &end, 10);
		if (l[0] < '0' || l[0] > '9' || *end != '\0' || strlen(l) > 5 || v < 1 || v > max)
			return wl_fail(err, WL_EINVALID,
				       "limit must be a whole number from 1 to %d", max);
		*limit = (int)v;
	}
	if (c != NULL && wl_cursor_decode(c, cursor_ms, cursor_id) != WL_OK)
		return wl_fail(err, WL_EINVALID,
			       "cursor is not valid (use next_cursor from the previous page)");
	return WL_OK;
}

void
api_kv_next_cursor(struct wl_buf *b, bool more, int64_t created_ms, const char *id)
{
	char text[WL_CURSOR_TEXT_MAX];

	if (more && wl_cursor_encode(created_ms, id, text, sizeof(text)) == WL_OK)
		wl_json_kv_str(b, "next_cursor", text);
	else
		wl_json_kv_str(b, "next_cursor", NULL);
}

static void
kv_opt(struct wl_buf *b, const char *key, const char *s)
{
	wl_json_kv_str(b, key, s[0] != '\0' ? s : NULL);
}

void
api_render_call(struct wl_buf *b, const struct store_call *call)
{
	char t[32];
	bool inbound = strcmp(call->direction, "inbound") == 0;

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", call->id);
	wl_json_kv_str(b, "org_id", call->org_id);
	wl_json_kv_str(b, "direction", call->direction);
	wl_json_kv_str(b, "type", inbound ? "inbound_phone_call" : "outbound_phone_call");
	wl_json_kv_str(b, "status", call->status);
	kv_opt(b, "from", call->from_number);
	kv_opt(b, "to", call->to_number);
	kv_opt(b, "number_id", call->number_id);
	kv_opt(b, "agent_id", call->agent_id);
	wl_json_kv_int(b, "elapsed_sec", call->elapsed_sec);
	wl_json_kv_int(b, "billed_seconds", call->billed_seconds);
	wl_json_kv_bool(b, "cut_off", call->cut_off);
	kv_opt(b, "ended_reason", call->ended_reason);
	wl_format_iso_ms(call->created_at, t);
	wl_json_kv_str(b, "created_at", t);
	if (call->ended_at > 0) {
		wl_format_iso_ms(call->ended_at, t);
		wl_json_kv_str(b, "ended_at", t);
	} else {
		wl_json_kv_str(b, "ended_at", NULL);
	}
	wl_json_obj_end(b);
}

void
api_healthz(struct wl_req *req)
{
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "status", "ok");
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

bool
api_parent_only(struct wl_req *req)
{
	struct wl_error err;

	wl_error_clear(&err);
	if (whitelabel_require_parent(&req->org, &err) != WL_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

/* A settable string: absent → unchanged (NULL), null → cleared (""),
 * a string → copied into the request's memory. */
int
api_take_string(struct wl_req *req, json_t *obj, const char *field, const char *report, size_t max,
		const char **out, struct wl_error *err)
{
	json_t *v = json_object_get(obj, field);
	char *copy;

	*out = NULL;
	if (v == NULL)
		return WL_OK;
	if (json_is_null(v)) {
		*out = "";
		return WL_OK;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		wl_error_field(err, report, "must be a string");
		return WL_OK;
	}
	if (json_string_length(v) > max) {
		wl_error_field(err, report, "must be at most %zu characters", max);
		return WL_OK;
	}
	copy = http_alloc(req, json_string_length(v) + 1);
	if (copy == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	memcpy(copy, json_string_value(v), json_string_length(v));
	*out = copy;
	return WL_OK;
}

int
api_unknown_fields(json_t *obj, const char *const *known, const char *where, struct wl_error *err)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach (obj, key, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], key) == 0)
				break;
		if (known[i] == NULL)
			return wl_fail(err, WL_EINVALID, "Unknown field '%s%s'", where, key);
	}
	return WL_OK;
}

int
api_unknown_fields_named(json_t *obj, const char *const *known, struct wl_error *err)
{
	char list[160];
	const char *key;
	json_t *v;
	size_t i, used = 0;

	list[0] = '\0';
	for (i = 0; known[i] != NULL && used < sizeof(list) - 1; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 known[i]);
	json_object_foreach (obj, key, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], key) == 0)
				break;
		if (known[i] == NULL)
			wl_error_field(err, key, "is not a field of this request (known: %s)",
				       list);
	}
	return err->nfields > 0 ? WL_EVALIDATION : WL_OK;
}

int
api_query_int(struct wl_req *req, const char *name, int64_t max, int64_t *out, struct wl_error *err)
{
	const char *v = http_query(req, name);
	int64_t n = 0;
	size_t i;

	if (v == NULL)
		return 1;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 12)
			return wl_fail(err, WL_EINVALID, "%s must be a whole number from 0 to %lld",
				       name, (long long)max);
		n = n * 10 + (v[i] - '0');
	}
	if (i == 0 || n > max)
		return wl_fail(err, WL_EINVALID, "%s must be a whole number from 0 to %lld", name,
			       (long long)max);
	*out = n;
	return WL_OK;
}

void
api_reply_list(struct wl_req *req, const struct api_list_shape *shape, struct page *pg)
{
	const char *rows = pg->rows, *last = NULL, *id = "";
	int64_t ms = 0;
	int i;

	assert(pg->n == 0 || pg->rows != NULL);
	wl_json_obj_begin(&req->out);
	wl_json_key(&req->out, shape->key);
	wl_json_arr_begin(&req->out);
	for (i = 0; i < pg->n; i++)
		shape->render(&req->out, rows + (size_t)i * pg->row_size);
	wl_json_arr_end(&req->out);
	if (pg->n > 0) {
		last = rows + (size_t)(pg->n - 1) * pg->row_size;
		shape->cursor_of(last, &ms, &id);
	}
	api_kv_next_cursor(&req->out, pg->more, ms, id);
	wl_json_obj_end(&req->out);
	page_free(pg);
	http_reply_json(req, 200);
}
