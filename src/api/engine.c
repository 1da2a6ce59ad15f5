/*
 * engine.c — the voice engine's API: an inbound call asks whether to answer,
 * and status events meter a call second by second. An `ended` event may
 * carry what the end-of-call report passes on (summary, transcript,
 * analysis; `error` with ended-with-error), each bounded.
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
	wl_json_kv_str(&req->out, "org_id", r->call.org_id);
	wl_json_kv_str(&req->out, "number_id", r->call.number_id[0] ? r->call.number_id : NULL);
	wl_json_kv_str(&req->out, "agent_id", r->call.agent_id[0] ? r->call.agent_id : NULL);
	if (!r->answered) {
		wl_json_kv_str(&req->out, "reason", r->reason);
		wl_json_kv_str(&req->out, "message", r->message);
	}
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

/* Copies a string into the request's memory (the job reads it later). */
static int
keep_string(struct wl_req *req, json_t *body, const char *field, size_t max, const char **out,
	    struct wl_error *err)
{
	const char *v = NULL;
	char *copy;
	int rc = api_string(body, field, false, max, &v, err);

	*out = NULL;
	if (rc != WL_OK)
		return rc < 0 ? rc : WL_OK;
	if ((copy = http_alloc(req, strlen(v) + 1)) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	memcpy(copy, v, strlen(v) + 1);
	*out = copy;
	return WL_OK;
}

/* The optional report fields of an event (see the file's comment). */
static int
event_extras(struct wl_req *req, json_t *body, struct webhook_call_extras *x, struct wl_error *err)
{
	json_t *analysis = json_object_get(body, "analysis");
	char *copy;
	size_t n;

	memset(x, 0, sizeof(*x));
	if (keep_string(req, body, "error", WEBHOOK_ERROR_MAX, &x->error, err) != WL_OK ||
	    keep_string(req, body, "summary", WEBHOOK_SUMMARY_MAX, &x->summary, err) != WL_OK ||
	    keep_string(req, body, "transcript", WEBHOOK_TRANSCRIPT_MAX, &x->transcript, err) !=
		    WL_OK)
		return err->code;
	if (analysis == NULL || json_is_null(analysis))
		return WL_OK;
	if (!json_is_object(analysis))
		return wl_fail(err, WL_EINVALID, "Field 'analysis' must be an object");
	n = json_dumpb(analysis, NULL, 0, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (n == 0 || n > WEBHOOK_ANALYSIS_MAX)
		return wl_fail(err, WL_EINVALID,
			       "Field 'analysis' must be at most %d bytes as JSON",
			       WEBHOOK_ANALYSIS_MAX);
	if ((copy = http_alloc(req, n + 1)) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	json_dumpb(analysis, copy, n, JSON_COMPACT | JSON_ENSURE_ASCII);
	copy[n] = '\0';
	x->analysis = copy;
	return copy != NULL ? WL_OK : wl_fail(err, WL_EUNAVAILABLE, "out of memory");
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
	if (event_extras(req, body, &r->extras, &err) != WL_OK)
		goto bad;
	r->app = req->app;
	memcpy(r->call_id, req->params[0], WL_ID_LEN);
	if (calls_event_prepare(req->conn, r, &err) != WL_OK)
		goto bad;
	http_job_order(req, r->billed_org_id);
	http_job_locks(req, r->org_id, r->call_id);
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
