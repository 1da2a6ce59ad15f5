/*
 * numbers.h — an org's phone numbers: E.164, unique on the whole platform
 * while in use, with a name and the agent that answers them; and what the
 * voice engine hears when it brings a call in on one (which org, which
 * agent, and the message it speaks when the call is refused for want of
 * credits: the agency's own, else NUMBERS_REJECT_MESSAGE_DEFAULT).
 * numbers_write_run and numbers_message_put_run are writer jobs.
 */
#ifndef WL_SERVICES_NUMBERS_H
#define WL_SERVICES_NUMBERS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/orgcfg.h"
#include "store/store.h"

#define NUMBERS_REJECT_MESSAGE_DEFAULT \
	"Sorry, we cannot take your call right now. Please try again later."
#define NUMBERS_REJECT_MESSAGE_MAX 500

/* NULL = absent, "" = cleared (name, agent_id). */
struct number_input {
	const char *number;
	const char *name;
	const char *agent_id;
};

struct numbers_write {
	/* in */
	enum orgcfg_op op;
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
	struct number_input in;
	const char *if_match;
	/* out */
	struct store_number number;
};
/* WL_EVALIDATION naming the field (agent_id must be the org's agent),
 * WL_ECONFLICT for a number in use (by this org or any other),
 * WL_ENOTFOUND, WL_EPRECONDITION. */
int numbers_write_run(struct store_conn *c, void *arg, struct wl_error *err);

int numbers_get(struct store_conn *c, const char *org_id, const char *id, struct store_number *out,
		struct wl_error *err);
int numbers_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		 int limit, struct page *out, struct wl_error *err);

/* The number an inbound call names, in a job: by id (number_id, any org;
 * "" = not named) or else by the E.164 number dialled (`to`). WL_OK with
 * *found, or WL_ENOTFOUND for a number_id that is not in use. */
int numbers_for_inbound(struct store_conn *c, const char *number_id, const char *to,
			struct store_number *out, bool *found, struct wl_error *err);

/* The message inbound calls of org (a client: its agency's) are refused
 * with for want of credits. agency_id is the org that pays (its parent or
 * itself). */
void numbers_reject_message(struct store_conn *c, const char *agency_id, char *out, size_t n);

struct numbers_message_put {
	char org_id[WL_ID_LEN];
	const char *message; /* "" = back to the default */
	char result[NUMBERS_REJECT_MESSAGE_MAX + 1];
};
/* WL_EVALIDATION when too long or not text. */
int numbers_message_put_run(struct store_conn *c, void *arg, struct wl_error *err);

#endif
