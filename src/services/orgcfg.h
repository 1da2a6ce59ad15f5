/*
 * orgcfg.h — what the per-org configuration objects (agents, tools,
 * knowledge bases, phone numbers) share: their optimistic concurrency
 * (updated_at is the version: it strictly grows with every write, so the
 * ETag and the updated_at text name one version exactly), their lists of
 * ids, and the paging bound of their lists.
 */
#ifndef WL_SERVICES_ORGCFG_H
#define WL_SERVICES_ORGCFG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "services/paging.h"
#include "store/store.h"

/* Lists of configuration objects page at most this many rows (the rows
 * are large: an agent carries its whole prompt). */
#define ORGCFG_PAGE_MAX 100

/* The version a write gives a row that had `old`: now, or old + 1 when
 * the clock has not moved past it. */
int64_t orgcfg_next_version(int64_t now, int64_t old);
/* WL_EPRECONDITION unless if_match (NULL: no condition) names updated_at. */
int orgcfg_check_match(const char *if_match, int64_t updated_at, const char *what,
		       struct wl_error *err);
/* A list of ids joined by ',' (as the store keeps them): each a UUID, no
 * repeats, at most WL_ID_LIST_MAX. Adds a complaint under `field`. */
bool orgcfg_id_list_ok(const char *joined, const char *field, struct wl_error *err);
/* Calls each(id, arg) for every id of a joined list; stops at the first
 * non-zero answer and returns it. */
int orgcfg_each_id(const char *joined, int (*each)(const char *id, void *arg), void *arg);

/* A writer job on one object of an org: create, replace (PUT: absent
 * fields take their defaults), update (PATCH: absent fields stay), delete. */
enum orgcfg_op { ORGCFG_CREATE, ORGCFG_REPLACE, ORGCFG_UPDATE, ORGCFG_DELETE };

#endif
