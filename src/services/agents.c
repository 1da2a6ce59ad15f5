/*
 * agents.c — an org's agents (see agents.h): one writer job for every
 * write, which reads the row under its lock, checks If-Match against it,
 * merges and checks the fields, checks that the tools and knowledge bases
 * named are the org's own, and writes. So a stale write is refused with
 * 412 even when two instances race, and a refused write changes nothing.
 */
#include "services/agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agentcfg.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/ids.h"

static void
defaults(struct store_agent *a)
{
	a->name[0] = a->system_prompt[0] = a->first_message[0] = a->voice_id[0] = '\0';
	a->language[0] = a->tool_ids[0] = a->knowledge_base_ids[0] = '\0';
	a->webhook_url[0] = a->webhook_events[0] = '\0';
	a->temperature_milli = AGENT_TEMPERATURE_DEFAULT;
	a->max_duration_seconds = 0;
}

/* A text field: absent keeps dst; too long or not text is a complaint. */
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
merge(struct store_agent *a, const struct agent_input *in, struct wl_error *err)
{
	take(a->name, sizeof(a->name), in->name, "name", WL_NAME_MAX, err);
	take(a->system_prompt, sizeof(a->system_prompt), in->system_prompt, "system_prompt",
	     WL_PROMPT_MAX, err);
	take(a->first_message, sizeof(a->first_message), in->first_message, "first_message",
	     WL_FIRST_MESSAGE_MAX, err);
	take(a->voice_id, sizeof(a->voice_id), in->voice_id, "voice_id", WL_VOICE_ID_MAX, err);
	take(a->language, sizeof(a->language), in->language, "language", WL_LANGUAGE_MAX, err);
	take(a->tool_ids, sizeof(a->tool_ids), in->tool_ids, "tool_ids", WL_ID_LIST_LEN - 1, err);
	take(a->knowledge_base_ids, sizeof(a->knowledge_base_ids), in->knowledge_base_ids,
	     "knowledge_base_ids", WL_ID_LIST_LEN - 1, err);
	take(a->webhook_url, sizeof(a->webhook_url), in->webhook_url, "webhook_url", WL_URL_MAX,
	     err);
	take(a->webhook_events, sizeof(a->webhook_events), in->webhook_events, "webhook_events",
	     WL_EVENT_LIST_LEN - 1, err);
	if (in->has_temperature)
		a->temperature_milli = in->temperature_milli;
	if (in->has_max_duration)
		a->max_duration_seconds = in->max_duration_seconds;
}

static bool
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* The webhook events filter: known names, each once. */
static void
check_events(const char *joined, struct wl_error *err)
{
	char copy[WL_EVENT_LIST_LEN], *save = NULL, *tok;
	const char *seen[8];
	int n = 0, i;

	snprintf(copy, sizeof(copy), "%s", joined);
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (!wl_valid_call_event(tok)) {
			wl_error_field(err, "webhook_events",
				       "must list events among assistant-request, status-update, "
				       "tool-calls, end-of-call-report");
			return;
		}
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], tok) == 0) {
				wl_error_field(err, "webhook_events",
					       "must not name an event twice");
				return;
			}
		if (n < 8)
			seen[n++] = tok;
	}
}

/* The rules every agent keeps, whatever wrote it. */
static void
check(const struct store_agent *a, bool allow_private, struct wl_error *err)
{
	const char *why;

	if (blank(a->name))
		wl_error_field_why(err, "name", WL_FIELD_REQUIRED, "is required");
	if (a->language[0] != '\0' && !wl_valid_bcp47(a->language))
		wl_error_field(err, "language",
			       "must be a BCP-47 language tag, like en, en-US or pt-BR");
	if (a->voice_id[0] != '\0' && !wl_valid_token(a->voice_id, WL_VOICE_ID_MAX))
		wl_error_field(err, "voice_id", "must be 1 to 128 letters, digits or ._:-");
	if (a->temperature_milli < 0 || a->temperature_milli > AGENT_TEMPERATURE_MAX)
		wl_error_field_why(err, "temperature", WL_FIELD_OUT_OF_RANGE,
				   "must be a number from 0 to 2 with at most 3 decimals");
	if (a->max_duration_seconds < 0 || a->max_duration_seconds > AGENT_MAX_DURATION_MAX)
		wl_error_field_why(err, "max_duration_seconds", WL_FIELD_OUT_OF_RANGE,
				   "must be a whole number of seconds from 0 (no limit) to %d",
				   AGENT_MAX_DURATION_MAX);
	(void)orgcfg_id_list_ok(a->tool_ids, "tool_ids", err);
	(void)orgcfg_id_list_ok(a->knowledge_base_ids, "knowledge_base_ids", err);
	if (a->webhook_url[0] != '\0' &&
	    (why = wl_url_problem(a->webhook_url, allow_private)) != NULL)
		wl_error_field(err, "webhook_url", "%s", why);
	check_events(a->webhook_events, err);
}

struct ref_check {
	struct store_conn *c;
	const char *org_id;
	struct wl_error *err;
	int rc;
};

static int
tool_exists(const char *id, void *arg)
{
	struct ref_check *r = arg;
	struct store_tool t;
	struct wl_error e;
	int rc;

	wl_error_clear(&e);
	rc = store_tool_get(r->c, r->org_id, id, false, &t, &e);
	if (rc == WL_ENOTFOUND) {
		wl_error_field(r->err, "tool_ids",
			       "names %s, which is not a tool of this "
			       "organization",
			       id);
		return 1;
	}
	if (rc != WL_OK) {
		*r->err = e;
		r->rc = rc;
		return 1;
	}
	return 0;
}

static int
kb_exists(const char *id, void *arg)
{
	struct ref_check *r = arg;
	struct store_kb kb;
	struct wl_error e;
	int rc;

	wl_error_clear(&e);
	rc = store_kb_get(r->c, r->org_id, id, false, &kb, &e);
	if (rc == WL_ENOTFOUND) {
		wl_error_field(r->err, "knowledge_base_ids",
			       "names %s, which is not a knowledge base of this organization", id);
		return 1;
	}
	if (rc != WL_OK) {
		*r->err = e;
		r->rc = rc;
		return 1;
	}
	return 0;
}

/* The tools and knowledge bases named are the org's own. */
static int
check_refs(struct store_conn *c, const struct store_agent *a, struct wl_error *err)
{
	struct ref_check r = { c, a->org_id, err, WL_OK };

	(void)orgcfg_each_id(a->tool_ids, tool_exists, &r);
	if (r.rc == WL_OK)
		(void)orgcfg_each_id(a->knowledge_base_ids, kb_exists, &r);
	if (r.rc != WL_OK)
		return r.rc;
	return err->nfields > 0 ? WL_EVALIDATION : WL_OK;
}

static int
write_fields(struct store_conn *c, struct agents_write *w, struct wl_error *err)
{
	merge(&w->agent, &w->in, err);
	if (err->nfields == 0)
		check(&w->agent, w->allow_private, err);
	if (err->nfields > 0)
		return wl_fail(err, WL_EVALIDATION, "The agent has invalid fields: %s %s",
			       err->fields[0].name, err->fields[0].message);
	return check_refs(c, &w->agent, err);
}

static int
remove_agent(struct store_conn *c, struct agents_write *w, struct wl_error *err)
{
	char number[WL_NUMBER_MAX];
	int rc;

	rc = store_number_using_agent(c, w->agent.id, number, sizeof(number), err);
	if (rc == WL_OK)
		return wl_fail(err, WL_ECONFLICT,
			       "The agent answers phone number %s: assign that number another "
			       "agent (or none) first",
			       number);
	if (rc != WL_ENOTFOUND)
		return rc;
	wl_error_clear(err);
	return store_agent_delete(c, w->org_id, w->id, err);
}

int
agents_write_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct agents_write *w = arg;
	int64_t now = wl_now_ms();
	int rc;

	if (w->op == ORGCFG_CREATE) {
		memset(&w->agent, 0, sizeof(w->agent));
		defaults(&w->agent);
		ids_new_uuid(w->agent.id);
		memcpy(w->agent.org_id, w->org_id, WL_ID_LEN);
		w->agent.created_at = w->agent.updated_at = now;
		rc = write_fields(c, w, err);
		return rc != WL_OK ? rc : store_agent_insert(c, &w->agent, err);
	}
	rc = store_agent_get(c, w->org_id, w->id, true, &w->agent, err);
	if (rc != WL_OK)
		return rc;
	rc = orgcfg_check_match(w->if_match, w->agent.updated_at, "agent", err);
	if (rc != WL_OK)
		return rc;
	if (w->op == ORGCFG_DELETE)
		return remove_agent(c, w, err);
	if (w->op == ORGCFG_REPLACE)
		defaults(&w->agent);
	w->agent.updated_at = orgcfg_next_version(now, w->agent.updated_at);
	rc = write_fields(c, w, err);
	return rc != WL_OK ? rc : store_agent_update(c, &w->agent, err);
}

int
agents_get(struct store_conn *c, const char *org_id, const char *id, struct store_agent *out,
	   struct wl_error *err)
{
	if (!wl_valid_uuid(id))
		return wl_fail(err, WL_ENOTFOUND, "agent not found");
	return store_agent_get(c, org_id, id, false, out, err);
}

static int
fetch_agents(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
	     int want, void *rows, int *n, struct wl_error *err)
{
	return store_agent_list(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
agents_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	    int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_agents, org_id, sizeof(struct store_agent), limit, cursor_ms,
			  cursor_id, out, err);
}

int
agents_briefs(struct store_conn *c, const char *org_id, struct store_agent_brief **out, int *n,
	      struct wl_error *err)
{
	int rc;

	*n = 0;
	*out = calloc(AGENTS_BRIEFS_MAX, sizeof(**out));
	if (*out == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	rc = store_agent_briefs(c, org_id, AGENTS_BRIEFS_MAX, *out, n, err);
	if (rc != WL_OK) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int
agents_check_ref(struct store_conn *c, const char *org_id, const char *agent_id, const char *field,
		 struct wl_error *err)
{
	struct store_agent row;
	int rc;

	if (!wl_valid_uuid(agent_id)) {
		wl_error_field(err, field, "must be the id of an agent of this organization");
		return WL_EVALIDATION;
	}
	rc = store_agent_get(c, org_id, agent_id, false, &row, err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		wl_error_field(err, field, "names no agent of this organization");
		return WL_EVALIDATION;
	}
	return rc;
}
