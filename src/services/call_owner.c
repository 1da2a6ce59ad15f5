/*
 * call_owner.c — a call's org and billed org, remembered process-wide.
 *
 * Why it stays exact: a call's org_id and billed_org_id are written once,
 * when the call is made, and no statement changes them (calls are never
 * moved between orgs); only values read from the database are kept. An
 * engine event's job still reads its call under lock in the writer, so a
 * call that is gone is found there.
 *
 * The table: one slot per hash of the call id (direct-mapped, no probing),
 * a newer call taking an older one's place; as many slots as calls a
 * platform runs at once, many times over. One mutex: a lookup is a hash
 * and three short copies.
 */
#include "services/call_owner.h"

#include <pthread.h>
#include <string.h>

#include "metrics.h"

#define OWNER_SLOTS 8192 /* a power of two */

struct owner {
	char call_id[WL_ID_LEN]; /* "" = free */
	char org_id[WL_ID_LEN];
	char billed_org_id[WL_ID_LEN];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct owner slots[OWNER_SLOTS];

static struct owner *
slot_of(const char *call_id)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = call_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &slots[h & (OWNER_SLOTS - 1)];
}

bool
call_owner_get(const char *call_id, char org_id[WL_ID_LEN], char billed_org_id[WL_ID_LEN])
{
	struct owner *o;
	bool found;

	if (call_id[0] == '\0' || strlen(call_id) >= WL_ID_LEN)
		return false;
	o = slot_of(call_id);
	pthread_mutex_lock(&mu);
	found = strcmp(o->call_id, call_id) == 0;
	if (found) {
		memcpy(org_id, o->org_id, WL_ID_LEN);
		memcpy(billed_org_id, o->billed_org_id, WL_ID_LEN);
	}
	pthread_mutex_unlock(&mu);
	metrics_call_owner(found);
	return found;
}

void
call_owner_put(const char *call_id, const char *org_id, const char *billed_org_id)
{
	struct owner *o;

	if (call_id[0] == '\0' || strlen(call_id) >= WL_ID_LEN || strlen(org_id) >= WL_ID_LEN ||
	    strlen(billed_org_id) >= WL_ID_LEN)
		return;
	o = slot_of(call_id);
	pthread_mutex_lock(&mu);
	memcpy(o->call_id, call_id, strlen(call_id) + 1);
	memcpy(o->org_id, org_id, strlen(org_id) + 1);
	memcpy(o->billed_org_id, billed_org_id, strlen(billed_org_id) + 1);
	pthread_mutex_unlock(&mu);
}
