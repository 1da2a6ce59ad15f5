/*
 * engine_hooks.c — assistant-request and tool-calls (see engine_hooks.h):
 * the body sent, and every answer form turned into the one answer the
 * engine reads.
 */
#include "services/engine_hooks.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "log.h"
#include "services/ids.h"
#include "services/webhook_events.h"
#include "services/webhooks.h"

static bool
bounded_string(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= max;
}

int
engine_hooks_check_tools(const json_t *list, struct wl_error *err)
{
	size_t i, n;
	json_t *tc;

	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > ENGINE_TOOL_CALLS_MAX)
		return wl_fail(err, WL_EINVALID,
			       "Field 'tool_call_list' must be an array of 1 to %d tool calls",
			       ENGINE_TOOL_CALLS_MAX);
	json_array_foreach (list, i, tc) {
		json_t *fn = json_object_get(tc, "function"), *type = json_object_get(tc, "type");
		json_t *args = json_object_get(fn, "arguments");

		if (!json_is_object(tc) ||
		    !bounded_string(json_object_get(tc, "id"), ENGINE_TOOL_ID_MAX))
			return wl_fail(err, WL_EINVALID,
				       "tool_call_list[%zu].id must be 1 to %d characters", i,
				       ENGINE_TOOL_ID_MAX);
		if (type != NULL &&
		    !(json_is_string(type) && strcmp(json_string_value(type), "function") == 0))
			return wl_fail(err, WL_EINVALID,
				       "tool_call_list[%zu].type must be \"function\"", i);
		if (!json_is_object(fn) ||
		    !bounded_string(json_object_get(fn, "name"), ENGINE_TOOL_NAME_MAX))
			return wl_fail(
				err, WL_EINVALID,
				"tool_call_list[%zu].function.name must be 1 to %d characters", i,
				ENGINE_TOOL_NAME_MAX);
		if (args != NULL && !json_is_object(args) && !json_is_string(args))
			return wl_fail(err, WL_EINVALID,
				       "tool_call_list[%zu].function.arguments must be an object "
				       "or a string",
				       i);
		n = args != NULL ? json_dumpb(args, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY) : 0;
		if (n > ENGINE_TOOL_ARGS_MAX)
			return wl_fail(err, WL_EINVALID,
				       "tool_call_list[%zu].function.arguments must be at most %d "
				       "bytes as JSON",
				       i, ENGINE_TOOL_ARGS_MAX);
	}
	return WL_OK;
}

/* Appends a JSON value as compact text (jansson's own memory is freed by
 * jansson only, so the text is dumped into ours). */
static void
put_json(struct wl_buf *b, const json_t *v)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII;
	size_t n = json_dumpb(v, NULL, 0, flags);
	char *text = n > 0 ? malloc(n + 1) : NULL;

	if (text == NULL || json_dumpb(v, text, n, flags) != n) {
		wl_json_null(b);
	} else {
		text[n] = '\0';
		wl_json_raw(b, text);
	}
	free(text);
}

static void
build_body(struct engine_hook *h)
{
	const char *type = h->tools ? "tool-calls" : "assistant-request";
	struct wl_buf *b = &h->body;
	json_t *tc;
	size_t i;

	wl_json_obj_begin(b);
	wl_json_key(b, "message");
	wl_json_obj_begin(b);
	webhook_events_head(b, type, &h->call);
	if (h->tools) {
		wl_json_key(b, "tool_call_list");
		wl_json_arr_begin(b);
		json_array_foreach (h->tool_calls, i, tc) {
			json_t *fn = json_object_get(tc, "function");
			json_t *args = json_object_get(fn, "arguments");

			wl_json_obj_begin(b);
			wl_json_kv_str(b, "id", json_string_value(json_object_get(tc, "id")));
			wl_json_kv_str(b, "type", "function");
			wl_json_key(b, "function");
			wl_json_obj_begin(b);
			wl_json_kv_str(b, "name", json_string_value(json_object_get(fn, "name")));
			wl_json_key(b, "arguments");
			if (args != NULL)
				put_json(b, args);
			else
				wl_json_raw(b, "{}");
			wl_json_obj_end(b);
			wl_json_obj_end(b);
		}
		wl_json_arr_end(b);
	}
	wl_json_obj_end(b);
	wl_json_obj_end(b);
}

/* The receiver, the body, its signature, the transfer; a failure that is
 * not the engine's fault lands in h->failure. */
static int
make_transfer(struct store_conn *c, struct engine_hook *h, struct wl_error *err)
{
	const char *event = h->tools ? "tool-calls" : "assistant-request";
	const json_t *first = h->tools ? json_array_get(h->tool_calls, 0) : NULL;
	struct store_wh_endpoint e;
	bool found = false;
	long timeout = h->tools ? ENGINE_TOOLS_TIMEOUT_MS : ENGINE_ASSISTANT_TIMEOUT_MS;
	int rc;

	rc = webhooks_sync_target(c, h->call.org_id, h->call.agent_id,
				  first != NULL
					  ? json_string_value(json_object_get(
						    json_object_get(first, "function"), "name"))
					  : NULL,
				  event, &e, &found, err);
	if (rc != WL_OK)
		return rc;
	if (!found) {
		snprintf(h->failure, sizeof(h->failure), "no webhook receives %s", event);
		return WL_OK;
	}
	memcpy(h->endpoint_id, e.id, WL_ID_LEN);
	memcpy(h->url, e.url, sizeof(h->url));
	ids_new_uuid(h->delivery_id);
	build_body(h);
	if (h->app->webhook_sync_timeout_ms > 0 && h->app->webhook_sync_timeout_ms < timeout)
		timeout = (long)h->app->webhook_sync_timeout_ms;
	h->request = (struct webhook_request){ h->url, event,        h->delivery_id,
					       1,      h->signature, wl_now_ms() / 1000,
					       NULL,   timeout };
	if (!wl_buf_ok(&h->body)) {
		snprintf(h->failure, sizeof(h->failure), "the event body is too large");
	} else if (webhooks_sign(h->app, &e, h->request.ts, wl_buf_cstr(&h->body), h->signature,
				 err) != WL_OK) {
		wl_error_clear(err);
		snprintf(h->failure, sizeof(h->failure), "the endpoint's secret cannot be opened");
	} else {
		h->request.body = wl_buf_cstr(&h->body);
		h->transfer = webhook_transfer_new(&h->request, &h->attempt, &rc);
		if (h->transfer == NULL)
			snprintf(h->failure, sizeof(h->failure), "%s", h->attempt.error);
	}
	sodium_memzero(&e, sizeof(e));
	return WL_OK;
}

int
engine_hooks_prepare(struct store_conn *c, struct engine_hook *h, struct wl_error *err)
{
	int rc;

	wl_buf_init(&h->body, WL_WEBHOOK_BODY_MAX);
	h->endpoint_id[0] = h->failure[0] = '\0';
	h->transfer = NULL;
	memset(&h->attempt, 0, sizeof(h->attempt));
	h->attempt.allow_private = h->app->webhook_allow_private;
	h->attempt.answer = h->answer;
	h->attempt.answer_cap = sizeof(h->answer) - 1;
	rc = store_call_get(c, h->call_id, false, &h->call, err);
	if (rc == WL_ENOTFOUND)
		rc = wl_fail(err, WL_ENOTFOUND, "call not found");
	if (rc == WL_OK)
		rc = make_transfer(c, h, err);
	if (rc != WL_OK) {
		wl_buf_free(&h->body);
		json_decref(h->tool_calls);
		h->tool_calls = NULL;
	}
	return rc;
}

/* ---- the answer --------------------------------------------------------------------- */

/* The webhook's answer as a JSON object, or NULL with h->failure set. */
static json_t *
parse_answer(struct engine_hook *h, int rc)
{
	json_error_t jerr;
	json_t *v;

	if (h->failure[0] != '\0')
		return NULL;
	if (h->transfer == NULL) {
		snprintf(h->failure, sizeof(h->failure), "no webhook answered");
		return NULL;
	}
	if (rc != WL_OK) {
		snprintf(h->failure, sizeof(h->failure), "%s",
			 h->attempt.timed_out ? "the webhook did not answer in time"
					      : h->attempt.error);
		return NULL;
	}
	if (h->attempt.answer_len >= sizeof(h->answer) - 1) {
		snprintf(h->failure, sizeof(h->failure),
			 "the webhook's answer is larger than %d bytes",
			 ENGINE_HOOK_ANSWER_MAX - 1);
		return NULL;
	}
	v = json_loadb(h->answer, h->attempt.answer_len, JSON_REJECT_DUPLICATES, &jerr);
	if (v != NULL && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	if (v == NULL)
		snprintf(h->failure, sizeof(h->failure),
			 "the webhook's answer is not a JSON object");
	return v;
}

/* A string field of the answer, made safe to pass on (bounded, UTF-8, no
 * control characters); NULL when absent or not a string. */
static const char *
clean_string(const json_t *obj, const char *field, char *out, size_t max)
{
	const json_t *v = json_object_get(obj, field);

	if (!json_is_string(v))
		return NULL;
	wl_text_sanitize(json_string_value(v), json_string_length(v), out, max);
	return out;
}

static void
log_failure(const struct engine_hook *h, const char *fallback)
{
	if (h->endpoint_id[0] == '\0')
		return; /* no receiver is not a failure */
	wl_log("%s for call %s: webhook endpoint %s (delivery %s) failed: %s; %s",
	       h->tools ? "tool-calls" : "assistant-request", h->call_id, h->endpoint_id,
	       h->delivery_id, h->failure, fallback);
}

static void
render_assistant(struct engine_hook *h, json_t *v, struct wl_buf *out)
{
	char message[ENGINE_REJECT_MESSAGE_MAX + 1];
	const json_t *assistant = json_object_get(v, "assistant");
	const json_t *max = json_object_get(v, "max_duration_seconds");
	const char *error = clean_string(v, "error", message, ENGINE_REJECT_MESSAGE_MAX);

	if (v != NULL && error == NULL && json_object_get(v, "error") != NULL &&
	    !json_is_null(json_object_get(v, "error")))
		snprintf(h->failure, sizeof(h->failure), "its \"error\" is not a string");
	else if (v != NULL && assistant != NULL && !json_is_object(assistant) &&
		 !json_is_null(assistant))
		snprintf(h->failure, sizeof(h->failure), "its \"assistant\" is not an object");
	else if (v != NULL && max != NULL && !json_is_null(max) &&
		 !(json_is_integer(max) && json_integer_value(max) > 0 &&
		   json_integer_value(max) <= 24 * 3600))
		snprintf(h->failure, sizeof(h->failure),
			 "its \"max_duration_seconds\" is not a whole number from 1 to 86400");
	wl_json_obj_begin(out);
	wl_json_kv_str(out, "call_id", h->call_id);
	if (h->failure[0] == '\0' && error != NULL) {
		wl_json_kv_str(out, "action", "reject");
		wl_json_kv_str(out, "reason", "webhook_rejected");
		wl_json_kv_str(out, "message", message);
		wl_json_kv_str(out, "source", "webhook");
	} else {
		bool ok = h->failure[0] == '\0';

		wl_json_kv_str(out, "action", "answer");
		wl_json_key(out, "assistant");
		if (ok && json_is_object(assistant))
			put_json(out, assistant);
		else
			wl_json_null(out);
		wl_json_key(out, "max_duration_seconds");
		if (ok && json_is_integer(max))
			wl_json_int(out, json_integer_value(max));
		else
			wl_json_null(out);
		wl_json_kv_str(out, "source", ok ? "webhook" : "default");
		if (!ok) {
			wl_json_kv_str(out, "fallback_reason", h->failure);
			log_failure(h, "the default agent answers the call");
		}
	}
	wl_json_obj_end(out);
}

/* The webhook's entry for tool call `id` in {"results":[…]}; NULL if none. */
static const json_t *
result_for(const json_t *results, const char *id)
{
	const json_t *r;
	size_t i;

	json_array_foreach (results, i, r) {
		const json_t *rid = json_object_get(r, "tool_call_id");

		if (json_is_string(rid) && strcmp(json_string_value(rid), id) == 0)
			return r;
	}
	return NULL;
}

static void
put_result(struct wl_buf *out, const char *id, const json_t *result, const char *error)
{
	wl_json_obj_begin(out);
	wl_json_kv_str(out, "tool_call_id", id);
	if (error != NULL) {
		wl_json_kv_str(out, "error", error);
	} else {
		wl_json_key(out, "result");
		put_json(out, result);
	}
	wl_json_obj_end(out);
}

/* One result per tool call the engine asked for, in its order. */
static void
render_tools(struct engine_hook *h, json_t *v, struct wl_buf *out)
{
	char message[ENGINE_REJECT_MESSAGE_MAX + 1];
	const json_t *results = json_object_get(v, "results"), *tc, *r;
	const char *error = clean_string(v, "error", message, ENGINE_REJECT_MESSAGE_MAX);
	size_t i;

	if (v != NULL && results != NULL && !json_is_array(results))
		snprintf(h->failure, sizeof(h->failure), "its \"results\" is not an array");
	wl_json_obj_begin(out);
	wl_json_kv_str(out, "call_id", h->call_id);
	wl_json_key(out, "results");
	wl_json_arr_begin(out);
	json_array_foreach (h->tool_calls, i, tc) {
		const char *id = json_string_value(json_object_get(tc, "id"));
		char rerr[ENGINE_REJECT_MESSAGE_MAX + 1];

		if (h->failure[0] != '\0')
			put_result(out, id, NULL, "the tool's webhook gave no answer");
		else if (error != NULL)
			put_result(out, id, NULL, error);
		else if (results == NULL)
			/* {"result": x} or a bare object: the answer of every call */
			put_result(out, id,
				   json_object_get(v, "result") != NULL
					   ? json_object_get(v, "result")
					   : v,
				   NULL);
		else if ((r = result_for(results, id)) == NULL)
			put_result(out, id, NULL,
				   "the tool's webhook gave no result for this call");
		else if (clean_string(r, "error", rerr, ENGINE_REJECT_MESSAGE_MAX) != NULL)
			put_result(out, id, NULL, rerr);
		else
			put_result(out, id,
				   json_object_get(r, "result") != NULL
					   ? json_object_get(r, "result")
					   : json_null(),
				   NULL);
	}
	wl_json_arr_end(out);
	wl_json_kv_str(out, "source", h->failure[0] == '\0' ? "webhook" : "default");
	if (h->failure[0] != '\0') {
		wl_json_kv_str(out, "fallback_reason", h->failure);
		log_failure(h, "every tool call gets an error result");
	}
	wl_json_obj_end(out);
}

void
engine_hooks_render(struct engine_hook *h, int rc, struct wl_buf *out)
{
	json_t *v = parse_answer(h, rc);

	if (h->tools)
		render_tools(h, v, out);
	else
		render_assistant(h, v, out);
	json_decref(v);
	json_decref(h->tool_calls);
	h->tool_calls = NULL;
	wl_buf_free(&h->body);
	h->transfer = NULL; /* freed by its runner */
}
