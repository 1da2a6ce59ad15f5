/*
 * engine_hooks.c — the engine's synchronous webhook calls:
 * POST /engine/v1/assistant-request {"call_id"} and
 * POST /engine/v1/calls/{id}/tool-calls {"tool_call_list":[…]}.
 *
 * The request takes a slot of the webhook caller (503 when every slot is
 * waiting), is prepared on a worker (reads, DNS), then detached: the
 * connection stays suspended while the caller's curl loop waits for the
 * webhook, and the answer is rendered and sent from there. No server
 * thread or worker waits (services/engine_hooks.h, webhook_caller.h).
 */
#include "api/api.h"

#include <string.h>

#include "core/validate.h"
#include "services/engine_hooks.h"
#include "services/webhook_caller.h"

struct hook_req {
	struct wl_req *req;
	struct engine_hook h;
};

static void
hook_done(void *arg, int rc)
{
	struct hook_req *r = arg;

	engine_hooks_render(&r->h, rc, &r->req->out);
	http_reply_json(r->req, 200);
	http_resume(r->req);
}

static void
hook_start(struct wl_req *req, void *arg)
{
	struct hook_req *r = arg;

	webhook_caller_run(req->app->caller, r->h.transfer, hook_done, r);
}

/* On a worker: the reads and the transfer, then the wait (detached) or,
 * with nothing to wait for, the default answer at once. */
static void
hook_work(struct wl_req *req, void *arg)
{
	struct hook_req *r = arg;
	struct wl_error err;

	wl_error_clear(&err);
	if (engine_hooks_prepare(req->conn, &r->h, &err) != WL_OK) {
		webhook_caller_release(req->app->caller);
		http_reply_error(req, &err);
		return;
	}
	if (r->h.transfer == NULL) {
		webhook_caller_release(req->app->caller);
		engine_hooks_render(&r->h, WL_OK, &req->out);
		http_reply_json(req, 200);
		return;
	}
	http_detach(req, hook_start, r);
}

/* Takes a slot and hands the rest to a worker; json is owned by h now. */
static void
hook_begin(struct wl_req *req, struct hook_req *r)
{
	if (req->app->caller == NULL || !webhook_caller_reserve(req->app->caller)) {
		json_decref(r->h.tool_calls);
		http_reply_fail(req, WL_EUNAVAILABLE,
				"Too many webhook calls are waiting; try again shortly");
		return;
	}
	http_offload(req, hook_work, r);
}

static struct hook_req *
hook_new(struct wl_req *req, const char *call_id, bool tools)
{
	struct hook_req *r = http_alloc(req, sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->req = req;
	r->h.app = req->app;
	r->h.tools = tools;
	memcpy(r->h.call_id, call_id, WL_ID_LEN);
	return r;
}

void
api_engine_assistant_request(struct wl_req *req)
{
	struct hook_req *r;
	struct wl_error err;
	const char *call_id = NULL;
	json_t *body = api_body_object(req);

	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (api_string(body, "call_id", true, 64, &call_id, &err) < 0) {
		json_decref(body);
		http_reply_error(req, &err);
		return;
	}
	if (!wl_valid_uuid(call_id)) {
		json_decref(body);
		http_reply_fail(req, WL_ENOTFOUND, "call not found");
		return;
	}
	r = hook_new(req, call_id, false);
	json_decref(body);
	if (r == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	hook_begin(req, r);
}

void
api_engine_tool_calls(struct wl_req *req)
{
	struct hook_req *r;
	struct wl_error err;
	json_t *body, *list;

	if (!wl_valid_uuid(req->params[0])) {
		http_reply_fail(req, WL_ENOTFOUND, "call not found");
		return;
	}
	if ((body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	list = json_object_get(body, "tool_call_list");
	if (engine_hooks_check_tools(list, &err) != WL_OK) {
		json_decref(body);
		http_reply_error(req, &err);
		return;
	}
	r = hook_new(req, req->params[0], true);
	if (r == NULL) {
		json_decref(body);
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	r->h.tool_calls = json_incref(list);
	json_decref(body);
	hook_begin(req, r);
}
