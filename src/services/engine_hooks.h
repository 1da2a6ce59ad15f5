/*
 * engine_hooks.h — the synchronous webhook calls of the voice engine
 * (DESIGN.md "Voice engine API"): assistant-request (which agent takes an
 * inbound call, within 5 s) and tool-calls (the results of a call's tool
 * calls, within 10 s). wlportal asks the org's webhook (webhooks_sync_target
 * chooses it), signed like every delivery and through the same SSRF guard,
 * and turns any answer form DESIGN.md lists into one shape (README, "Voice
 * engine API"); without a receiver, on a time-out or an error, the default
 * applies (the default agent; an error result per tool call) and the
 * failure is logged without secrets.
 *
 * Use: engine_hooks_prepare on a read connection (it may resolve a host:
 * a worker's job), then run h->transfer (services/webhook_caller.h) when
 * there is one, then engine_hooks_render exactly once.
 */
#ifndef WL_SERVICES_ENGINE_HOOKS_H
#define WL_SERVICES_ENGINE_HOOKS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/webhook.h"
#include "services/app.h"
#include "services/webhook_client.h"
#include "store/store.h"

#define ENGINE_ASSISTANT_TIMEOUT_MS 5000
#define ENGINE_TOOLS_TIMEOUT_MS 10000
#define ENGINE_HOOK_ANSWER_MAX (64 * 1024) /* a webhook's answer, at most */
#define ENGINE_TOOL_CALLS_MAX 32
#define ENGINE_TOOL_ID_MAX 64
#define ENGINE_TOOL_NAME_MAX 64
#define ENGINE_TOOL_ARGS_MAX (32 * 1024) /* one call's arguments as JSON */
#define ENGINE_REJECT_MESSAGE_MAX 500

struct engine_hook {
	/* in */
	const struct wl_app *app;
	bool tools; /* tool-calls; else assistant-request */
	char call_id[WL_ID_LEN];
	json_t *tool_calls; /* tools: the checked tool_call_list (owned) */
	/* made by engine_hooks_prepare */
	struct store_call call;
	char endpoint_id[WL_ID_LEN]; /* "" when no webhook receives the event */
	char delivery_id[WL_ID_LEN];
	char url[WL_URL_MAX + 1];
	char signature[WL_WEBHOOK_SIG_HEADER_MAX];
	struct wl_buf body;
	struct webhook_request request;
	struct webhook_attempt attempt;
	char answer[ENGINE_HOOK_ANSWER_MAX];
	struct webhook_transfer *transfer; /* NULL: nothing to wait for */
	char failure[300];                 /* why the default applies, "" when it does not */
};

/* The engine's tool_call_list: 1 to ENGINE_TOOL_CALLS_MAX entries
 * {"id","type":"function","function":{"name","arguments"}} with bounded
 * ids, names and arguments (an object or a string). WL_EINVALID. */
int engine_hooks_check_tools(const json_t *list, struct wl_error *err);

/* Loads the call (WL_ENOTFOUND), picks the receiver, builds and signs the
 * body and makes the transfer. Other failures (a refused address, no
 * secret) are not errors: h->failure says why the default applies. */
int engine_hooks_prepare(struct store_conn *c, struct engine_hook *h, struct wl_error *err);

/* The answer to the engine in out, from the transfer's outcome rc (ignored
 * without a transfer); frees what prepare made. */
void engine_hooks_render(struct engine_hook *h, int rc, struct wl_buf *out);

#endif
