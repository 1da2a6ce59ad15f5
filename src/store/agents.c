/*
 * agents.c — an org's agents and its tools, written once for both drivers
 * (db.h); the SQL of each dialect is in statements*.c. Every statement names
 * the org, so another org's id is not found.
 */
#include "store/db.h"

/* ---- agents ------------------------------------------------------------ */

static void
read_agent(struct db_stmt *st, void *out)
{
	struct store_agent *a = out;

	db_col_text(st, 0, a->id, sizeof(a->id));
	db_col_text(st, 1, a->org_id, sizeof(a->org_id));
	db_col_text(st, 2, a->name, sizeof(a->name));
	db_col_text(st, 3, a->system_prompt, sizeof(a->system_prompt));
	db_col_text(st, 4, a->first_message, sizeof(a->first_message));
	db_col_text(st, 5, a->voice_id, sizeof(a->voice_id));
	db_col_text(st, 6, a->language, sizeof(a->language));
	a->temperature_milli = db_col_int64(st, 7);
	a->max_duration_seconds = db_col_int64(st, 8);
	db_col_text(st, 9, a->tool_ids, sizeof(a->tool_ids));
	db_col_text(st, 10, a->knowledge_base_ids, sizeof(a->knowledge_base_ids));
	db_col_text(st, 11, a->webhook_url, sizeof(a->webhook_url));
	db_col_text(st, 12, a->webhook_events, sizeof(a->webhook_events));
	a->created_at = db_col_int64(st, 13);
	a->updated_at = db_col_int64(st, 14);
}

/* Parameters 3.. of an agent's insert or update, from its name on. */
static int
bind_agent_fields(struct db_stmt *st, const struct store_agent *a)
{
	db_bind_text(st, 3, a->name);
	db_bind_text(st, 4, a->system_prompt);
	db_bind_text(st, 5, a->first_message);
	db_bind_text(st, 6, a->voice_id);
	db_bind_text(st, 7, a->language);
	db_bind_int64(st, 8, a->temperature_milli);
	db_bind_int64(st, 9, a->max_duration_seconds);
	db_bind_text(st, 10, a->tool_ids);
	db_bind_text(st, 11, a->knowledge_base_ids);
	db_bind_text(st, 12, a->webhook_url);
	db_bind_text(st, 13, a->webhook_events);
	return 14;
}

int
store_agent_insert(struct store_conn *c, const struct store_agent *a, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AGENT_INSERT, err);
	int i;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, a->id);
	db_bind_text(st, 2, a->org_id);
	i = bind_agent_fields(st, a);
	db_bind_int64(st, i, a->created_at);
	db_bind_int64(st, i + 1, a->updated_at);
	return db_exec(st, err);
}

int
store_agent_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
		struct store_agent *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, for_update ? Q_AGENT_GET_LOCK : Q_AGENT_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_one(st, read_agent, out, WL_ENOTFOUND, "agent not found", err);
}

int
store_agent_update(struct store_conn *c, const struct store_agent *a, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AGENT_UPDATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, a->id);
	db_bind_text(st, 2, a->org_id);
	db_bind_int64(st, bind_agent_fields(st, a), a->updated_at);
	return db_exec_one(st, "agent not found", err);
}

int
store_agent_delete(struct store_conn *c, const char *org_id, const char *id, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AGENT_DELETE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_exec_one(st, "agent not found", err);
}

int
store_agent_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		 int limit, struct store_agent *out, int *n, struct wl_error *err)
{
	return db_list_page(c, Q_AGENT_LIST, org_id, cursor_ms, cursor_id, limit, read_agent, out,
			    sizeof(*out), n, err);
}

static void
read_brief(struct db_stmt *st, void *out)
{
	struct store_agent_brief *a = out;

	db_col_text(st, 0, a->id, sizeof(a->id));
	db_col_text(st, 1, a->name, sizeof(a->name));
	db_col_text(st, 2, a->language, sizeof(a->language));
	db_col_text(st, 3, a->voice_id, sizeof(a->voice_id));
	a->updated_at = db_col_int64(st, 4);
}

int
store_agent_briefs(struct store_conn *c, const char *org_id, int limit,
		   struct store_agent_brief *out, int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AGENT_BRIEFS, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_brief, out, sizeof(*out), limit, n, err);
}

int
store_agent_using(struct store_conn *c, const char *org_id, const char *tool_id, const char *kb_id,
		  char *name, size_t n, struct wl_error *err)
{
	struct db_stmt *st =
		db_stmt(c, tool_id != NULL ? Q_AGENT_USING_TOOL : Q_AGENT_USING_KB, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, tool_id != NULL ? tool_id : kb_id);
	return db_first_text(st, name, n, err);
}

/* ---- tools --------------------------------------------------------------- */

static void
read_tool(struct db_stmt *st, void *out)
{
	struct store_tool *t = out;

	db_col_text(st, 0, t->id, sizeof(t->id));
	db_col_text(st, 1, t->org_id, sizeof(t->org_id));
	db_col_text(st, 2, t->name, sizeof(t->name));
	db_col_text(st, 3, t->description, sizeof(t->description));
	db_col_text(st, 4, t->parameters, sizeof(t->parameters));
	db_col_text(st, 5, t->url, sizeof(t->url));
	t->timeout_seconds = db_col_int64(st, 6);
	t->created_at = db_col_int64(st, 7);
	t->updated_at = db_col_int64(st, 8);
}

int
store_tool_insert(struct store_conn *c, const struct store_tool *t, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_TOOL_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, t->id);
	db_bind_text(st, 2, t->org_id);
	db_bind_text(st, 3, t->name);
	db_bind_text(st, 4, t->description);
	db_bind_text(st, 5, t->parameters);
	db_bind_text(st, 6, t->url);
	db_bind_int64(st, 7, t->timeout_seconds);
	db_bind_int64(st, 8, t->created_at);
	db_bind_int64(st, 9, t->updated_at);
	return db_exec(st, err);
}

int
store_tool_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
	       struct store_tool *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, for_update ? Q_TOOL_GET_LOCK : Q_TOOL_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_one(st, read_tool, out, WL_ENOTFOUND, "tool not found", err);
}

int
store_tool_update(struct store_conn *c, const struct store_tool *t, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_TOOL_UPDATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, t->id);
	db_bind_text(st, 2, t->org_id);
	db_bind_text(st, 3, t->name);
	db_bind_text(st, 4, t->description);
	db_bind_text(st, 5, t->parameters);
	db_bind_text(st, 6, t->url);
	db_bind_int64(st, 7, t->timeout_seconds);
	db_bind_int64(st, 8, t->updated_at);
	return db_exec_one(st, "tool not found", err);
}

int
store_tool_delete(struct store_conn *c, const char *org_id, const char *id, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_TOOL_DELETE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_exec_one(st, "tool not found", err);
}

int
store_tool_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		int limit, struct store_tool *out, int *n, struct wl_error *err)
{
	return db_list_page(c, Q_TOOL_LIST, org_id, cursor_ms, cursor_id, limit, read_tool, out,
			    sizeof(*out), n, err);
}
