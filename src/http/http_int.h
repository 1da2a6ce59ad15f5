/*
 * http_int.h — what the files of src/http share about a request in
 * flight: its private state and the few helpers both use. Nothing outside
 * src/http includes this.
 */
#ifndef WL_HTTP_INT_H
#define WL_HTTP_INT_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>

#include "core/form.h"
#include "core/token_bucket.h"
#include "http/http.h"
#include "log.h"
#include "services/accounts.h"

#define MAX_QUERY 24
#define MAX_HEADERS 16
#define MAX_EXTRA_HEADERS 8
#define QUERY_VALUE_MAX 1024
#define HEADER_VALUE_MAX 1024
#define PATH_MAX_LEN 2048

enum req_state { RS_READING, RS_DISPATCHED, RS_WAITING, RS_FINISH, RS_DONE };

struct kv {
	const char *name;
	const char *value;
};

/* http_alloc's memory: blocks carved in order from the request's own
 * bytes (http_private.arena), then from chunks, each freed with the
 * request. */
struct chunk {
	struct chunk *next;
	size_t used, cap; /* bytes of data given out, and held */
	max_align_t data[];
};

/* keybatch.c: the account reads of a moment in one statement. */
struct keybatch;
struct keybatch *keybatch_start(struct wl_app *app);
int keybatch_submit(struct keybatch *kb, struct wl_req *req, void (*run)(void *), void *arg);
void keybatch_stop(struct keybatch *kb);

/* The key's lookup done for a request (keybatch.c): auth.c takes it once. */
struct http_preauth {
	int rc;
	struct wl_error err;
	struct api_auth auth;
};

/* A request's queued write (server.c): allocated by the first http_submit,
 * http_job_order or http_job_locks; the writer's `done` finds the request
 * through `priv`. */
struct http_job {
	struct wl_job job;
	struct http_private *priv;
};

#define HTTP_ARENA_BYTES 512

/* A request's own state. Only the members before `bad_message` are zeroed
 * when a request starts; the rest are written before they are read (the
 * counts of query, headers and extra say how many entries hold something;
 * bad_message is read only once bad_input is set). The big parts few
 * requests need (the key's lookup of keybatch.c, the write job, the parsed
 * form) are allocated when first used. */
struct http_private {
	struct MHD_Connection *mhd;
	struct http_server *server;
	struct http_preauth *preauth; /* keybatch.c; NULL: none */
	enum req_state state;
	bool suspended;
	bool too_large;
	bool bad_input;
	int nquery;
	int nheaders;
	struct chunk *chunks; /* http_alloc's, newest first */
	size_t arena_used;    /* bytes of arena given out */
	/* blocking work for a worker thread */
	void (*offload_fn)(struct wl_req *, void *);
	void *offload_arg;
	/* a detached wait (http_detach) */
	void (*detach_start)(struct wl_req *, void *);
	void *detach_arg;
	/* a queued write: job is NULL until one is prepared */
	struct http_job *job;
	bool job_pending;
	bool job_failed; /* preparing it ran out of memory: http_submit answers 503 */
	wl_finish finish;
	char *path; /* the request's path (http_alloc'ed) */
	const char *extra_header_name;
	char extra_header_value[64];
	int nextra;
	bool page_headers;
	const char *cache_control;
	bool form_parsed;
	bool form_ok;
	struct wl_form *form;     /* NULL until http_form parses the body */
	struct conn_track *track; /* the connection's deadlines (conns.c) */
	size_t body_max;          /* WL_BODY_MAX, or app->upload_body_max for uploads */
	char *raw_body;           /* http_reply_bytes: sent instead of req->out */
	size_t raw_len;
	struct http_stream *stream; /* http_reply_stream: until the response owns it */
	/* the access log and /metrics: when the head arrived (monotonic µs),
	 * the route matched (index in wl_routes, -1 none), the request id */
	uint64_t start_us;
	long route;
	char request_id[WL_REQUEST_ID_MAX + 1];
	/* ---- not zeroed: written before read (see above) ---- */
	char bad_message[160];
	struct kv query[MAX_QUERY];
	struct kv headers[MAX_HEADERS];
	/* pages: more headers */
	struct kv extra[MAX_EXTRA_HEADERS];
	_Alignas(max_align_t) unsigned char arena[HTTP_ARENA_BYTES];
};

struct http_server {
	struct wl_app *app;
	struct MHD_Daemon *daemon;
	bool offload;                  /* dispatch on worker threads (networked database) */
	atomic_bool stopping;          /* new requests are answered 503 */
	atomic_int in_flight;          /* requests suspended on a worker or the writer */
	struct conn_reaper *reaper;    /* conns.c */
	http_error_page_fn error_page; /* errors of HTML requests; NULL: JSON */
	struct ratelimit *per_key;     /* the API's buckets (ratelimit.c); NULL = off */
	struct ratelimit *per_addr;
	struct keybatch *keys; /* account reads batched (offload only) */
};

void http_mark_bad(struct wl_req *req, const char *msg);
enum MHD_Result http_copy_query(void *cls, enum MHD_ValueKind kind, const char *key,
				size_t key_size, const char *value, size_t value_size);
enum MHD_Result http_copy_header(void *cls, enum MHD_ValueKind kind, const char *key,
				 size_t key_size, const char *value, size_t value_size);
enum http_method http_parse_method(const char *m);
const char *http_method_name(enum http_method m);
/* request.c: the request's id (its valid X-Request-Id, else a new one). */
void http_request_id(struct wl_req *req);
enum MHD_Result http_queue_answer(struct wl_req *req);
/* stream.c: the response of a streamed answer (it then owns the
 * stream), and the stream of an answer never sent. */
struct MHD_Response *http_stream_response(struct wl_req *req);
void http_stream_discard(struct http_private *p);
/* server.c: libmicrohttpd's access handler and request-completed hook. */
/* server.c: routes a complete request and runs its handler; true when it
 * was handed to the writer or a worker (then another thread owns it). */
bool http_dispatch(struct wl_req *req);

enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *upload_data,
				size_t *upload_data_size, void **con_cls);
void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		       enum MHD_RequestTerminationCode toe);

/* conns.c: every connection's request deadlines and the reaper that
 * enforces them; NUL bytes in the request line; the descriptor budget. */
struct conn_track;
struct conn_reaper;
int conns_start(struct http_server *s, unsigned header_timeout_s, struct wl_error *err);
void conns_stop(struct http_server *s);
void conns_free(struct http_server *s);
void conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		  enum MHD_ConnectionNotificationCode code);
struct conn_track *conns_of(struct MHD_Connection *c);
/* The head is complete: the body (of body_bytes) now has its deadline. */
void conns_head_done(struct http_server *s, struct conn_track *t, uint64_t body_bytes);
void conns_busy(struct conn_track *t);
void conns_idle(struct conn_track *t);
void *conns_uri_seen(void *cls, const char *uri, struct MHD_Connection *c);
size_t conns_unescape(void *cls, struct MHD_Connection *c, char *s);
/* false when the request's path or query held a NUL byte (raw or %00). */
bool conns_url_ok(struct conn_track *t, const char *version);
/* false when a header value held a raw NUL byte. */
bool conns_headers_ok(struct MHD_Connection *c, const char *method, const char *version);
/* Raises RLIMIT_NOFILE to its hard limit; how many of `want` connections
 * the descriptors allow. Logs one line with the figures. */
unsigned conns_fd_budget(unsigned want, unsigned per_ip, unsigned header_timeout_s);

/* daemon.c: "HOST:PORT" (an IPv4 address or localhost) as a socket address. */
struct sockaddr_in;
int http_parse_listen(const char *listen, struct sockaddr_in *sa, struct wl_error *err);

/* auth.c: the route's authentication (fills the request's key org, org,
 * user and CSRF token); WL_OK for routes without any. */
int http_authenticate(struct wl_req *req, enum route_auth auth, struct wl_error *err);

/* ratelimit.c: token buckets by name (an API key's id, an address) in a
 * table of at most `entries` buckets; NULL when the rate is 0 (off). */
struct ratelimit;
struct ratelimit *ratelimit_new(const struct wl_rate *rate, size_t entries);
void ratelimit_free(struct ratelimit *rl);
void ratelimit_take(struct ratelimit *rl, const char *name, int64_t now_ms,
		    struct wl_bucket_verdict *v);
/* Takes a token of `name` from rl (NULL: no limit). Refused: answers 429
 * rate_limited with Retry-After and RateLimit-Limit/-Remaining/-Reset, and
 * returns false. Granted with `headers`: adds the RateLimit-* headers. */
bool http_rate_limit(struct wl_req *req, struct ratelimit *rl, const char *name, bool headers);

/* site.c: the lowercase Host without its port (false if unusable); a POST
 * that another site made the browser send (its Origin is not this scheme
 * and host, "null" included, or without Origin Sec-Fetch-Site is
 * cross-site). */
bool http_request_host(struct wl_req *req, char *out, size_t n);
bool http_foreign_post(struct wl_req *req);

#endif
