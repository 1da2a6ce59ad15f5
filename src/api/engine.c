/*
 * engine.c — the voice engine's API: an inbound call asks whether to answer,
 * and status events meter a call second by second.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "metrics.h"
#include "services/calls.h"

static void
inbound_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct calls_inbound *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "call_id", r->call.id);
	wl_json_kv_str(&req->out, "action", r->answered ? "answer" : "reject");
	if (!r->answered)
		wl_json_kv_str(&req->out, "reason", "insufficient_credits");
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

void
api_engine_inbound(struct wl_req *req)
{
	struct calls_inbound *r;
	struct wl_error err;
	const char *org = NULL, *number = NULL, *from = NULL, *to = NULL;
	json_t *body = api_body_object(req);

	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (api_string(body, "org_id", false, 64, &org, &err) < 0 ||
	    api_string(body, "number_id", false, 64, &number, &err) < 0 ||
	    api_string(body, "from", true, WL_NUMBER_MAX - 1, &from, &err) < 0 ||
	    api_string(body, "to", true, WL_NUMBER_MAX - 1, &to, &err) < 0)
		goto bad;
	if (org == NULL && number == NULL) {
		wl_fail(&err, WL_EINVALID, "Field 'org_id' or 'number_id' is required");
		goto bad;
	}
	if ((org != NULL && !wl_valid_uuid(org))) {
		wl_fail(&err, WL_ENOTFOUND, "organization not found");
		goto bad;
	}
	if (number != NULL && !wl_valid_uuid(number)) {
		wl_fail(&err, WL_ENOTFOUND, "phone number not found");
		goto bad;
	}
	if (strcmp(from, "anonymous") != 0 && !wl_valid_e164(from)) {
		wl_fail(&err, WL_EINVALID,
			"Field 'from' must be an E.164 phone number or \"anonymous\"");
		goto bad;
	}
	if (!wl_valid_e164(to)) {
		wl_fail(&err, WL_EINVALID, "Field 'to' must be a phone number in E.164 form");
		goto bad;
	}
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto bad;
	}
	snprintf(r->org_id, sizeof(r->org_id), "%s", org != NULL ? org : "");
	snprintf(r->number_id, sizeof(r->number_id), "%s", number != NULL ? number : "");
	snprintf(r->from, sizeof(r->from), "%s", from);
	snprintf(r->to, sizeof(r->to), "%s", to);
	if (org != NULL) {
		char agency[WL_ID_LEN];

		if (calls_agency_of_id(req->conn, org, agency, &err) != WL_OK)
			goto bad;
		http_job_order(req, agency);
	}
	json_decref(body);
	http_submit(req, calls_inbound_run, r, inbound_finish);
	return;
bad:
	json_decref(body);
	http_reply_error(req, &err);
}

static void
event_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct calls_event *r = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	metrics_billed_seconds(r->billed_now);
	wl_json_kv_bool(&req->out, "continue", r->keep_going);
	wl_json_kv_int(&req->out, "billed_seconds", r->billed_seconds);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

static bool
known_status(const char *s)
{
	return strcmp(s, "ringing") == 0 || strcmp(s, "in-progress") == 0 ||
	       strcmp(s, "ended") == 0 || strcmp(s, "ended-with-error") == 0;
}

void
api_engine_event(struct wl_req *req)
{
	struct calls_event *r;
	struct wl_error err;
	const char *type = NULL, *status = NULL, *reason = NULL;
	int64_t elapsed = 0;
	json_t *body;

	if (!wl_valid_uuid(req->params[0])) {
		http_reply_fail(req, WL_ENOTFOUND, "call not found");
		return;
	}
	body = api_body_object(req);
	if (body == NULL)
		return;
	wl_error_clear(&err);
	if (api_string(body, "type", true, 32, &type, &err) < 0 ||
	    api_string(body, "status", true, 32, &status, &err) < 0 ||
	    api_int(body, "elapsed_sec", true, 0, CALLS_MAX_ELAPSED_SEC, &elapsed, &err) < 0 ||
	    api_string(body, "ended_reason", false, 64, &reason, &err) < 0)
		goto bad;
	if (strcmp(type, "status-update") != 0) {
		wl_fail(&err, WL_EINVALID, "Field 'type' must be \"status-update\"");
		goto bad;
	}
	if (!known_status(status)) {
		wl_fail(&err, WL_EINVALID,
			"Field 'status' must be one of ringing, in-progress, ended, ended-with-error");
		goto bad;
	}
	if (reason != NULL && !wl_valid_token(reason, 64)) {
		wl_fail(&err, WL_EINVALID,
			"Field 'ended_reason' must be 1 to 64 letters, digits or ._:-");
		goto bad;
	}
	r = http_alloc(req, sizeof(*r));
	if (r == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto bad;
	}
	memcpy(r->call_id, req->params[0], WL_ID_LEN);
	if (calls_event_prepare(req->conn, r, &err) != WL_OK)
		goto bad;
	http_job_order(req, r->billed_org_id);
	snprintf(r->status, sizeof(r->status), "%s", status);
	r->elapsed_sec = elapsed;
	snprintf(r->ended_reason, sizeof(r->ended_reason), "%s", reason != NULL ? reason : "");
	json_decref(body);
	http_submit(req, calls_event_run, r, event_finish);
	return;
bad:
	json_decref(body);
	http_reply_error(req, &err);
}
