/*
 * config_pages.c — the dashboard's Agents and Phone numbers pages for the
 * org acted on (the organization switcher's choice, carried as ?org= and
 * the forms' "org" field): lists, the agent form (new and edit) and the
 * numbers' forms. Every rule is the services' (agents.c, numbers.c); a
 * form refused by them is shown again with its values and the complaints,
 * from what the handler read before queuing the write (a finish never
 * queries the database). Edits carry the version they were made on, so a
 * form saved over someone else's change is refused, not lost.
 */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agentcfg.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/agents.h"
#include "services/numbers.h"

static void
put_time(struct tpl_data *d, const char *name, int64_t ms)
{
	char t[32];

	wl_format_iso_ms(ms, t);
	t[16] = '\0';
	t[10] = ' ';
	tpl_putf(d, name, "%s UTC", t);
}

/* "/dashboard/{what}[?org=…]" */
static void
back_to(struct wl_req *req, const char *what, const char *flash)
{
	char loc[200];
	const char *q = web_org_query(req);

	snprintf(loc, sizeof(loc), "/dashboard/%s%s%s%s", what, q, q[0] ? "&" : "?", flash);
	http_redirect(req, loc);
}

/* The complaints of a refused write, for the form. */
static void
put_errors(struct tpl_data *d, const struct wl_error *err)
{
	struct tpl_data *row;
	int i;

	tpl_put(d, "form_error", err->message);
	for (i = 0; i < err->nfields; i++) {
		row = tpl_push(d, "field_errors");
		tpl_put(row, "field", err->fields[i].name);
		tpl_put(row, "message", err->fields[i].message);
	}
}

/* ---- agents ------------------------------------------------------------------ */

void
web_agents(struct wl_req *req)
{
	struct store_agent_brief *rows;
	struct tpl_data *d, *row;
	struct wl_error err;
	int i, n;

	wl_error_clear(&err);
	if (agents_briefs(req->conn, req->org.id, &rows, &n, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	d = web_page_data(req, "Agents", "agents");
	tpl_put_bool(d, "saved", http_query(req, "saved") != NULL);
	tpl_put_bool(d, "deleted", http_query(req, "deleted") != NULL);
	tpl_put_list(d, "agents");
	for (i = 0; i < n; i++) {
		row = tpl_push(d, "agents");
		tpl_put(row, "id", rows[i].id);
		tpl_put(row, "name", rows[i].name);
		tpl_put(row, "language", rows[i].language[0] ? rows[i].language : "—");
		tpl_put(row, "voice", rows[i].voice_id[0] ? rows[i].voice_id : "—");
		put_time(row, "updated", rows[i].updated_at);
	}
	free(rows);
	web_render(req, 200, "agents", d);
}

/* The form's fields: from an agent, or as typed (a refused form). */
static void
put_agent_fields(struct tpl_data *d, const struct store_agent *a)
{
	char t[32], etag[32];

	tpl_put(d, "v_name", a->name);
	tpl_put(d, "v_system_prompt", a->system_prompt);
	tpl_put(d, "v_first_message", a->first_message);
	tpl_put(d, "v_voice_id", a->voice_id);
	tpl_put(d, "v_language", a->language);
	wl_format_thousandths(a->temperature_milli, t);
	tpl_put(d, "v_temperature", t);
	if (a->max_duration_seconds > 0)
		tpl_putf(d, "v_max_duration", "%lld", (long long)a->max_duration_seconds);
	tpl_put(d, "v_webhook_url", a->webhook_url);
	wl_etag(a->updated_at, etag);
	tpl_put(d, "version", etag);
}

static void
put_typed_fields(struct wl_req *req, struct tpl_data *d)
{
	static const char *const names[] = { "name",          "system_prompt",
					     "first_message", "voice_id",
					     "language",      "temperature",
					     "webhook_url",   NULL };
	const char *v;
	char key[48];
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		snprintf(key, sizeof(key), "v_%s", names[i]);
		tpl_put(d, key, (v = http_form(req, names[i])) != NULL ? v : "");
	}
	tpl_put(d, "v_max_duration", (v = http_form(req, "max_duration_seconds")) ? v : "");
	tpl_put(d, "version", (v = http_form(req, "version")) ? v : "");
}

void
web_agent_new(struct wl_req *req)
{
	struct store_agent *a = http_alloc(req, sizeof(*a));
	struct tpl_data *d;

	if (a == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	a->temperature_milli = AGENT_TEMPERATURE_DEFAULT;
	d = web_page_data(req, "New agent", "agents");
	tpl_put_bool(d, "is_new", true);
	put_agent_fields(d, a);
	tpl_put(d, "version", "");
	web_render(req, 200, "agent_form", d);
}

void
web_agent_edit(struct wl_req *req)
{
	struct store_agent *a = http_alloc(req, sizeof(*a));
	struct tpl_data *d;
	struct wl_error err;

	wl_error_clear(&err);
	if (a == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	if (agents_get(req->conn, req->org.id, req->params[0], a, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	d = web_page_data(req, a->name, "agents");
	tpl_put(d, "agent_id", a->id);
	put_agent_fields(d, a);
	web_render(req, 200, "agent_form", d);
}

/* An agent form's write and what a refusal shows again. */
struct agent_form_job {
	struct agents_write w; /* first: the job's argument */
	struct accounts_chrome *chrome;
};

static void
agent_saved(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct agent_form_job *j = arg;
	struct tpl_data *d;

	if (rc == WL_OK) {
		back_to(req, "agents", j->w.op == ORGCFG_DELETE ? "deleted=1" : "saved=1");
		return;
	}
	if (rc != WL_EVALIDATION && rc != WL_EPRECONDITION && rc != WL_ECONFLICT) {
		http_reply_error(req, err);
		return;
	}
	d = web_page_data_with(req, j->chrome, j->w.op == ORGCFG_CREATE ? "New agent" : "Agent",
			       "agents");
	tpl_put_bool(d, "is_new", j->w.op == ORGCFG_CREATE);
	if (j->w.op != ORGCFG_CREATE)
		tpl_put(d, "agent_id", j->w.id);
	put_typed_fields(req, d);
	put_errors(d, err);
	if (rc == WL_EPRECONDITION)
		tpl_put(d, "form_error",
			"Someone changed this agent after you opened it. Reload the page to see "
			"the current version, then make your change again.");
	web_render(req,
		   rc == WL_EPRECONDITION ? 412
		   : rc == WL_ECONFLICT   ? 409
					  : 422,
		   "agent_form", d);
}

/* A form field as an agent field: "" stays "" (cleared). */
static const char *
field(struct wl_req *req, const char *name)
{
	const char *v = http_form(req, name);

	return v != NULL ? v : "";
}

/* The numbers of the form, read the way the API reads JSON numbers. */
static void
form_numbers(struct wl_req *req, struct agent_input *in, struct wl_error *err)
{
	const char *t = field(req, "temperature"), *m = field(req, "max_duration_seconds");
	char *end;
	double v;
	long long secs;

	in->has_temperature = true;
	in->temperature_milli = AGENT_TEMPERATURE_DEFAULT;
	if (t[0] != '\0') {
		v = strtod(t, &end);
		if (*end != '\0' ||
		    !wl_thousandths_from_double(v, -1000000, 1000000, &in->temperature_milli))
			wl_error_field(err, "temperature",
				       "must be a number with at most 3 decimals");
	}
	in->has_max_duration = true;
	in->max_duration_seconds = 0;
	if (m[0] != '\0') {
		secs = strtoll(m, &end, 10);
		if (*end != '\0' || secs < 0 || secs > 1000000000)
			wl_error_field(err, "max_duration_seconds", "must be a whole number");
		else
			in->max_duration_seconds = secs;
	}
}

static struct agent_form_job *
agent_job(struct wl_req *req, enum orgcfg_op op)
{
	struct agent_form_job *j = http_alloc(req, sizeof(*j));

	if (j == NULL || (j->chrome = http_alloc(req, sizeof(*j->chrome))) == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return NULL;
	}
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, j->chrome);
	j->w.op = op;
	memcpy(j->w.org_id, req->org.id, WL_ID_LEN);
	j->w.allow_private = req->app->webhook_allow_private;
	if (op != ORGCFG_CREATE) {
		memcpy(j->w.id, req->params[0], WL_ID_LEN);
		/* the version the form was made on */
		j->w.if_match = http_form(req, "version");
		if (j->w.if_match != NULL && j->w.if_match[0] == '\0')
			j->w.if_match = NULL;
	}
	return j;
}

static void
agent_submit(struct wl_req *req, enum orgcfg_op op)
{
	struct agent_form_job *j;
	struct wl_error err;

	wl_error_clear(&err);
	if (op != ORGCFG_CREATE && !wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That agent is not in this organization.");
		return;
	}
	if ((j = agent_job(req, op)) == NULL)
		return;
	if (op != ORGCFG_DELETE) {
		/* The form has the agent's own fields; its tools, knowledge bases
		 * and event filter stay as the API set them. */
		j->w.in.name = field(req, "name");
		j->w.in.system_prompt = field(req, "system_prompt");
		j->w.in.first_message = field(req, "first_message");
		j->w.in.voice_id = field(req, "voice_id");
		j->w.in.language = field(req, "language");
		j->w.in.webhook_url = field(req, "webhook_url");
		form_numbers(req, &j->w.in, &err);
		if (err.nfields > 0) {
			agent_saved(req, j, WL_EVALIDATION, &err);
			return;
		}
	}
	http_submit(req, agents_write_run, &j->w, agent_saved);
}

void
web_agent_create(struct wl_req *req)
{
	agent_submit(req, ORGCFG_CREATE);
}

void
web_agent_update(struct wl_req *req)
{
	agent_submit(req, ORGCFG_UPDATE);
}

void
web_agent_delete(struct wl_req *req)
{
	agent_submit(req, ORGCFG_DELETE);
}

/* ---- phone numbers ------------------------------------------------------------- */

/* The numbers page as read: its numbers and the agents to choose from. */
struct numbers_view {
	struct accounts_chrome *chrome;
	struct store_number *numbers;
	int nnumbers;
	bool more;
	struct store_agent_brief *agents; /* request memory */
	int nagents;
};

#define NUMBERS_SHOWN ORGCFG_PAGE_MAX

static int
numbers_read(struct wl_req *req, struct numbers_view *v, struct wl_error *err)
{
	struct store_agent_brief *agents;
	struct page pg;
	int rc;

	v->chrome = http_alloc(req, sizeof(*v->chrome));
	v->numbers = http_alloc(req, sizeof(*v->numbers) * NUMBERS_SHOWN);
	v->agents = http_alloc(req, sizeof(*v->agents) * AGENTS_BRIEFS_MAX);
	if (v->chrome == NULL || v->numbers == NULL || v->agents == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "The server is busy. Please try again.");
	rc = numbers_list(req->conn, req->org.id, 0, "", NUMBERS_SHOWN, &pg, err);
	if (rc != WL_OK)
		return rc;
	memcpy(v->numbers, pg.rows, sizeof(*v->numbers) * (size_t)pg.n);
	v->nnumbers = pg.n;
	v->more = pg.more;
	page_free(&pg);
	rc = agents_briefs(req->conn, req->org.id, &agents, &v->nagents, err);
	if (rc != WL_OK)
		return rc;
	memcpy(v->agents, agents, sizeof(*agents) * (size_t)v->nagents);
	free(agents);
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, v->chrome);
	return WL_OK;
}

static const char *
agent_name(const struct numbers_view *v, const char *id)
{
	int i;

	for (i = 0; i < v->nagents; i++)
		if (strcmp(v->agents[i].id, id) == 0)
			return v->agents[i].name;
	return NULL;
}

/* The agents as choices of a select, `chosen` selected. */
static void
put_choices(struct tpl_data *d, const struct numbers_view *v, const char *chosen)
{
	struct tpl_data *row;
	int i;

	tpl_put_list(d, "choices");
	for (i = 0; i < v->nagents; i++) {
		row = tpl_push(d, "choices");
		tpl_put(row, "id", v->agents[i].id);
		tpl_put(row, "name", v->agents[i].name);
		tpl_put_bool(row, "selected",
			     chosen != NULL && strcmp(chosen, v->agents[i].id) == 0);
	}
}

static void
numbers_page(struct wl_req *req, int status, const struct numbers_view *v,
	     const struct wl_error *err)
{
	struct tpl_data *d = web_page_data_with(req, v->chrome, "Phone numbers", "numbers"), *row;
	const char *name;
	char etag[32];
	int i;

	tpl_put_bool(d, "saved", http_query(req, "saved") != NULL);
	tpl_put_bool(d, "has_agents", v->nagents > 0);
	put_choices(d, v, err != NULL ? http_form(req, "agent_id") : NULL);
	if (err != NULL) {
		put_errors(d, err);
		tpl_put(d, "v_number", field(req, "number"));
		tpl_put(d, "v_name", field(req, "name"));
	}
	tpl_put_list(d, "numbers");
	for (i = 0; i < v->nnumbers; i++) {
		const struct store_number *p = &v->numbers[i];
		struct tpl_data *c;
		int k;

		row = tpl_push(d, "numbers");
		tpl_put(row, "id", p->id);
		tpl_put(row, "number", p->number);
		tpl_put(row, "name", p->name);
		name = p->agent_id[0] ? agent_name(v, p->agent_id) : NULL;
		tpl_put(row, "agent_name", name != NULL ? name : "—");
		wl_etag(p->updated_at, etag);
		tpl_put(row, "version", etag);
		tpl_put_list(row, "row_choices");
		for (k = 0; k < v->nagents; k++) {
			c = tpl_push(row, "row_choices");
			tpl_put(c, "id", v->agents[k].id);
			tpl_put(c, "name", v->agents[k].name);
			tpl_put_bool(c, "selected", strcmp(p->agent_id, v->agents[k].id) == 0);
		}
	}
	tpl_put_bool(d, "more_numbers", v->more);
	web_render(req, status, "numbers", d);
}

void
web_numbers(struct wl_req *req)
{
	struct numbers_view v;
	struct wl_error err;

	wl_error_clear(&err);
	if (numbers_read(req, &v, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	numbers_page(req, 200, &v, NULL);
}

struct number_form_job {
	struct numbers_write w; /* first: the job's argument */
	struct numbers_view view;
};

static void
number_saved(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct number_form_job *j = arg;

	if (rc == WL_OK) {
		back_to(req, "numbers", "saved=1");
		return;
	}
	if (rc != WL_EVALIDATION && rc != WL_ECONFLICT && rc != WL_EPRECONDITION) {
		http_reply_error(req, err);
		return;
	}
	numbers_page(req,
		     rc == WL_EVALIDATION ? 422
		     : rc == WL_ECONFLICT ? 409
					  : 412,
		     &j->view, err);
}

static void
number_submit(struct wl_req *req, enum orgcfg_op op)
{
	struct number_form_job *j = http_alloc(req, sizeof(*j));
	struct wl_error err;
	const char *version;

	wl_error_clear(&err);
	if (op != ORGCFG_CREATE && !wl_valid_uuid(req->params[0])) {
		web_error_page(req, 404, NULL, "That number is not in this organization.");
		return;
	}
	if (j == NULL || numbers_read(req, &j->view, &err) != WL_OK) {
		if (j == NULL)
			wl_fail(&err, WL_EUNAVAILABLE, "The server is busy. Please try again.");
		http_reply_error(req, &err);
		return;
	}
	j->w.op = op;
	memcpy(j->w.org_id, req->org.id, WL_ID_LEN);
	if (op != ORGCFG_CREATE) {
		memcpy(j->w.id, req->params[0], WL_ID_LEN);
		version = http_form(req, "version");
		j->w.if_match = version != NULL && version[0] != '\0' ? version : NULL;
	}
	if (op == ORGCFG_CREATE)
		j->w.in.number = field(req, "number");
	if (op != ORGCFG_DELETE) {
		j->w.in.name = field(req, "name");
		j->w.in.agent_id = field(req, "agent_id");
	}
	http_submit(req, numbers_write_run, &j->w, number_saved);
}

void
web_number_create(struct wl_req *req)
{
	number_submit(req, ORGCFG_CREATE);
}

void
web_number_update(struct wl_req *req)
{
	number_submit(req, ORGCFG_UPDATE);
}

void
web_number_delete(struct wl_req *req)
{
	number_submit(req, ORGCFG_DELETE);
}
