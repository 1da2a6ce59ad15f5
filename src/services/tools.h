/*
 * tools.h — an org's tools (integrations): a function the agent may call,
 * its description, its parameters as a JSON Schema, the URL that serves it
 * (else the agent's webhook, else the org's endpoints answer tool-calls),
 * and how long to wait for it. tools_write_run is a writer job.
 */
#ifndef WL_SERVICES_TOOLS_H
#define WL_SERVICES_TOOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/orgcfg.h"
#include "store/store.h"

#define TOOL_TIMEOUT_MIN 1
#define TOOL_TIMEOUT_MAX 30
#define TOOL_TIMEOUT_DEFAULT 10
#define TOOL_PARAMETERS_DEFAULT "{\"type\":\"object\",\"properties\":{}}"

/* NULL = absent, "" = cleared (not for name or parameters). parameters is
 * the schema as JSON text. */
struct tool_input {
	const char *name;
	const char *description;
	const char *parameters;
	const char *url;
	bool has_timeout;
	int64_t timeout_seconds;
};

struct tools_write {
	/* in */
	enum orgcfg_op op;
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
	struct tool_input in;
	const char *if_match;
	bool allow_private;
	/* out */
	struct store_tool tool;
};
/* WL_EVALIDATION naming the field, WL_ENOTFOUND, WL_EPRECONDITION,
 * WL_ECONFLICT for a name the org already uses or deleting a tool an
 * agent lists. */
int tools_write_run(struct store_conn *c, void *arg, struct wl_error *err);

int tools_get(struct store_conn *c, const char *org_id, const char *id, struct store_tool *out,
	      struct wl_error *err);
int tools_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	       int limit, struct page *out, struct wl_error *err);

#endif
