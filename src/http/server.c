/*
 * server.c — the libmicrohttpd server: one epoll thread per core, requests
 * read into a bounded body, routed through the one route table, answered
 * from one place.
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
 * query. The write job is handed to the writer as the very last touch of the
 * request, because the writer may resume and complete it at once.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/ids.h"

#define MAX_QUERY 24
#define MAX_HEADERS 12
#define QUERY_VALUE_MAX 1024
#define HEADER_VALUE_MAX 1024
#define PATH_MAX_LEN 2048

enum req_state { RS_READING, RS_DISPATCHED, RS_WAITING, RS_FINISH, RS_DONE };

struct kv {
	const char *name;
	const char *value;
};

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct http_private {
	struct MHD_Connection *mhd;
	struct http_server *server;
	enum req_state state;
	bool suspended;
	bool too_large;
	bool bad_input;
	char bad_message[160];
	struct kv query[MAX_QUERY];
	int nquery;
	struct kv headers[MAX_HEADERS];
	int nheaders;
	struct chunk *chunks;
	/* blocking work for a worker thread */
	void (*offload_fn)(struct wl_req *, void *);
	void *offload_arg;
	/* a queued write */
	struct wl_job job;
	bool job_pending;
	wl_finish finish;
	int job_rc;
	struct wl_error job_err;
	char path[PATH_MAX_LEN + 1];
	const char *extra_header_name;
	char extra_header_value[64];
};

struct http_server {
	struct wl_app *app;
	struct MHD_Daemon *daemon;
	bool offload;   /* dispatch on worker threads (networked database) */
};

/* Request headers a handler may read; the rest are never copied. */
static const char *const wanted_headers[] = {
	"Authorization", "X-Organization-Id", "Idempotency-Key", "Content-Type", "Host",
	"Cookie", "Stripe-Signature", "Origin", "X-Forwarded-Proto", NULL,
};

/* ---- small helpers ------------------------------------------------------ */

void *
http_alloc(struct wl_req *req, size_t n)
{
	struct chunk *c = calloc(1, sizeof(*c) + n);

	if (c == NULL)
		return NULL;
	c->next = req->priv->chunks;
	req->priv->chunks = c;
	return c->data;
}

static char *
dup_bounded(struct wl_req *req, const char *s, size_t n)
{
	char *p = http_alloc(req, n + 1);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static const char *
kv_find(const struct kv *list, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcasecmp(list[i].name, name) == 0)
			return list[i].value;
	return NULL;
}

const char *
http_query(struct wl_req *req, const char *name)
{
	int i;

	/* Query names are case-sensitive. */
	for (i = 0; i < req->priv->nquery; i++)
		if (strcmp(req->priv->query[i].name, name) == 0)
			return req->priv->query[i].value;
	return NULL;
}

const char *
http_header(struct wl_req *req, const char *name)
{
	return kv_find(req->priv->headers, req->priv->nheaders, name);
}

static void
mark_bad(struct wl_req *req, const char *msg)
{
	if (!req->priv->bad_input) {
		req->priv->bad_input = true;
		snprintf(req->priv->bad_message, sizeof(req->priv->bad_message), "%s", msg);
	}
}

static enum MHD_Result
copy_query(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	   const char *value, size_t value_size)
{
	struct wl_req *req = cls;
	struct http_private *p = req->priv;

	(void)kind;
	if (p->nquery >= MAX_QUERY) {
		mark_bad(req, "too many query parameters");
		return MHD_NO;
	}
	if (key_size > 64 || value_size > QUERY_VALUE_MAX || strlen(key) != key_size ||
	    (value != NULL && strlen(value) != value_size) ||
	    !wl_valid_utf8(value != NULL ? value : "", value != NULL ? value_size : 0)) {
		mark_bad(req, "a query parameter is too long or not valid text");
		return MHD_NO;
	}
	p->query[p->nquery].name = dup_bounded(req, key, key_size);
	p->query[p->nquery].value = dup_bounded(req, value != NULL ? value : "",
						value != NULL ? value_size : 0);
	if (p->query[p->nquery].name == NULL || p->query[p->nquery].value == NULL)
		return MHD_NO;
	p->nquery++;
	return MHD_YES;
}

static enum MHD_Result
copy_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	    const char *value, size_t value_size)
{
	struct wl_req *req = cls;
	struct http_private *p = req->priv;
	int i;

	(void)kind;
	(void)key_size;
	for (i = 0; wanted_headers[i] != NULL; i++)
		if (strcasecmp(key, wanted_headers[i]) == 0)
			break;
	if (wanted_headers[i] == NULL || p->nheaders >= MAX_HEADERS)
		return MHD_YES;
	if (kv_find(p->headers, p->nheaders, key) != NULL) {
		mark_bad(req, "a header is repeated");
		return MHD_YES;
	}
	if (value_size > HEADER_VALUE_MAX) {
		mark_bad(req, "a header is too long");
		return MHD_YES;
	}
	p->headers[p->nheaders].name = wanted_headers[i];
	p->headers[p->nheaders].value = dup_bounded(req, value, value_size);
	if (p->headers[p->nheaders].value != NULL)
		p->nheaders++;
	return MHD_YES;
}

static enum http_method
parse_method(const char *m)
{
	if (strcmp(m, "GET") == 0) return HTTP_GET;
	if (strcmp(m, "HEAD") == 0) return HTTP_HEAD;
	if (strcmp(m, "POST") == 0) return HTTP_POST;
	if (strcmp(m, "PUT") == 0) return HTTP_PUT;
	if (strcmp(m, "PATCH") == 0) return HTTP_PATCH;
	if (strcmp(m, "DELETE") == 0) return HTTP_DELETE;
	return HTTP_OTHER;
}

/* ---- answers ------------------------------------------------------------- */

void
http_reply_json(struct wl_req *req, int status)
{
	req->status = status;
	req->content_type = "application/json";
	req->priv->state = RS_DONE;
}

void
http_reply_error(struct wl_req *req, const struct wl_error *err)
{
	int i, code = err->code < 0 ? err->code : WL_EINTERNAL;

	wl_buf_reset(&req->out);
	wl_json_obj_begin(&req->out);
	wl_json_key(&req->out, "error");
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "code", wl_error_code_name(code));
	wl_json_kv_str(&req->out, "message",
		       code == WL_EINTERNAL ? "Internal error" : err->message);
	if (err->nfields > 0) {
		wl_json_key(&req->out, "fields");
		wl_json_obj_begin(&req->out);
		for (i = 0; i < err->nfields; i++)
			wl_json_kv_str(&req->out, err->fields[i].name, err->fields[i].message);
		wl_json_obj_end(&req->out);
	}
	wl_json_obj_end(&req->out);
	wl_json_obj_end(&req->out);
	if (code == WL_EINTERNAL)
		fprintf(stderr, "wlportal: %s %s: internal error: %s\n",
			req->method == HTTP_POST ? "POST" : "request", req->path, err->message);
	if (code == WL_EMETHOD) {
		req->priv->extra_header_name = "Allow";
	}
	http_reply_json(req, wl_error_http_status(code));
}

void
http_reply_fail(struct wl_req *req, int code, const char *fmt, ...)
{
	struct wl_error err;
	va_list ap;

	wl_error_clear(&err);
	err.code = code;
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	http_reply_error(req, &err);
}

static enum MHD_Result
queue_answer(struct wl_req *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len;
	char *body;

	if (!wl_buf_ok(&req->out)) {
		wl_buf_free(&req->out);
		wl_buf_init(&req->out, WL_RESPONSE_MAX);
		req->status = 500;
		wl_buf_puts(&req->out, "{\"error\":{\"code\":\"internal_error\",\"message\":\"Response too large\"}}");
	}
	body = wl_buf_steal(&req->out, &len);
	if (body == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
				req->content_type ? req->content_type : "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (req->priv->extra_header_name != NULL && req->priv->extra_header_value[0] != '\0')
		MHD_add_response_header(resp, req->priv->extra_header_name,
					req->priv->extra_header_value);
	if (req->priv->too_large)
		MHD_add_response_header(resp, "Connection", "close");
	ret = MHD_queue_response(req->priv->mhd, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- routing and dispatch ------------------------------------------------ */

/* Matches path against pattern, capturing ":name" segments. */
static bool
match(const char *pattern, const char *path, char params[WL_PATH_PARAMS][64])
{
	int np = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == ':') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= 64 || np >= WL_PATH_PARAMS)
				return false;
			memcpy(params[np], path, n);
			params[np][n] = '\0';
			np++;
			path += n;
			pattern += strcspn(pattern, "/");
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

static const struct route *
find_route(struct wl_req *req, bool *method_mismatch, char *allow, size_t allow_sz)
{
	const struct route *found = NULL;
	size_t i;
	enum http_method m = req->method == HTTP_HEAD ? HTTP_GET : req->method;

	*method_mismatch = false;
	allow[0] = '\0';
	for (i = 0; i < wl_nroutes; i++) {
		char params[WL_PATH_PARAMS][64];

		if (!match(wl_routes[i].pattern, req->path, params))
			continue;
		if (wl_routes[i].method == m && found == NULL) {
			found = &wl_routes[i];
			memcpy(req->params, params, sizeof(params));
		} else if (wl_routes[i].method != m) {
			static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "" };
			size_t used = strlen(allow);

			*method_mismatch = true;
			snprintf(allow + used, allow_sz - used, "%s%s", used ? ", " : "",
				 names[wl_routes[i].method]);
		}
	}
	if (found != NULL)
		*method_mismatch = false;
	return found;
}

static int
authenticate(struct wl_req *req, enum route_auth auth, struct wl_error *err)
{
	const char *h = http_header(req, "Authorization");
	const char *token;

	if (auth == AUTH_NONE)
		return WL_OK;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED, "Missing bearer token in the Authorization header");
	token = h + 7;
	if (auth == AUTH_ENGINE) {
		if (!ids_token_equal(token, strlen(token), req->app->engine_token,
				     strlen(req->app->engine_token)))
			return wl_fail(err, WL_EUNAUTHORIZED, "Invalid engine token");
		return WL_OK;
	}
	if (accounts_authenticate(req->conn, token, strlen(token), req->key_org_id, err) != WL_OK) {
		if (err->code == WL_EUNAUTHORIZED)
			snprintf(err->message, sizeof(err->message), "Invalid API key");
		return err->code;
	}
	return accounts_acting_org(req->conn, req->key_org_id, http_header(req, "X-Organization-Id"),
				   &req->org, err);
}

/* Runs authentication and the handler with a read connection. May run on a
 * server thread (SQLite) or a worker (PostgreSQL). */
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
	if (authenticate(req, r->auth, &err) != WL_OK)
		http_reply_error(req, &err);
	else
		r->handler(req);
	store_release(req->conn);
	req->conn = NULL;
	if (req->priv->state == RS_DISPATCHED && !req->priv->job_pending &&
	    req->priv->offload_fn == NULL)
		http_reply_fail(req, WL_EINTERNAL, "handler gave no answer");
}

void
http_submit(struct wl_req *req, int (*run)(struct store_conn *, void *, struct wl_error *),
	    void *arg, wl_finish finish)
{
	struct http_private *p = req->priv;

	p->job.run = run;
	p->job.arg = arg;
	p->finish = finish;
	p->job_pending = true;
	p->state = RS_WAITING;
}

void
http_offload(struct wl_req *req, void (*work)(struct wl_req *, void *), void *arg)
{
	req->priv->offload_fn = work;
	req->priv->offload_arg = arg;
	req->priv->state = RS_WAITING;
}

static void
job_done(struct wl_job *job)
{
	struct http_private *p = (struct http_private *)((char *)job - offsetof(struct http_private, job));

	p->job_rc = job->rc;
	p->job_err = job->err;
	p->state = RS_FINISH;
	MHD_resume_connection(p->mhd);
}

/* The last touch of a request before the writer owns it. */
static void
hand_to_writer(struct wl_req *req)
{
	struct http_private *p = req->priv;
	int rc;

	p->job.done = job_done;
	rc = writer_submit(req->app->writer, &p->job);
	if (rc != WL_OK) {
		p->job.rc = rc;
		wl_fail(&p->job.err, WL_EUNAVAILABLE, "The server is busy, try again");
		job_done(&p->job);
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

	if (o->route != NULL)
		run_handler(req, o->route);
	free(o);
	finish_on_worker(req);
}

/* Suspends the request and runs the rest on a worker; false when the pool
 * is full (the request is answered 503 instead). */
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
	MHD_suspend_connection(p->mhd);
	if (workers_submit(req->app->workers, offloaded, o) != WL_OK) {
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

static void
dispatch(struct wl_req *req)
{
	struct http_private *p = req->priv;
	const struct route *r;
	bool mismatch;
	char allow[64];

	p->state = RS_DISPATCHED;
	if (p->too_large) {
		http_reply_fail(req, WL_ETOOLARGE, "The request body is larger than %d bytes", WL_BODY_MAX);
		return;
	}
	if (p->bad_input) {
		http_reply_fail(req, WL_EINVALID, "%s", p->bad_message);
		return;
	}
	r = find_route(req, &mismatch, allow, sizeof(allow));
	if (r == NULL) {
		if (mismatch) {
			snprintf(p->extra_header_value, sizeof(p->extra_header_value), "%s", allow);
			http_reply_fail(req, WL_EMETHOD, "Method not allowed here (allowed: %s)", allow);
		} else {
			http_reply_fail(req, WL_ENOTFOUND, "No such route");
		}
		return;
	}
	if (p->server->offload && r->auth != AUTH_NONE) {
		to_worker(req, r);
		return;
	}
	run_handler(req, r);
	if (p->offload_fn != NULL) {
		to_worker(req, NULL);
		return;
	}
	if (p->job_pending) {
		p->suspended = true;
		MHD_suspend_connection(p->mhd);
		hand_to_writer(req);
	}
}

/* ---- libmicrohttpd callbacks --------------------------------------------- */

static struct wl_req *
req_new(struct http_server *s, struct MHD_Connection *conn, const char *url, const char *method)
{
	struct wl_req *req = calloc(1, sizeof(*req));
	struct http_private *p = calloc(1, sizeof(*p));
	size_t n = strlen(url);

	if (req == NULL || p == NULL) {
		free(req);
		free(p);
		return NULL;
	}
	req->priv = p;
	req->app = s->app;
	p->mhd = conn;
	p->server = s;
	p->state = RS_READING;
	req->method = parse_method(method);
	if (n > PATH_MAX_LEN) {
		mark_bad(req, "The URL is too long");
		n = 0;
	}
	memcpy(p->path, url, n);
	p->path[n] = '\0';
	req->path = p->path;
	wl_buf_init(&req->body, WL_BODY_MAX);
	wl_buf_init(&req->out, WL_RESPONSE_MAX);
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, copy_query, req);
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, copy_header, req);
	return req;
}

static void
req_free(struct wl_req *req)
{
	struct chunk *c, *next;

	for (c = req->priv->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	wl_buf_free(&req->body);
	wl_buf_free(&req->out);
	free(req->priv);
	free(req);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct wl_req *req = *con_cls;
	struct http_private *p;

	(void)version;
	if (req == NULL) {
		const char *cl;

		req = req_new(s, conn, url, method);
		if (req == NULL)
			return MHD_NO;
		*con_cls = req;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > WL_BODY_MAX) {
			/* Answer before reading: MHD closes the connection after. */
			req->priv->too_large = true;
			dispatch(req);
			return queue_answer(req);
		}
		return MHD_YES;
	}
	p = req->priv;
	switch (p->state) {
	case RS_READING:
		if (*upload_data_size > 0) {
			if (!p->too_large) {
				wl_buf_append(&req->body, upload_data, *upload_data_size);
				if (!wl_buf_ok(&req->body)) {
					p->too_large = true;
					wl_buf_free(&req->body);
				}
			}
			*upload_data_size = 0;
			return MHD_YES;
		}
		dispatch(req);
		if (p->state != RS_DONE || p->suspended)
			return MHD_YES; /* suspended; resumed by the writer or a worker */
		return queue_answer(req);
	case RS_FINISH:
		p->suspended = false;
		p->state = RS_DISPATCHED;
		p->finish(req, p->job.arg, p->job_rc, &p->job_err);
		if (p->state != RS_DONE)
			http_reply_fail(req, WL_EINTERNAL, "finish gave no answer");
		return queue_answer(req);
	case RS_DONE:
		if (p->suspended) {
			/* Resumed after an offloaded read-only handler. */
			p->suspended = false;
			return queue_answer(req);
		}
		return MHD_YES;
	default:
		return MHD_YES;
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	if (*con_cls != NULL) {
		req_free(*con_cls);
		*con_cls = NULL;
	}
}

static int
parse_listen(const char *listen, struct sockaddr_in *sa, struct wl_error *err)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long port;
	size_t hn;

	if (colon == NULL)
		return wl_fail(err, WL_EINVALID, "listen address must be HOST:PORT, got '%s'", listen);
	hn = (size_t)(colon - listen);
	if (hn == 0 || hn >= sizeof(host))
		return wl_fail(err, WL_EINVALID, "listen address must be HOST:PORT, got '%s'", listen);
	memcpy(host, listen, hn);
	host[hn] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		return wl_fail(err, WL_EINVALID, "bad port in listen address '%s'", listen);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return wl_fail(err, WL_EINVALID, "listen host must be an IPv4 address, got '%s'", host);
	return WL_OK;
}

struct http_server *
http_start(struct wl_app *app, const char *listen, int threads, struct wl_error *err)
{
	struct http_server *s;
	struct sockaddr_in sa;

	if (parse_listen(listen, &sa, err) != WL_OK)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->app = app;
	s->offload = store_kind(app->store) != STORE_SQLITE;
	if (threads < 1)
		threads = 1;
	s->daemon = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
			MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)900,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)512,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_END);
	if (s->daemon == NULL) {
		free(s);
		wl_fail(err, WL_EINTERNAL, "cannot listen on %s (in use, or not allowed)", listen);
		return NULL;
	}
	return s;
}

uint16_t
http_port(struct http_server *s)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info != NULL ? info->port : 0;
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
