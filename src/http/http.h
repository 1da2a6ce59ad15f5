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

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OTHER };
enum route_auth { AUTH_NONE, AUTH_API_KEY, AUTH_ENGINE };

struct wl_req;
typedef void (*wl_handler)(struct wl_req *req);
/* Renders the answer to a write: arg is the job argument given to http_submit. */
typedef void (*wl_finish)(struct wl_req *req, void *arg, int rc, const struct wl_error *err);

struct route {
	enum http_method method;
	const char *pattern;   /* "/api/v1/calls/:id": ":name" matches one segment */
	wl_handler handler;
	enum route_auth auth;
};

/* routes.c: the one table of every route. */
extern const struct route wl_routes[];
extern const size_t wl_nroutes;

struct wl_req {
	struct wl_app *app;
	enum http_method method;
	const char *path;
	char params[WL_PATH_PARAMS][64];
	struct wl_buf body;
	struct store_conn *conn;       /* for reads, while the handler runs */
	int64_t now_ms;
	/* AUTH_API_KEY routes: the key's org and the org acted on */
	char key_org_id[WL_ID_LEN];
	struct store_org org;
	/* the answer */
	int status;
	struct wl_buf out;
	const char *content_type;
	struct http_private *priv;     /* server.c's own state */
};

/* Query parameter or copied request header; NULL when absent. */
const char *http_query(struct wl_req *req, const char *name);
const char *http_header(struct wl_req *req, const char *name);
void *http_alloc(struct wl_req *req, size_t n);

/* req->out holds a JSON document: send it with this status. */
void http_reply_json(struct wl_req *req, int status);
/* The contract's error body, from err (status from its code). */
void http_reply_error(struct wl_req *req, const struct wl_error *err);
void http_reply_fail(struct wl_req *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Queues a write job; finish(req, arg, rc, err) runs after its durable outcome. */
void http_submit(struct wl_req *req, int (*run)(struct store_conn *, void *, struct wl_error *),
		 void *arg, wl_finish finish);

/* Runs work(req, arg) on a worker thread, where it may block (DNS, password
 * hashing, outbound HTTP) and has its own read connection in req->conn. It
 * answers with http_reply_* or queues a write with http_submit. */
void http_offload(struct wl_req *req, void (*work)(struct wl_req *req, void *arg), void *arg);

struct http_server;
struct http_server *http_start(struct wl_app *app, const char *listen, int threads,
			       struct wl_error *err);
uint16_t http_port(struct http_server *s);
/* Stops accepting, lets queued work end, then closes every connection. */
void http_stop(struct http_server *s);

#endif
