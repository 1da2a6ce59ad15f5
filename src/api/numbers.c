/*
 * numbers.c — /api/v1/phone-numbers: an org's numbers (E.164, unique on
 * the platform) and the agent each is assigned to. Rules: services/numbers.c.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "services/numbers.h"

void
api_render_number(struct wl_buf *b, const struct store_number *p)
{
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", p->id);
	wl_json_kv_str(b, "org_id", p->org_id);
	wl_json_kv_str(b, "number", p->number);
	wl_json_kv_str(b, "name", p->name[0] != '\0' ? p->name : NULL);
	wl_json_kv_str(b, "agent_id", p->agent_id[0] != '\0' ? p->agent_id : NULL);
	api_kv_time(b, "created_at", p->created_at);
	api_kv_time(b, "updated_at", p->updated_at);
	wl_json_obj_end(b);
}

static void
render_row(struct wl_buf *b, const void *row)
{
	api_render_number(b, row);
}

static void
number_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_number *p = row;

	*ms = p->created_at;
	*id = p->id;
}

void
api_numbers_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "phone_numbers", render_row, number_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_config_page(req, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    numbers_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

void
api_numbers_get(struct wl_req *req)
{
	struct store_number p;
	struct wl_error err;

	wl_error_clear(&err);
	if (numbers_get(req->conn, req->org.id, req->params[0], &p, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_etag(req, p.updated_at);
	api_render_number(&req->out, &p);
	http_reply_json(req, 200);
}

static void
written(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct numbers_write *w = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	if (w->op == ORGCFG_DELETE) {
		wl_json_obj_begin(&req->out);
		wl_json_kv_str(&req->out, "id", w->number.id);
		wl_json_kv_bool(&req->out, "deleted", true);
		wl_json_obj_end(&req->out);
		http_reply_json(req, 200);
		return;
	}
	api_etag(req, w->number.updated_at);
	api_render_number(&req->out, &w->number);
	http_reply_json(req, w->op == ORGCFG_CREATE ? 201 : 200);
}

void
api_numbers_write(struct wl_req *req)
{
	static const char *const known[] = { "number", "name", "agent_id", NULL };
	struct numbers_write *w = http_alloc(req, sizeof(*w));
	struct wl_error err;
	json_t *body;

	wl_error_clear(&err);
	if (w == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	w->op = api_write_op(req);
	if (w->op != ORGCFG_CREATE && !api_id_param(req, 0, "phone number not found"))
		return;
	if (w->op != ORGCFG_DELETE) {
		if ((body = api_body_object(req)) == NULL)
			return;
		if (api_unknown_fields_named(body, known, &err) == WL_OK &&
		    api_take_string(req, body, "number", "number", WL_NUMBER_MAX - 1, &w->in.number,
				    &err) == WL_OK &&
		    api_take_string(req, body, "name", "name", WL_NAME_MAX, &w->in.name, &err) ==
			    WL_OK)
			(void)api_take_string(req, body, "agent_id", "agent_id", 64,
					      &w->in.agent_id, &err);
		json_decref(body);
		if (err.code == WL_OK && w->op == ORGCFG_CREATE && w->in.number == NULL)
			wl_error_field_why(&err, "number", WL_FIELD_REQUIRED, "is required");
		if (err.code != WL_OK) {
			http_reply_error(req, &err);
			return;
		}
	}
	memcpy(w->org_id, req->org.id, WL_ID_LEN);
	if (w->op != ORGCFG_CREATE)
		memcpy(w->id, req->params[0], WL_ID_LEN);
	w->if_match = api_if_match(req);
	http_submit(req, numbers_write_run, w, written);
}
