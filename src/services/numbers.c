/*
 * numbers.c — phone numbers and what an inbound call on one means (see
 * numbers.h).
 */
#include "services/numbers.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"
#include "services/agents.h"
#include "services/ids.h"

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

static int
write_fields(struct store_conn *c, struct numbers_write *w, struct wl_error *err)
{
	struct store_number *p = &w->number;
	int rc;

	take(p->number, sizeof(p->number), w->in.number, "number", WL_NUMBER_MAX - 1, err);
	take(p->name, sizeof(p->name), w->in.name, "name", WL_NAME_MAX, err);
	if (w->in.agent_id != NULL) {
		if (strlen(w->in.agent_id) >= sizeof(p->agent_id))
			wl_error_field(err, "agent_id", "names no agent of this organization");
		else
			snprintf(p->agent_id, sizeof(p->agent_id), "%s", w->in.agent_id);
	}
	if (err->nfields == 0 && !wl_valid_e164(p->number))
		wl_error_field(err, "number",
			       "must be a phone number in E.164 form, like +31201234567");
	if (err->nfields == 0 && p->agent_id[0] != '\0') {
		rc = agents_check_ref(c, w->org_id, p->agent_id, "agent_id", err);
		if (rc != WL_OK && rc != WL_EVALIDATION)
			return rc;
	}
	if (err->nfields > 0)
		return wl_fail(err, WL_EVALIDATION, "The phone number has invalid fields: %s %s",
			       err->fields[0].name, err->fields[0].message);
	return WL_OK;
}

static int
taken(int rc, const char *number, struct wl_error *err)
{
	if (rc != WL_ECONFLICT)
		return rc;
	wl_error_clear(err);
	wl_error_field(err, "number", "is in use on this platform already");
	return wl_fail(err, WL_ECONFLICT, "The number %s is in use on this platform already",
		       number);
}

int
numbers_write_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct numbers_write *w = arg;
	int64_t now = wl_now_ms();
	int rc;

	if (w->op == ORGCFG_CREATE) {
		memset(&w->number, 0, sizeof(w->number));
		ids_new_uuid(w->number.id);
		memcpy(w->number.org_id, w->org_id, WL_ID_LEN);
		w->number.created_at = w->number.updated_at = now;
		rc = write_fields(c, w, err);
		if (rc != WL_OK)
			return rc;
		return taken(store_number_insert(c, &w->number, err), w->number.number, err);
	}
	rc = store_number_get(c, w->org_id, w->id, true, &w->number, err);
	if (rc != WL_OK)
		return rc;
	rc = orgcfg_check_match(w->if_match, w->number.updated_at, "phone number", err);
	if (rc != WL_OK)
		return rc;
	if (w->op == ORGCFG_DELETE)
		return store_number_release(c, w->org_id, w->id,
					    orgcfg_next_version(now, w->number.updated_at), err);
	if (w->op == ORGCFG_REPLACE) {
		w->number.name[0] = w->number.agent_id[0] = '\0';
		w->number.number[0] = '\0';
	}
	w->number.updated_at = orgcfg_next_version(now, w->number.updated_at);
	rc = write_fields(c, w, err);
	if (rc != WL_OK)
		return rc;
	return taken(store_number_update(c, &w->number, err), w->number.number, err);
}

int
numbers_get(struct store_conn *c, const char *org_id, const char *id, struct store_number *out,
	    struct wl_error *err)
{
	if (!wl_valid_uuid(id))
		return wl_fail(err, WL_ENOTFOUND, "phone number not found");
	return store_number_get(c, org_id, id, false, out, err);
}

static int
fetch_numbers(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
	      int want, void *rows, int *n, struct wl_error *err)
{
	return store_number_list(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
numbers_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	     int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_numbers, org_id, sizeof(struct store_number), limit, cursor_ms,
			  cursor_id, out, err);
}

int
numbers_for_inbound(struct store_conn *c, const char *number_id, const char *to,
		    struct store_number *out, bool *found, struct wl_error *err)
{
	char org[WL_ID_LEN];
	int rc;

	*found = false;
	if (number_id != NULL && number_id[0] != '\0') {
		/* The owner first: a number is read within its org. */
		rc = store_number_org(c, number_id, org, err);
		if (rc == WL_OK)
			rc = store_number_get(c, org, number_id, false, out, err);
		if (rc == WL_ENOTFOUND)
			return wl_fail(err, WL_ENOTFOUND, "phone number not found");
		*found = rc == WL_OK;
		return rc;
	}
	rc = store_number_by_e164(c, to, out, err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		return WL_OK;
	}
	*found = rc == WL_OK;
	return rc;
}

void
numbers_reject_message(struct store_conn *c, const char *agency_id, char *out, size_t n)
{
	struct wl_error err;

	wl_error_clear(&err);
	if (store_inbound_message_get(c, agency_id, out, n, &err) != WL_OK || out[0] == '\0')
		snprintf(out, n, "%s", NUMBERS_REJECT_MESSAGE_DEFAULT);
}

int
numbers_message_put_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct numbers_message_put *m = arg;
	size_t len = strlen(m->message);

	if (len > NUMBERS_REJECT_MESSAGE_MAX || !wl_valid_utf8(m->message, len)) {
		wl_error_field(err, "insufficient_credits_message",
			       "must be text of at most %d characters", NUMBERS_REJECT_MESSAGE_MAX);
		return WL_EVALIDATION;
	}
	if (len == 0)
		snprintf(m->result, sizeof(m->result), "%s", NUMBERS_REJECT_MESSAGE_DEFAULT);
	else
		snprintf(m->result, sizeof(m->result), "%s", m->message);
	return store_inbound_message_put(c, m->org_id, m->message, wl_now_ms(), err);
}
