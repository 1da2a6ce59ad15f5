/*
 * server.c — the libmicrohttpd server: one epoll thread per core, requests
 * read into a bounded body, routed through the one route table, answered
 * from one place. (The daemon's start and stop: daemon.c; the deadlines of
 * every connection and the reaper: conns.c; who is asking: auth.c; route
 * and portal-host matching: route_match.c.)
 *
 * Per-request state machine (kept in MHD's *con_cls):
 *   READING  → the body arrives (bounded; past WL_BODY_MAX it is discarded
 *              and the answer is 413);
 *   dispatch → route, authenticate, run the handler with a read connection;
 *   WAITING  → the handler queued a write: the connection is suspended, and
 *              the writer's `done` resumes it after the commit;
 *   FINISH   → back on a server thread: the handler's finish renders;
 *   DONE     → the response is queued.
 * On a networked database (PostgreSQL) the whole dispatch runs on a worker
 * thread while the connection is suspended, so no server thread waits for a
 * query; on SQLite the same happens to the routes whose reads scan
 * (ROUTE_SCANS in routes.c: usage, lists, the pages that sum or list), so
 * the server threads only parse, route and answer quick reads. The write job is handed to the writer as the very last touch of the
 * request, because the writer may resume and complete it at once.
 *
 * HTML pages: a portal host ({slug}.portal.{base}) is routed to /p/{slug}/…;
 * the log-in form and the dashboard answer only on the platform's own host;
 * a POST to a page from another site (Origin, Sec-Fetch-Site) is refused;
 * AUTH_SESSION routes read the session cookie and check the CSRF token
 * of every POST (auth.c); errors on page routes answer as HTML pages, drawn
 * by the renderer given to http_start.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/form.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/ids.h"
#include "services/whitelabel.h"
#include "http/http_int.h"
#include "http/route_match.h"

/* ---- routing and dispatch ------------------------------------------------ */

_Static_assert(sizeof(((struct wl_req *)0)->params[0]) == HTTP_PARAM_MAX,
	       "a request's path parameters hold what the matcher captures");

static const struct route *
find_route(struct wl_req *req, bool *method_mismatch, char *allow, size_t allow_sz)
{
	return http_route_match(wl_routes, wl_nroutes, req->method, req->path, req->params,
				method_mismatch, allow, allow_sz);
}

/* GET of a page without a session: log in first, then come back here. */
static void
redirect_to_login(struct wl_req *req)
{
	char here[PATH_MAX_LEN + 64], enc[3 * sizeof(here)], loc[sizeof(enc) + 32];
	const char *org = http_query(req, "org");

	if (org != NULL && wl_valid_uuid(org))
		snprintf(here, sizeof(here), "%s?org=%s", req->path, org);
	else
		snprintf(here, sizeof(here), "%s", req->path);
	if (!wl_url_encode(here, enc, sizeof(enc)))
		snprintf(enc, sizeof(enc), "%%2Fdashboard");
	snprintf(loc, sizeof(loc), "/login?next=%s", enc);
	http_redirect(req, loc);
}

static bool
api_key_route(const struct route *r)
{
	return r->auth == AUTH_API_KEY || r->auth == AUTH_API_KEY_MONTH;
}

static bool
page_route(const struct route *r)
{
	return r->auth == AUTH_PAGE || r->auth == AUTH_LOGIN || r->auth == AUTH_SESSION ||
	       r->auth == AUTH_PORTAL || r->auth == AUTH_PORTAL_PUBLIC;
}

/* A portal page without a session: its log-in page. */
static void
portal_to_login(struct wl_req *req)
{
	char loc[sizeof(req->portal_base) + 16];

	snprintf(loc, sizeof(loc), "%s/login", req->portal_base);
	http_redirect(req, loc);
}

/* A former slug: the same page under the slug of today (on a portal host,
 * that host's page of the same path). */
static void
portal_moved(struct wl_req *req)
{
	char loc[PATH_MAX_LEN + 128];
	const char *rest = req->path + 3 + strcspn(req->path + 3, "/");

	if (req->via_portal_host) {
		char url[600];

		whitelabel_portal_url(req->app, req->portal->slug, url, sizeof(url));
		snprintf(loc, sizeof(loc), "%s%s", url, rest[0] ? rest : "/");
	} else {
		snprintf(loc, sizeof(loc), "/p/%s%s", req->portal->slug, rest[0] ? rest : "/");
	}
	http_redirect(req, loc);
}

void
http_release_conn(struct wl_req *req)
{
	store_release(req->conn);
	req->conn = NULL;
}

/* The platform API's per-address bucket, before the key is even read (so
 * guessing keys costs tokens too). */
static bool
api_address_ok(struct wl_req *req)
{
	char addr[64];

	http_client_addr(req, addr, sizeof(addr));
	return http_rate_limit(req, req->priv->server->per_addr, addr, false);
}

/* Runs authentication and the handler with a read connection. May run on a
 * server thread (quick reads on SQLite) or a worker (on_worker). */
static void
run_handler(struct wl_req *req, const struct route *r)
{
	struct wl_error err;

	wl_error_clear(&err);
	req->now_ms = wl_now_ms();
	req->conn = store_acquire(req->app->store, &err);
	if (req->conn == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "The database is not available");
		return;
	}
	if (page_route(r))
		req->html = true;
	if (api_key_route(r) && !api_address_ok(req)) {
		/* answered 429 */
	} else if (http_authenticate(req, r->auth, &err) == WL_OK) {
		if (api_key_route(r) &&
		    !http_rate_limit(req, req->priv->server->per_key, req->key_id, true)) {
			/* answered 429 */
		} else if (req->portal_moved) {
			portal_moved(req);
		} else {
			r->handler(req);
		}
	} else if (r->auth == AUTH_SESSION && err.code == WL_EUNAUTHORIZED &&
		   (req->method == HTTP_GET || req->method == HTTP_HEAD)) {
		redirect_to_login(req);
	} else if (r->auth == AUTH_PORTAL && err.code == WL_EUNAUTHORIZED &&
		   (req->method == HTTP_GET || req->method == HTTP_HEAD)) {
		portal_to_login(req);
	} else {
		http_reply_error(req, &err);
	}
	store_release(req->conn);
	req->conn = NULL;
	if (req->priv->state == RS_DISPATCHED && !req->priv->job_pending &&
	    req->priv->offload_fn == NULL)
		http_reply_fail(req, WL_EINTERNAL, "handler gave no answer");
}

/* The request's write job, made on first use; NULL when memory ran out. */
static struct wl_job *
job_of(struct wl_req *req)
{
	struct http_private *p = req->priv;

	if (p->job == NULL && !p->job_failed) {
		/* Not calloc: zeroing the job's error block (~5 KB) was a
		 * twentieth of a debit's instructions. */
		p->job = malloc(sizeof(*p->job));
		if (p->job == NULL) {
			p->job_failed = true;
			return NULL;
		}
		p->job->priv = p;
		writer_job_init(&p->job->job);
	}
	return p->job != NULL ? &p->job->job : NULL;
}

/* No memory for the job: its finish renders the refusal the writer would
 * have given when busy. */
static void
job_not_queued(struct wl_req *req, void *arg, wl_finish finish)
{
	struct wl_error err;

	wl_error_clear(&err);
	wl_fail(&err, WL_EUNAVAILABLE, "The server is busy, try again");
	store_forbid_acquire(true);
	finish(req, arg, WL_EUNAVAILABLE, &err);
	store_forbid_acquire(false);
	if (req->priv->state != RS_DONE)
		http_reply_fail(req, WL_EINTERNAL, "finish gave no answer");
}

void
http_submit(struct wl_req *req, int (*run)(struct store_conn *, void *, struct wl_error *),
	    void *arg, wl_finish finish)
{
	struct http_private *p = req->priv;
	struct wl_job *job = job_of(req);

	/* Only a running handler (or a worker's work) queues, and only once. */
	assert(p->state == RS_DISPATCHED && !p->job_pending);
	if (job == NULL) {
		job_not_queued(req, arg, finish);
		return;
	}
	job->run = run;
	job->arg = arg;
	memcpy(job->request_id, p->request_id, sizeof(job->request_id));
	p->finish = finish;
	/* Batches lock agencies in key order (writer.h); the org acted on names
	 * its agency unless the handler said otherwise. */
	if (job->order_key[0] == '\0' && req->org.id[0] != '\0')
		snprintf(job->order_key, sizeof(job->order_key), "%s",
			 req->org.parent_id[0] != '\0' ? req->org.parent_id : req->org.id);
	p->job_pending = true;
	p->state = RS_WAITING;
}

void
http_on_refusal(struct wl_req *req, void (*reads)(struct store_conn *c, void *arg))
{
	/* after http_submit: no job when it could not be queued */
	if (req->priv->job_pending)
		req->priv->job->job.refused = reads;
}

void
http_job_order(struct wl_req *req, const char *agency_id)
{
	struct wl_job *job = job_of(req);

	if (job != NULL) /* else http_submit answers 503 */
		snprintf(job->order_key, sizeof(job->order_key), "%s", agency_id);
}

void
http_job_locks(struct wl_req *req, const char *org_id, const char *call_id)
{
	struct wl_job *job = job_of(req);

	if (job == NULL)
		return; /* http_submit answers 503 */
	snprintf(job->lock_org, sizeof(job->lock_org), "%s", org_id);
	snprintf(job->lock_call, sizeof(job->lock_call), "%s", call_id);
}

void
http_offload(struct wl_req *req, void (*work)(struct wl_req *, void *), void *arg)
{
	assert(req->priv->state == RS_DISPATCHED && req->priv->offload_fn == NULL);
	req->priv->offload_fn = work;
	req->priv->offload_arg = arg;
	req->priv->state = RS_WAITING;
}

void
http_detach(struct wl_req *req, void (*start)(struct wl_req *, void *), void *arg)
{
	struct http_private *p = req->priv;

	/* Only offloaded work detaches: its request is suspended already. */
	assert(p->state == RS_DISPATCHED && p->suspended && !p->job_pending &&
	       p->offload_fn == NULL && p->detach_start == NULL);
	p->detach_start = start;
	p->detach_arg = arg;
	p->state = RS_WAITING;
}

void
http_resume(struct wl_req *req)
{
	struct http_private *p = req->priv;

	assert(p->state == RS_DONE && p->suspended);
	MHD_resume_connection(p->mhd);
}

static void
job_done(struct wl_job *job)
{
	struct http_private *p =
		((struct http_job *)(void *)((char *)job - offsetof(struct http_job, job)))->priv;

	assert(p->state == RS_WAITING && p->suspended);
	p->state = RS_FINISH;
	MHD_resume_connection(p->mhd);
}

/* The last touch of a request before the writer owns it. */
static void
hand_to_writer(struct wl_req *req)
{
	struct wl_job *job = &req->priv->job->job;
	int rc;

	job->done = job_done;
	rc = writer_submit(req->app->writer, job);
	if (rc != WL_OK) {
		job->rc = rc;
		wl_fail(&job->err, WL_EUNAVAILABLE, "The server is busy, try again");
		job_done(job);
	}
}

struct offload {
	struct wl_req *req;
	const struct route *route;
};

/* On a worker, the suspended request's blocking work, then its write or
 * its answer. */
static void
finish_on_worker(struct wl_req *req)
{
	struct http_private *p = req->priv;
	struct wl_error err;

	if (p->offload_fn != NULL) {
		void (*fn)(struct wl_req *, void *) = p->offload_fn;

		p->offload_fn = NULL;
		p->state = RS_DISPATCHED;
		wl_error_clear(&err);
		req->conn = store_acquire(req->app->store, &err);
		if (req->conn == NULL) {
			http_reply_fail(req, WL_EUNAVAILABLE, "The database is not available");
		} else {
			fn(req, p->offload_arg);
			store_release(req->conn);
			req->conn = NULL;
		}
		if (p->state == RS_DISPATCHED && !p->job_pending)
			http_reply_fail(req, WL_EINTERNAL, "work gave no answer");
	}
	if (p->detach_start != NULL) {
		void (*start)(struct wl_req *, void *) = p->detach_start;

		/* The last touch: whoever start hands the request to may answer
		 * and resume it at once. */
		p->detach_start = NULL;
		start(req, p->detach_arg);
		return;
	}
	if (p->job_pending)
		hand_to_writer(req);
	else
		MHD_resume_connection(p->mhd);
}

static void
offloaded(void *arg)
{
	struct offload *o = arg;
	struct wl_req *req = o->req;

	wl_log_request(req->priv->request_id);
	if (o->route != NULL) {
		/* The worker owns the suspended request now: its handler runs
		 * dispatched, as it would on a server thread. */
		assert(req->priv->state == RS_WAITING && req->priv->suspended);
		req->priv->state = RS_DISPATCHED;
		run_handler(req, o->route);
	}
	free(o);
	finish_on_worker(req); /* the request may be gone once this returns */
	wl_log_request(NULL);
}

/* Suspends the request and runs the rest on a worker; false when the pool
 * is full (the request is answered 503 instead). */
/* GET /api/v1/account for the key's own org on a networked database: its
 * lookup shares a statement with the others of the moment (keybatch.c). */
static bool
batched_lookup(struct wl_req *req, const struct route *r)
{
	const char *acting = http_header(req, "X-Organization-Id");

	return req->priv->server->keys != NULL && r != NULL && r->auth == AUTH_API_KEY_MONTH &&
	       (acting == NULL || acting[0] == '\0');
}

static bool
to_worker(struct wl_req *req, const struct route *r)
{
	struct http_private *p = req->priv;
	struct offload *o = malloc(sizeof(*o));

	if (o == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return false;
	}
	o->req = req;
	o->route = r;
	p->state = RS_WAITING;
	p->suspended = true;
	atomic_fetch_add(&p->server->in_flight, 1);
	MHD_suspend_connection(p->mhd);
	if ((batched_lookup(req, r) ? keybatch_submit(p->server->keys, req, offloaded, o)
				    : workers_submit(req->app->workers, offloaded, o)) != WL_OK) {
		free(o);
		p->offload_fn = NULL;
		p->job_pending = false;
		http_reply_fail(req, WL_EUNAVAILABLE, "The server is busy, try again");
		/* answered on resume: state is DONE and suspended is set */
		MHD_resume_connection(p->mhd);
		return false;
	}
	return true;
}

/* Whether the route's handler runs on a worker while the connection is
 * suspended: every authenticated route on a networked database (each query
 * is a round trip), and on every database the routes whose reads grow with
 * the data (routes.c marks them ROUTE_SCANS). Everything else answers on the
 * server thread that parsed it. */
static bool
on_worker(const struct http_server *s, const struct route *r)
{
	if (r->auth == AUTH_NONE)
		return false;
	return s->offload || r->cost == ROUTE_SCANS;
}

/* Host {slug}.portal.{base}: the portal's pages live under /p/{slug}/
 * (http_portal_path says which paths). False when memory ran out. */
static bool
portal_host(struct wl_req *req)
{
	struct http_private *p = req->priv;
	char host[256], rewritten[PATH_MAX_LEN + 1], *path;
	size_t n;

	if (!http_portal_rewrites(req->path) || !http_request_host(req, host, sizeof(host)) ||
	    !http_portal_path(host, req->app->base_domain, req->path, rewritten, sizeof(rewritten)))
		return true;
	n = strlen(rewritten);
	if ((path = http_alloc(req, n + 1)) == NULL)
		return false;
	memcpy(path, rewritten, n);
	p->path = path;
	req->path = path;
	req->html = true;
	req->via_portal_host = true;
	return true;
}

/* Unknown paths answer as a page for a browser (and under /p/ or on pages
 * of the dashboard), as JSON for everything else. */
static bool
wants_html(struct wl_req *req)
{
	const char *accept = http_header(req, "Accept");

	if (strncmp(req->path, "/api/", 5) == 0 || strncmp(req->path, "/engine/", 8) == 0)
		return false;
	return req->html || strncmp(req->path, "/p/", 3) == 0 ||
	       strncmp(req->path, "/dashboard", 10) == 0 ||
	       (accept != NULL && strstr(accept, "text/html") != NULL);
}

/* Routes and runs the request. True when the request was handed to the
 * writer or a worker: from then on another thread owns it and the caller
 * must not touch it again (not even to read its state). */
bool
http_dispatch(struct wl_req *req)
{
	struct http_private *p = req->priv;
	const struct route *r;
	bool mismatch;
	char allow[64];

	assert(p->state == RS_READING);
	p->state = RS_DISPATCHED;
	conns_busy(p->track);
	if (atomic_load(&p->server->stopping)) {
		http_reply_fail(req, WL_EUNAVAILABLE, "The server is shutting down, try again");
		return false;
	}
	if (p->too_large) {
		http_reply_fail(req, WL_ETOOLARGE, "The request body is larger than %zu bytes",
				p->body_max);
		return false;
	}
	if (p->bad_input) {
		http_reply_fail(req, WL_EINVALID, "%s", p->bad_message);
		return false;
	}
	if (!portal_host(req)) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return false;
	}
	r = find_route(req, &mismatch, allow, sizeof(allow));
	if (r != NULL)
		p->route = (long)(r - wl_routes);
	if (r == NULL) {
		if (wants_html(req))
			req->html = true;
		if (mismatch) {
			snprintf(p->extra_header_value, sizeof(p->extra_header_value), "%s", allow);
			http_reply_fail(req, WL_EMETHOD, "Method not allowed here (allowed: %s)",
					allow);
		} else {
			http_reply_fail(req, WL_ENOTFOUND, "No such route");
		}
		return false;
	}
	if ((r->auth == AUTH_LOGIN || r->auth == AUTH_SESSION) && !http_platform_host(req)) {
		req->html = true;
		http_reply_fail(req, WL_ENOTFOUND, "No such page here");
		return false;
	}
	if (page_route(r) && req->method != HTTP_GET && req->method != HTTP_HEAD &&
	    http_foreign_post(req)) {
		req->html = true;
		http_reply_fail(req, WL_EFORBIDDEN,
				"This form was sent from another site, so it was not accepted. "
				"Open this site directly and try again.");
		return false;
	}
	if (on_worker(p->server, r)) {
		to_worker(req, r);
		return true;
	}
	run_handler(req, r);
	if (p->offload_fn != NULL) {
		to_worker(req, NULL);
		return true;
	}
	if (p->job_pending) {
		p->suspended = true;
		atomic_fetch_add(&p->server->in_flight, 1);
		MHD_suspend_connection(p->mhd);
		hand_to_writer(req);
		return true;
	}
	return false;
}
