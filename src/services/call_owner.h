/*
 * call_owner.h — whose a call is (its org and the org its minutes bill),
 * remembered for the whole process: both are fixed when the call is made
 * and never change, so an engine event need not read the database to know
 * which rows its job locks.
 */
#ifndef WL_SERVICES_CALL_OWNER_H
#define WL_SERVICES_CALL_OWNER_H

#include <stdbool.h>

#include "core/model.h"

/* Copies the call's org and billed org when remembered; false when not. */
bool call_owner_get(const char *call_id, char org_id[WL_ID_LEN], char billed_org_id[WL_ID_LEN]);
/* Remembers them (as read from the database), taking the place of another
 * call that fell in the same slot. */
void call_owner_put(const char *call_id, const char *org_id, const char *billed_org_id);

#endif
