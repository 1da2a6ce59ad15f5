/*
 * settings_domain.c — the custom-domain forms of the whitelabel settings
 * page (claim, re-check through DNS on a worker, remove) and the refusal
 * page every settings form shows again when it is refused: the stored
 * settings with each complaint beside its field. The rules are the
 * services' (services/domains.c); this file parses, submits and renders.
 */
#include "web/web.h"
#include "web/settings_int.h"

#include <stdio.h>
#include <string.h>

#include "services/domains.h"
#include "services/whitelabel.h"

/* ---- the refusal page ----------------------------------------------------------- */

int
settings_refused_status(const struct wl_error *err)
{
	return err->code == WL_EVALIDATION || err->code == WL_EINVALID
		       ? 422
		       : wl_error_http_status(err->code);
}

void
settings_refused(struct wl_req *req, const struct wl_error *err)
{
	struct store_whitelabel s;
	struct wl_error e;

	wl_error_clear(&e);
	if (whitelabel_load(req->conn, req->org.id, &s, &e) != WL_OK)
		http_reply_error(req, &e);
	else
		settings_page(req, settings_refused_status(err), &s, err, NULL);
}

bool
settings_refusal_init(struct wl_req *req, struct refusal *rf)
{
	memcpy(rf->org_id, req->org.id, WL_ID_LEN);
	memcpy(rf->user_id, req->user_id, WL_ID_LEN);
	memcpy(rf->session_org_id, req->key_org_id, WL_ID_LEN);
	rf->acting = req->org;
	rf->chrome = http_alloc(req, sizeof(*rf->chrome));
	return rf->chrome != NULL;
}

void
settings_refusal_read(struct store_conn *c, struct refusal *rf)
{
	struct wl_error e;

	wl_error_clear(&e);
	rf->read = whitelabel_load(c, rf->org_id, &rf->stored, &e) == WL_OK;
	if (rf->read)
		accounts_chrome_read(c, rf->user_id, rf->session_org_id, &rf->acting, rf->chrome);
}

void
settings_refused_read(struct wl_req *req, const struct wl_error *err, const struct refusal *rf)
{
	if (!rf->read)
		web_error_page(req, settings_refused_status(err), NULL,
			       err->nfields > 0 ? err->fields[0].message : err->message);
	else
		settings_page(req, settings_refused_status(err), &rf->stored, err, rf->chrome);
}

/* ---- custom domain ---------------------------------------------------------------- */

static bool
agency_itself(struct wl_req *req)
{
	if (req->org.parent_id[0] != '\0' || strcmp(req->org.id, req->key_org_id) != 0) {
		web_error_page(req, 403, NULL, WHITELABEL_PARENT_ONLY);
		return false;
	}
	return true;
}

/* A domain job and the page to show again if it is refused. */
struct domain_job {
	struct domains_job d; /* first: the job's argument */
	struct refusal rf;
};

static struct domain_job *
domain_job_new(struct wl_req *req)
{
	struct domain_job *j = http_alloc(req, sizeof(*j));

	if (j == NULL || !settings_refusal_init(req, &j->rf)) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return NULL;
	}
	return j;
}

static void
domain_refused(struct store_conn *c, void *arg)
{
	settings_refusal_read(c, &((struct domain_job *)arg)->rf);
}

static void
domain_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct domain_job *j = arg;
	struct wl_error e;

	if (rc == WL_OK) {
		http_redirect(req, "/dashboard/whitelabel?saved=domain#portal");
		return;
	}
	e = *err;
	if (e.nfields == 0 && rc != WL_EINTERNAL && rc != WL_EUNAVAILABLE) {
		/* a taken domain, or one that changed during the check */
		wl_error_clear(&e);
		wl_error_field(&e, "domain", "%s", err->message);
		e.code = WL_EVALIDATION;
	}
	settings_refused_read(req, &e, &j->rf);
}

static void
domain_submit(struct wl_req *req, struct domain_job *j)
{
	http_actor(req, &j->d.actor);
	http_submit(req, domains_run, &j->d, domain_finish);
	http_on_refusal(req, domain_refused);
}

void
web_domain_add(struct wl_req *req)
{
	struct domain_job *j;
	struct wl_error err;
	const char *domain;

	if (!agency_itself(req))
		return;
	wl_error_clear(&err);
	domain = settings_take(req, "domain", &err);
	if ((j = domain_job_new(req)) == NULL)
		return;
	if (err.code != WL_OK ||
	    domains_claim_prepare(req->app, req->org.id, domain, &j->d, &err) != WL_OK) {
		settings_refused(req, &err);
		return;
	}
	domain_submit(req, j);
}

void
web_domain_remove(struct wl_req *req)
{
	struct domain_job *j;

	if (!agency_itself(req))
		return;
	if ((j = domain_job_new(req)) == NULL)
		return;
	domains_remove_prepare(req->app, req->org.id, &j->d);
	domain_submit(req, j);
}

/* On a worker: ask DNS, then record the verdict through the writer. */
static void
refresh_work(struct wl_req *req, void *arg)
{
	struct domain_job *j = arg;
	struct wl_error err;

	wl_error_clear(&err);
	if (domains_refresh_check(req->app, &j->d, &err) != WL_OK) {
		struct wl_error e;

		wl_error_clear(&e);
		wl_error_field(&e, "domain",
			       "could not be checked just now (%s). Try again in a minute",
			       err.message);
		settings_refused(req, &e);
		return;
	}
	domain_submit(req, j);
}

void
web_domain_refresh(struct wl_req *req)
{
	struct domain_job *j;
	struct wl_error err;
	int rc;

	if (!agency_itself(req))
		return;
	wl_error_clear(&err);
	if ((j = domain_job_new(req)) == NULL)
		return;
	rc = domains_refresh_prepare(req->conn, req->app, req->org.id, &j->d, &err);
	if (rc == WL_ENOTFOUND) {
		http_redirect(req, "/dashboard/whitelabel#portal");
		return;
	}
	if (rc != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_offload(req, refresh_work, j);
}
