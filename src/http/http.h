/*
 * http.h — what a handler sees of an HTTP request, and how it answers.
 *
 * A handler runs once all of the body is read (at most WL_BODY_MAX bytes),
 * after the route's authentication. It has a database connection for reads
 * (req->conn) and either answers at once (http_reply_*) or hands a write to
 * the group-commit writer with http_submit; then its `finish` renders the
 * answer once the write is durable. A handler never blocks on anything else.
 *
 * Memory: everything from http_alloc lives until the response is sent.
 */
#ifndef WL_HTTP_H
#define WL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "services/app.h"
#include "store/store.h"

#define WL_BODY_MAX (1024 * 1024)
#define WL_RESPONSE_MAX (8 * 1024 * 1024)
#define WL_PATH_PARAMS 4
/* Cookie names on plain http; over https they carry the __Host- prefix
 * (http_cookie_name). */
#define WL_SESSION_COOKIE "wl_session"
#define WL_LOGIN_COOKIE "wl_login"       /* the log-in form's CSRF token */
#define WL_PORTAL_COOKIE "wl_portal"     /* a client's portal session */
#define WL_PORTAL_FORM_COOKIE "wl_pform" /* the portal's public forms' CSRF token */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OTHER };
/* AUTH_PAGE: a public HTML page (errors render as HTML). AUTH_LOGIN: a
 * public page of the platform itself (the log-in form). AUTH_SESSION: an
 * HTML page of a logged-in user (the session cookie); a POST there must also
 * carry the session's CSRF token in the form field "csrf".
 * AUTH_LOGIN and AUTH_SESSION routes answer only on the platform's own host
 * (http_platform_host), 404 elsewhere; a POST to any page route whose Origin
 * is another site (or, without Origin, whose Sec-Fetch-Site is cross-site)
 * is refused with 403 before its handler runs. */
/* AUTH_PORTAL_PUBLIC and AUTH_PORTAL: a page of an agency's branded portal,
 * /p/:slug/… (a portal host {slug}.portal.{base} is rewritten to it). The
 * slug names the portal (req->portal): unknown or inactive answers 404, a
 * slug the agency used before redirects to the same page under its slug
 * now. The portal session cookie (WL_PORTAL_COOKIE; apart from the
 * dashboard's and refused by every other agency's portal) sets user_id,
 * org (the client org), key_org_id and csrf when present. AUTH_PORTAL
 * requires it: without one a GET goes to the portal's log-in page, and a
 * POST must carry the session's CSRF token in the field "csrf". Public
 * portal forms check their own pre-session token (web/portal_auth.c). */
enum route_auth {
	AUTH_NONE,
	AUTH_API_KEY,
	/* AUTH_API_KEY, and the acting org's usage this month read with the key
	 * (req->month_known): GET /api/v1/account in one statement */
	AUTH_API_KEY_MONTH,
	AUTH_ENGINE,
	AUTH_PAGE,
	AUTH_LOGIN,
	AUTH_SESSION,
	AUTH_PORTAL_PUBLIC,
	AUTH_PORTAL
};

struct wl_req;
typedef void (*wl_handler)(struct wl_req *req);
/* Renders the answer to a write: arg is the job argument given to http_submit. */
typedef void (*wl_finish)(struct wl_req *req, void *arg, int rc, const struct wl_error *err);

/* Where a route's handler runs. ROUTE_QUICK: on the server thread that
 * parsed the request, when its reads are index lookups of a few rows (on a
 * networked database every authenticated route still goes to a worker).
 * ROUTE_SCANS: reads whose cost grows with the data (usage summaries, lists,
 * pages that sum or list) and handlers that wait on another service (a
 * Stripe Checkout Session, a VAT-number check, a PDF drawn) run on a worker
 * with the connection suspended, on every database, so a server thread never
 * waits behind them. */
enum route_cost { ROUTE_QUICK, ROUTE_SCANS };

struct route {
	enum http_method method;
	const char *pattern; /* "/api/v1/calls/:id": ":name" matches one segment */
	wl_handler handler;
	enum route_auth auth;
	enum route_cost cost;
};

/* routes.c: the one table of every route. */
extern const struct route wl_routes[];
extern const size_t wl_nroutes;
/* routes.c: the POST routes of that table that take uploads, whose body may
 * be up to app->upload_body_max bytes instead of WL_BODY_MAX (NULL-ended). */
extern const char *const wl_upload_paths[];

struct wl_req {
	struct wl_app *app;
	enum http_method method;
	const char *path;
	char params[WL_PATH_PARAMS][64];
	struct wl_buf body;
	struct store_conn *conn; /* for reads, while the handler runs */
	int64_t now_ms;
	/* AUTH_API_KEY routes: the key, its org and the org acted on */
	char key_id[WL_ID_LEN];
	char key_org_id[WL_ID_LEN];
	struct store_org org;
	bool month_known; /* AUTH_API_KEY_MONTH: org's usage this month */
	int64_t month_usage_seconds;
	/* AUTH_SESSION routes: the user, the session's CSRF token; key_org_id is
	 * the session's org and org the one acted on (?org= switcher) */
	char user_id[WL_ID_LEN];
	char csrf[64];
	bool html; /* errors answer as an HTML page */
	/* AUTH_PORTAL*: the portal's settings; portal_base prefixes the portal's
	 * links as the browser sees them ("" on a portal host, else "/p/{slug}") */
	struct store_whitelabel *portal;
	char portal_base[80];
	bool portal_moved;    /* the slug is a former one: redirected */
	bool via_portal_host; /* the path was rewritten from a portal host */
	/* the answer */
	int status;
	struct wl_buf out;
	const char *content_type;
	struct http_private *priv; /* server.c's own state */
};

/* Query parameter or copied request header; NULL when absent. */
const char *http_query(struct wl_req *req, const char *name);
const char *http_header(struct wl_req *req, const char *name);
void *http_alloc(struct wl_req *req, size_t n);
/* Gives req->conn back to the pool before the handler ends (before slow
 * work such as password hashing); req->conn is NULL afterwards. */
void http_release_conn(struct wl_req *req);

/* req->out holds a JSON document: send it with this status. */
void http_reply_json(struct wl_req *req, int status);
/* The contract's error body, from err (status from its code). */
void http_reply_error(struct wl_req *req, const struct wl_error *err);
void http_reply_fail(struct wl_req *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* req->out holds an HTML page: send it with the page security headers
 * (CSP, X-Frame-Options, Referrer-Policy). */
void http_reply_html(struct wl_req *req, int status);
/* 303 See Other to location (a path on this site). */
void http_redirect(struct wl_req *req, const char *location);
/* req->out holds a static file: send it with this type, cacheable. */
void http_reply_static(struct wl_req *req, const char *content_type);
/* req->out holds a document of this type (a PDF): send it, not cached. */
void http_reply_document(struct wl_req *req, const char *content_type);
/* Answers with `len` bytes of `data` (malloc'ed; the server frees it) as
 * content_type: for bodies larger than a page, such as a download. */
void http_reply_bytes(struct wl_req *req, int status, const char *content_type, char *data,
		      size_t len);
/* A body made while it is sent, a piece at a time: req->out (what the
 * handler wrote already) first, then next(c, state, out, &done, err) on a
 * worker with a read connection of its own, each time the piece before is
 * sent, until *done. A failing piece cuts the body (the connection is
 * closed). The server calls free(state) once, whatever happens. */
struct http_stream_source {
	int (*next)(struct store_conn *c, void *state, struct wl_buf *out, bool *done,
		    struct wl_error *err);
	void (*free)(void *state);
	void *state;
};
void http_reply_stream(struct wl_req *req, int status, const char *content_type,
		       const struct http_stream_source *src);
/* Adds a response header (at most 4 per response; copied). */
void http_add_header(struct wl_req *req, const char *name, const char *value);
/* Set-Cookie name=value (HttpOnly, SameSite=Lax, Path=/, Secure over
 * https); max_age_s 0 deletes the cookie. */
void http_set_cookie(struct wl_req *req, const char *name, const char *value, long max_age_s);
/* Whether the browser reached us over https: always on a base domain other
 * than localhost (served behind a TLS proxy, as the portal URLs say), else
 * only when a trusted proxy (WLPORTAL_TRUST_PROXY=1) says X-Forwarded-Proto:
 * https. */
bool http_is_https(struct wl_req *req);
/* The name of cookie `name` for this request: "__Host-{name}" over https
 * (Secure, Path=/, no Domain: no other host can set or see it), else name. */
const char *http_cookie_name(struct wl_req *req, const char *name);
/* Whether Host names the platform itself (WLPORTAL_BASE_DOMAIN, portal.{base},
 * or the listen address), not a portal host or an agency's domain. */
bool http_platform_host(struct wl_req *req);
/* A field of the urlencoded request body (parsed on first use); NULL when
 * absent or when the body is not a well-formed form. */
const char *http_form(struct wl_req *req, const char *name);
/* Wipes the request body and the parsed form (they may hold secrets). */
void http_form_wipe(struct wl_req *req);
/* The client's IP address as text. */
void http_client_addr(struct wl_req *req, char *out, size_t n);
/* Who is asking, for the audit trail: the API key, else the dashboard's or
 * portal's user, with the client's address. */
struct trail_actor;
void http_actor(struct wl_req *req, struct trail_actor *out);

/* Queues a write job; finish(req, arg, rc, err) runs after its durable outcome.
 * A finish runs on a server thread and never queries the database: what it
 * renders comes from the job's argument. */
void http_submit(struct wl_req *req, int (*run)(struct store_conn *, void *, struct wl_error *),
		 void *arg, wl_finish finish);
/* After http_submit: when the job is refused, reads(c, arg) runs in the
 * writer's transaction once the job's savepoint is undone, and keeps in arg
 * what the finish needs to render the refusal (a whole page again). */
void http_on_refusal(struct wl_req *req, void (*reads)(struct store_conn *c, void *arg));

/* Runs work(req, arg) on a worker thread, where it may block (DNS, password
 * hashing, outbound HTTP) and has its own read connection in req->conn. It
 * answers with http_reply_* or queues a write with http_submit. */
void http_offload(struct wl_req *req, void (*work)(struct wl_req *req, void *arg), void *arg);

/* Inside offloaded work (http_offload): the request stays suspended after
 * the work returns, for an answer that comes later from another thread
 * (a webhook's). start(req, arg) runs once the work has given back its
 * read connection, as the very last touch of this thread; from then on
 * whoever start hands the request to answers it (http_reply_*) and then
 * calls http_resume. No thread waits meanwhile. */
void http_detach(struct wl_req *req, void (*start)(struct wl_req *req, void *arg), void *arg);
void http_resume(struct wl_req *req);

/* The agency whose rows the queued write locks first, when the request
 * has no org of its own (the engine API); see services/writer.h. */
void http_job_order(struct wl_req *req, const char *agency_id);
/* The org and the call the queued write locks after its agency, so the
 * writer can lock them with the rest of its batch (services/writer.h). */
void http_job_locks(struct wl_req *req, const char *org_id, const char *call_id);

/* Renders an error page in the site's look into req->out and answers. The
 * server calls it for every error of an HTML request (page routes, unknown
 * paths a browser asked for); it is given at start so that src/http knows
 * nothing of the pages above it. */
typedef void (*http_error_page_fn)(struct wl_req *req, int status, const char *title,
				   const char *message);

struct http_server;
/* error_page may be NULL: errors then answer as JSON everywhere. */
struct http_server *http_start(struct wl_app *app, const char *listen, int threads,
			       http_error_page_fn error_page, struct wl_error *err);
uint16_t http_port(struct http_server *s);
/* Stops accepting connections, answers new requests 503, and waits (up to
 * 60 s) for requests suspended on a worker or the writer to be answered. */
void http_quiesce(struct http_server *s);
/* Closes every connection and frees the server. Call http_quiesce first; a
 * request still suspended after it keeps the daemon running (it is left to
 * the process's exit rather than stopped under that request): false then,
 * and whatever its requests use (the pages) must stay. */
bool http_stop(struct http_server *s);

/* metrics_http.c: GET /metrics (Prometheus text) on a listener of its own,
 * "HOST:PORT" (port 0: any free one, see metrics_http_port). */
struct metrics_server;
struct metrics_server *metrics_http_start(struct wl_app *app, const char *listen,
					  struct wl_error *err);
uint16_t metrics_http_port(struct metrics_server *s);
void metrics_http_stop(struct metrics_server *s);

#endif
