/*
 * agents.h — an org's voice agents: their prompt, voice, language,
 * personality (temperature), tools, knowledge bases, longest call, and the
 * webhook that receives their calls' events. Every rule about an agent's
 * fields lives here (formats in core/agentcfg.h); the API and the
 * dashboard only hand over what they were sent.
 *
 * agents_write_run is a writer job (services/writer.h): the caller fills
 * the request part, submits it, and reads `agent` after its outcome.
 */
#ifndef WL_SERVICES_AGENTS_H
#define WL_SERVICES_AGENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/orgcfg.h"
#include "store/store.h"

#define AGENT_TEMPERATURE_MAX 2000    /* thousandths: 2.0 */
#define AGENT_TEMPERATURE_DEFAULT 700 /* 0.7 */
#define AGENT_MAX_DURATION_MAX 43200  /* 12 hours */

/* What a request sets. Strings: NULL = absent (PATCH keeps, PUT resets),
 * "" = cleared; lists are ids (or event names) joined by ','. Owned by
 * the caller until the job is done. */
struct agent_input {
	const char *name;
	const char *system_prompt;
	const char *first_message;
	const char *voice_id;
	const char *language;
	bool has_temperature;
	int64_t temperature_milli;
	bool has_max_duration;
	int64_t max_duration_seconds;
	const char *tool_ids;
	const char *knowledge_base_ids;
	const char *webhook_url;
	const char *webhook_events;
};

struct agents_write {
	/* in */
	enum orgcfg_op op;
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN]; /* all but ORGCFG_CREATE */
	struct agent_input in;
	const char *if_match; /* NULL = unconditional */
	bool allow_private;   /* WLPORTAL_WEBHOOK_ALLOW_PRIVATE */
	/* out: the agent as written (before a delete: as it was) */
	struct store_agent agent;
};
/* Field complaints are WL_EVALIDATION naming the field (tool_ids and
 * knowledge_base_ids must name the org's own); WL_ENOTFOUND for an agent
 * that is not the org's; WL_EPRECONDITION for a stale If-Match;
 * WL_ECONFLICT deleting an agent a phone number is assigned to. */
int agents_write_run(struct store_conn *c, void *arg, struct wl_error *err);

/* Reads; another org's agent is WL_ENOTFOUND. Pages are struct store_agent
 * rows, oldest first, `limit` 1..ORGCFG_PAGE_MAX; page_free them. */
int agents_get(struct store_conn *c, const char *org_id, const char *id, struct store_agent *out,
	       struct wl_error *err);
int agents_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		int limit, struct page *out, struct wl_error *err);

/* The org's first AGENTS_BRIEFS_MAX agents without their prompts (the
 * pages' lists and choices), malloc'ed into *out; the caller frees it. */
#define AGENTS_BRIEFS_MAX 200
int agents_briefs(struct store_conn *c, const char *org_id, struct store_agent_brief **out, int *n,
		  struct wl_error *err);

/* In a job: whether agent_id names an agent of org_id (a call's agent, a
 * number's agent); a complaint under `field` when not. */
int agents_check_ref(struct store_conn *c, const char *org_id, const char *agent_id,
		     const char *field, struct wl_error *err);

#endif
