/*
 * calls.c — POST /api/v1/calls (outbound), GET /api/v1/calls[/{id}].
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "services/calls.h"

static void
created(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct calls_outbound *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	api_render_call(&req->out, &r->call);
	http_reply_json(req, 201);
}

void
api_calls_create(struct wl_req *req)
{
	struct calls_outbound *r;
	struct wl_error err;
	const char *direction = NULL, *to = NULL, *agent = NULL, *number = NULL;
	json_t *body = api_body_object(req);

	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (api_string(body, "direction", false, 16, &direction, &err) < 0 ||
	    api_string(body, "to", true, WL_NUMBER_MAX - 1, &to, &err) < 0 ||
	    api_string(body, "agent_id", false, 64, &agent, &err) < 0 ||
	    api_string(body, "number_id", false, WL_ID_LEN - 1, &number, &err) < 0)
		goto bad;
	if (direction != NULL && strcmp(direction, "outbound") != 0) {
		wl_fail(&err, WL_EINVALID,
			"Field 'direction' must be \"outbound\" (inbound calls come from the voice engine)");
		goto bad;
	}
	if (!wl_valid_e164(to)) {
		wl_fail(&err, WL_EINVALID,
			"Field 'to' must be a phone number in E.164 form, like +31612345678");
		goto bad;
	}
	if (number != NULL && !wl_valid_uuid(number)) {
		wl_fail(&err, WL_ENOTFOUND, "phone number not found");
		goto bad;
	}
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto bad;
	}
	memcpy(r->org_id, req->org.id, WL_ID_LEN);
	snprintf(r->to, sizeof(r->to), "%s", to);
	snprintf(r->agent_id, sizeof(r->agent_id), "%s", agent != NULL ? agent : "");
	snprintf(r->number_id, sizeof(r->number_id), "%s", number != NULL ? number : "");
	json_decref(body);
	http_submit(req, calls_outbound_run, r, created);
	return;
bad:
	json_decref(body);
	http_reply_error(req, &err);
}

void
api_calls_get(struct wl_req *req)
{
	struct store_call call;
	struct wl_error err;

	wl_error_clear(&err);
	if (!wl_valid_uuid(req->params[0])) {
		http_reply_fail(req, WL_ENOTFOUND, "call not found");
		return;
	}
	if (calls_get(req->conn, req->org.id, req->params[0], &call, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_render_call(&req->out, &call);
	http_reply_json(req, 200);
}

static void
render_call_row(struct wl_buf *b, const void *row)
{
	api_render_call(b, row);
}

static void
call_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_call *c = row;

	*ms = c->created_at;
	*id = c->id;
}

void
api_calls_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "calls", render_call_row, call_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_page(req, 100, CALLS_PAGE_MAX, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    calls_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}
