/*
 * tools.c — an org's tools (see tools.h): the writer job that checks and
 * writes them, and the reads.
 */
#include "services/tools.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/agentcfg.h"
#include "core/jsonschema.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/ids.h"

static void
defaults(struct store_tool *t)
{
	t->name[0] = t->description[0] = t->url[0] = '\0';
	snprintf(t->parameters, sizeof(t->parameters), "%s", TOOL_PARAMETERS_DEFAULT);
	t->timeout_seconds = TOOL_TIMEOUT_DEFAULT;
}

static void
take(char *dst, size_t cap, const char *v, const char *field, size_t max, struct wl_error *err)
{
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	if (n > max || n >= cap) {
		wl_error_field_why(err, field, WL_FIELD_TOO_LONG, "must be at most %zu characters",
				   max);
		return;
	}
	if (!wl_valid_utf8(v, n)) {
		wl_error_field(err, field, "must be UTF-8 text");
		return;
	}
	memcpy(dst, v, n + 1);
}

static void
check_parameters(const char *text, struct wl_error *err)
{
	json_error_t jerr;
	json_t *schema = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	char why[200];

	if (schema == NULL) {
		wl_error_field(err, "parameters", "must be a JSON Schema object");
		return;
	}
	if (wl_schema_check(schema, why, sizeof(why)) != 0)
		wl_error_field(err, "parameters", "%s", why);
	json_decref(schema);
}

static int
write_fields(struct tools_write *w, struct wl_error *err)
{
	const struct tool_input *in = &w->in;
	struct store_tool *t = &w->tool;
	const char *why;

	take(t->name, sizeof(t->name), in->name, "name", WL_FUNCTION_NAME_MAX, err);
	take(t->description, sizeof(t->description), in->description, "description",
	     WL_DESCRIPTION_MAX, err);
	take(t->parameters, sizeof(t->parameters), in->parameters, "parameters", WL_PARAMETERS_MAX,
	     err);
	take(t->url, sizeof(t->url), in->url, "url", WL_URL_MAX, err);
	if (in->has_timeout)
		t->timeout_seconds = in->timeout_seconds;
	if (err->nfields == 0) {
		if (!wl_valid_function_name(t->name))
			wl_error_field(err, "name",
				       "must be a function name: 1 to 64 letters, digits, _ or - "
				       "(not starting with -)");
		check_parameters(t->parameters, err);
		if (t->url[0] != '\0' && (why = wl_url_problem(t->url, w->allow_private)) != NULL)
			wl_error_field(err, "url", "%s", why);
		if (t->timeout_seconds < TOOL_TIMEOUT_MIN || t->timeout_seconds > TOOL_TIMEOUT_MAX)
			wl_error_field_why(err, "timeout_seconds", WL_FIELD_OUT_OF_RANGE,
					   "must be a whole number of seconds from %d to %d",
					   TOOL_TIMEOUT_MIN, TOOL_TIMEOUT_MAX);
	}
	if (err->nfields > 0)
		return wl_fail(err, WL_EVALIDATION, "The tool has invalid fields: %s %s",
			       err->fields[0].name, err->fields[0].message);
	return WL_OK;
}

static int
name_taken(int rc, const char *name, struct wl_error *err)
{
	if (rc != WL_ECONFLICT)
		return rc;
	wl_error_clear(err);
	wl_error_field(err, "name", "is the name of another tool of this organization");
	return wl_fail(err, WL_ECONFLICT, "This organization has a tool named %s already", name);
}

static int
remove_tool(struct store_conn *c, struct tools_write *w, struct wl_error *err)
{
	char agent[WL_NAME_MAX + 1];
	int rc = store_agent_using(c, w->org_id, w->id, NULL, agent, sizeof(agent), err);

	if (rc == WL_OK)
		return wl_fail(err, WL_ECONFLICT,
			       "Agent \"%s\" uses this tool: remove it from the agent first",
			       agent);
	if (rc != WL_ENOTFOUND)
		return rc;
	wl_error_clear(err);
	return store_tool_delete(c, w->org_id, w->id, err);
}

int
tools_write_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct tools_write *w = arg;
	int64_t now = wl_now_ms();
	int rc;

	if (w->op == ORGCFG_CREATE) {
		memset(&w->tool, 0, sizeof(w->tool));
		defaults(&w->tool);
		ids_new_uuid(w->tool.id);
		memcpy(w->tool.org_id, w->org_id, WL_ID_LEN);
		w->tool.created_at = w->tool.updated_at = now;
		rc = write_fields(w, err);
		if (rc != WL_OK)
			return rc;
		return name_taken(store_tool_insert(c, &w->tool, err), w->tool.name, err);
	}
	rc = store_tool_get(c, w->org_id, w->id, true, &w->tool, err);
	if (rc != WL_OK)
		return rc;
	rc = orgcfg_check_match(w->if_match, w->tool.updated_at, "tool", err);
	if (rc != WL_OK)
		return rc;
	if (w->op == ORGCFG_DELETE)
		return remove_tool(c, w, err);
	if (w->op == ORGCFG_REPLACE)
		defaults(&w->tool);
	w->tool.updated_at = orgcfg_next_version(now, w->tool.updated_at);
	rc = write_fields(w, err);
	if (rc != WL_OK)
		return rc;
	return name_taken(store_tool_update(c, &w->tool, err), w->tool.name, err);
}

int
tools_get(struct store_conn *c, const char *org_id, const char *id, struct store_tool *out,
	  struct wl_error *err)
{
	if (!wl_valid_uuid(id))
		return wl_fail(err, WL_ENOTFOUND, "tool not found");
	return store_tool_get(c, org_id, id, false, out, err);
}

static int
fetch_tools(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
	    int want, void *rows, int *n, struct wl_error *err)
{
	return store_tool_list(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
tools_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	   int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_tools, org_id, sizeof(struct store_tool), limit, cursor_ms,
			  cursor_id, out, err);
}
