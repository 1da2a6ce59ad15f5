/*
 * agents.c — /api/v1/agents and /api/v1/tools: an org's agents and tools
 * (a parent reaches its client's with X-Organization-Id). Handlers read the
 * body into the services' input, queue the writer job, and render the row
 * with its ETag; every rule is in services/agents.c and services/tools.c.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/agentcfg.h"
#include "services/agents.h"
#include "services/tools.h"

/* ---- agents ---------------------------------------------------------------- */

static void
kv_text(struct wl_buf *b, const char *key, const char *s)
{
	wl_json_kv_str(b, key, s[0] != '\0' ? s : NULL);
}

void
api_render_agent(struct wl_buf *b, const struct store_agent *a)
{
	char t[32];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", a->id);
	wl_json_kv_str(b, "org_id", a->org_id);
	wl_json_kv_str(b, "name", a->name);
	wl_json_kv_str(b, "system_prompt", a->system_prompt);
	wl_json_kv_str(b, "first_message", a->first_message);
	kv_text(b, "voice_id", a->voice_id);
	kv_text(b, "language", a->language);
	wl_format_thousandths(a->temperature_milli, t);
	wl_json_kv_raw(b, "temperature", t);
	if (a->max_duration_seconds > 0)
		wl_json_kv_int(b, "max_duration_seconds", a->max_duration_seconds);
	else
		wl_json_kv_str(b, "max_duration_seconds", NULL);
	api_kv_list(b, "tool_ids", a->tool_ids);
	api_kv_list(b, "knowledge_base_ids", a->knowledge_base_ids);
	kv_text(b, "webhook_url", a->webhook_url);
	api_kv_list(b, "webhook_events", a->webhook_events);
	api_kv_time(b, "created_at", a->created_at);
	api_kv_time(b, "updated_at", a->updated_at);
	wl_json_obj_end(b);
}

static void
render_agent_row(struct wl_buf *b, const void *row)
{
	api_render_agent(b, row);
}

static void
agent_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_agent *a = row;

	*ms = a->created_at;
	*id = a->id;
}

void
api_agents_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "agents", render_agent_row, agent_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_config_page(req, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    agents_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

void
api_agents_get(struct wl_req *req)
{
	struct store_agent *a = http_alloc(req, sizeof(*a));
	struct wl_error err;

	wl_error_clear(&err);
	if (a == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (agents_get(req->conn, req->org.id, req->params[0], a, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_etag(req, a->updated_at);
	api_render_agent(&req->out, a);
	http_reply_json(req, 200);
}

/* A number as thousandths (the temperature): absent leaves *has false. */
static void
take_thousandths(json_t *obj, const char *field, bool *has, int64_t *out, int64_t dflt,
		 struct wl_error *err)
{
	json_t *v = json_object_get(obj, field);

	*has = false;
	if (v == NULL)
		return;
	*has = true;
	if (json_is_null(v)) {
		*out = dflt;
		return;
	}
	if (!json_is_number(v) ||
	    !wl_thousandths_from_double(json_number_value(v), -1000000, 1000000, out))
		wl_error_field(err, field, "must be a number with at most 3 decimals");
}

static void
take_count(json_t *obj, const char *field, bool *has, int64_t *out, struct wl_error *err)
{
	json_t *v = json_object_get(obj, field);

	*has = v != NULL;
	*out = 0;
	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 1000000000)
		wl_error_field(err, field, "must be a whole number");
	else
		*out = json_integer_value(v);
}

static int
read_agent(struct wl_req *req, json_t *body, struct agent_input *in, struct wl_error *err)
{
	static const char *const known[] = { "name",
					     "system_prompt",
					     "first_message",
					     "voice_id",
					     "language",
					     "temperature",
					     "max_duration_seconds",
					     "tool_ids",
					     "knowledge_base_ids",
					     "webhook_url",
					     "webhook_events",
					     NULL };
	const struct {
		const char *field;
		size_t max;
		const char **out;
	} texts[] = {
		{ "name", WL_NAME_MAX, &in->name },
		{ "system_prompt", WL_PROMPT_MAX, &in->system_prompt },
		{ "first_message", WL_FIRST_MESSAGE_MAX, &in->first_message },
		{ "voice_id", WL_VOICE_ID_MAX, &in->voice_id },
		{ "language", WL_LANGUAGE_MAX, &in->language },
		{ "webhook_url", WL_URL_MAX, &in->webhook_url },
	};
	size_t i;

	memset(in, 0, sizeof(*in));
	if (api_unknown_fields_named(body, known, err) != WL_OK)
		return err->code;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (api_take_string(req, body, texts[i].field, texts[i].field, texts[i].max,
				    texts[i].out, err) != WL_OK)
			return err->code;
	take_thousandths(body, "temperature", &in->has_temperature, &in->temperature_milli,
			 AGENT_TEMPERATURE_DEFAULT, err);
	take_count(body, "max_duration_seconds", &in->has_max_duration, &in->max_duration_seconds,
		   err);
	if (api_take_list(req, body, "tool_ids", WL_ID_LIST_MAX, &in->tool_ids, err) != WL_OK ||
	    api_take_list(req, body, "knowledge_base_ids", WL_ID_LIST_MAX, &in->knowledge_base_ids,
			  err) != WL_OK ||
	    api_take_list(req, body, "webhook_events", 4, &in->webhook_events, err) != WL_OK)
		return err->code;
	return err->nfields > 0 ? WL_EVALIDATION : WL_OK;
}

static void
agent_written(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct agents_write *w = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	if (w->op == ORGCFG_DELETE) {
		wl_json_obj_begin(&req->out);
		wl_json_kv_str(&req->out, "id", w->agent.id);
		wl_json_kv_bool(&req->out, "deleted", true);
		wl_json_obj_end(&req->out);
		http_reply_json(req, 200);
		return;
	}
	api_etag(req, w->agent.updated_at);
	api_render_agent(&req->out, &w->agent);
	http_reply_json(req, w->op == ORGCFG_CREATE ? 201 : 200);
}

/* POST, PUT, PATCH and DELETE of agents. */
void
api_agents_write(struct wl_req *req)
{
	struct agents_write *w = http_alloc(req, sizeof(*w));
	struct wl_error err;
	json_t *body = NULL;

	wl_error_clear(&err);
	if (w == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	w->op = api_write_op(req);
	if (w->op != ORGCFG_CREATE && !api_id_param(req, 0, "agent not found"))
		return;
	if (w->op != ORGCFG_DELETE) {
		if ((body = api_body_object(req)) == NULL)
			return;
		if (read_agent(req, body, &w->in, &err) != WL_OK) {
			json_decref(body);
			http_reply_error(req, &err);
			return;
		}
		json_decref(body);
	}
	memcpy(w->org_id, req->org.id, WL_ID_LEN);
	if (w->op != ORGCFG_CREATE)
		memcpy(w->id, req->params[0], WL_ID_LEN);
	w->if_match = api_if_match(req);
	w->allow_private = req->app->webhook_allow_private;
	http_submit(req, agents_write_run, w, agent_written);
}

/* ---- tools ----------------------------------------------------------------- */

void
api_render_tool(struct wl_buf *b, const struct store_tool *t)
{
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", t->id);
	wl_json_kv_str(b, "org_id", t->org_id);
	wl_json_kv_str(b, "name", t->name);
	wl_json_kv_str(b, "description", t->description);
	wl_json_kv_raw(b, "parameters", t->parameters);
	kv_text(b, "url", t->url);
	wl_json_kv_int(b, "timeout_seconds", t->timeout_seconds);
	api_kv_time(b, "created_at", t->created_at);
	api_kv_time(b, "updated_at", t->updated_at);
	wl_json_obj_end(b);
}

static void
render_tool_row(struct wl_buf *b, const void *row)
{
	api_render_tool(b, row);
}

static void
tool_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_tool *t = row;

	*ms = t->created_at;
	*id = t->id;
}

void
api_tools_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "tools", render_tool_row, tool_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_config_page(req, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    tools_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

void
api_tools_get(struct wl_req *req)
{
	struct store_tool *t = http_alloc(req, sizeof(*t));
	struct wl_error err;

	wl_error_clear(&err);
	if (t == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (tools_get(req->conn, req->org.id, req->params[0], t, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_etag(req, t->updated_at);
	api_render_tool(&req->out, t);
	http_reply_json(req, 200);
}

static int
read_tool(struct wl_req *req, json_t *body, struct tool_input *in, struct wl_error *err)
{
	static const char *const known[] = { "name", "description",     "parameters",
					     "url",  "timeout_seconds", NULL };
	json_t *params = json_object_get(body, "parameters");

	memset(in, 0, sizeof(*in));
	if (api_unknown_fields_named(body, known, err) != WL_OK ||
	    api_take_string(req, body, "name", "name", WL_FUNCTION_NAME_MAX, &in->name, err) !=
		    WL_OK ||
	    api_take_string(req, body, "description", "description", WL_DESCRIPTION_MAX,
			    &in->description, err) != WL_OK ||
	    api_take_string(req, body, "url", "url", WL_URL_MAX, &in->url, err) != WL_OK)
		return err->code;
	if (params != NULL && !json_is_null(params)) {
		size_t n = json_dumpb(params, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
		char *text;

		if (n == 0 || n > WL_PARAMETERS_MAX) {
			wl_error_field(err, "parameters", "must be at most %d bytes of JSON",
				       WL_PARAMETERS_MAX);
		} else if ((text = http_alloc(req, n + 1)) != NULL) {
			json_dumpb(params, text, n, JSON_COMPACT | JSON_PRESERVE_ORDER);
			in->parameters = text;
		}
	} else if (params != NULL) {
		in->parameters = TOOL_PARAMETERS_DEFAULT;
	}
	if (json_object_get(body, "timeout_seconds") != NULL) {
		json_t *v = json_object_get(body, "timeout_seconds");

		in->has_timeout = true;
		in->timeout_seconds = TOOL_TIMEOUT_DEFAULT;
		if (json_is_integer(v) && json_integer_value(v) > -1000000 &&
		    json_integer_value(v) < 1000000)
			in->timeout_seconds = json_integer_value(v);
		else if (!json_is_null(v))
			wl_error_field(err, "timeout_seconds", "must be a whole number of seconds");
	}
	return err->nfields > 0 ? WL_EVALIDATION : WL_OK;
}

static void
tool_written(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct tools_write *w = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	if (w->op == ORGCFG_DELETE) {
		wl_json_obj_begin(&req->out);
		wl_json_kv_str(&req->out, "id", w->tool.id);
		wl_json_kv_bool(&req->out, "deleted", true);
		wl_json_obj_end(&req->out);
		http_reply_json(req, 200);
		return;
	}
	api_etag(req, w->tool.updated_at);
	api_render_tool(&req->out, &w->tool);
	http_reply_json(req, w->op == ORGCFG_CREATE ? 201 : 200);
}

void
api_tools_write(struct wl_req *req)
{
	struct tools_write *w = http_alloc(req, sizeof(*w));
	struct wl_error err;
	json_t *body;

	wl_error_clear(&err);
	if (w == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	w->op = api_write_op(req);
	if (w->op != ORGCFG_CREATE && !api_id_param(req, 0, "tool not found"))
		return;
	if (w->op != ORGCFG_DELETE) {
		if ((body = api_body_object(req)) == NULL)
			return;
		if (read_tool(req, body, &w->in, &err) != WL_OK) {
			json_decref(body);
			http_reply_error(req, &err);
			return;
		}
		json_decref(body);
	}
	memcpy(w->org_id, req->org.id, WL_ID_LEN);
	if (w->op != ORGCFG_CREATE)
		memcpy(w->id, req->params[0], WL_ID_LEN);
	w->if_match = api_if_match(req);
	w->allow_private = req->app->webhook_allow_private;
	http_submit(req, tools_write_run, w, tool_written);
}
