/*
 * callbacks.c — libmicrohttpd's callbacks for a request (the daemon itself
 * is daemon.c's): the body limit, the request's state from its first call to
 * its completion, and handing a complete request to http_dispatch
 * (server.c).
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
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

/* The most body a request may carry: uploads (wl_upload_paths) more than
 * the rest. */
static size_t
body_limit(struct http_server *s, const char *method, const char *url)
{
	char params[WL_PATH_PARAMS][HTTP_PARAM_MAX];
	size_t i;

	if (strcmp(method, "POST") != 0 || s->app->upload_body_max <= WL_BODY_MAX)
		return WL_BODY_MAX;
	for (i = 0; wl_upload_paths[i] != NULL; i++)
		if (http_path_match(wl_upload_paths[i], url, params))
			return s->app->upload_body_max;
	return WL_BODY_MAX;
}

/* The body the head announces, for its deadline: Content-Length, or the
 * most we accept when it comes chunked. */
static uint64_t
announced_body(struct MHD_Connection *conn, size_t max)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
	uint64_t n;

	if (te != NULL)
		return max;
	if (cl == NULL)
		return 0;
	n = strtoull(cl, NULL, 10);
	return n > max ? max : n;
}

/* A request and its private state: one block. */
struct req_block {
	struct wl_req req;
	struct http_private priv;
};

/* Each server thread keeps the block of its last finished request for its
 * next one: a block is larger than what malloc hands out quickly, and a
 * thread's requests follow one another. The block is made ready exactly as
 * a new one (req_new); the thread's exit frees it. Under AddressSanitizer
 * a kept block is poisoned, so a touch of a finished request still shows. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define KEEP_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define KEEP_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define KEEP_POISON(p, n) ((void)(p), (void)(n))
#define KEEP_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static pthread_key_t spare_key;
static bool spare_ok;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void
spare_drop(void *blk)
{
	KEEP_UNPOISON(blk, sizeof(struct req_block));
	free(blk);
}

static void
spare_init(void)
{
	spare_ok = pthread_key_create(&spare_key, spare_drop) == 0;
}

static struct req_block *
block_take(void)
{
	struct req_block *blk;

	pthread_once(&spare_once, spare_init);
	if (spare_ok && (blk = pthread_getspecific(spare_key)) != NULL) {
		(void)pthread_setspecific(spare_key, NULL);
		KEEP_UNPOISON(blk, sizeof(*blk));
		return blk;
	}
	return malloc(sizeof(*blk));
}

static void
block_give(struct req_block *blk)
{
	if (spare_ok && pthread_getspecific(spare_key) == NULL &&
	    pthread_setspecific(spare_key, blk) == 0) {
		KEEP_POISON(blk, sizeof(*blk));
		return;
	}
	free(blk);
}

static void
req_free(struct wl_req *req)
{
	struct http_private *p = req->priv;
	struct chunk *c, *next;

	/* Copied headers (Authorization, Cookie, Stripe-Signature) live in
	 * the arena and the chunks: gone with the request, not left in the
	 * block the thread keeps for its next one. */
	sodium_memzero(p->arena, p->arena_used);
	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		sodium_memzero(c->data, c->used);
		free(c);
	}
	if (p->form != NULL) {
		wl_form_free(p->form);
		free(p->form);
	}
	free(p->preauth);
	free(p->job);
	/* The body may have carried a password or a Stripe secret (an
	 * upload's bytes are a client's document, not a secret). */
	if (req->body.p != NULL && p->body_max == WL_BODY_MAX)
		sodium_memzero(req->body.p, req->body.cap);
	free(p->raw_body);
	http_stream_discard(p);
	wl_buf_free(&req->body);
	wl_buf_free(&req->out);
	block_give((struct req_block *)(void *)req); /* req and p: one block (req_new) */
}

static struct wl_req *
req_new(struct http_server *s, struct MHD_Connection *conn, const char *url, const char *method,
	const char *version)
{
	struct req_block *blk = block_take();
	struct wl_req *req;
	struct http_private *p;
	size_t n = strlen(url);

	if (blk == NULL)
		return NULL;
	/* What http_int.h says is written before it is read stays as it is. */
	memset(&blk->req, 0, sizeof(blk->req));
	memset(&blk->priv, 0, offsetof(struct http_private, bad_message));
	req = &blk->req;
	p = &blk->priv;
	req->priv = p;
	req->app = s->app;
	p->mhd = conn;
	p->server = s;
	p->state = RS_READING;
	req->method = http_parse_method(method);
	p->start_us = wl_monotonic_us();
	p->route = -1;
	p->track = conns_of(conn);
	p->body_max = body_limit(s, method, url);
	conns_head_done(s, p->track, announced_body(conn, p->body_max));
	if (!conns_url_ok(p->track, version))
		http_mark_bad(req, "The URL holds a NUL byte");
	else if (!conns_headers_ok(conn, method, version))
		http_mark_bad(req, "A header holds a NUL byte");
	if (n > PATH_MAX_LEN) {
		http_mark_bad(req, "The URL is too long");
		n = 0;
	}
	assert(n <= PATH_MAX_LEN);
	wl_buf_init(&req->body, p->body_max);
	wl_buf_init(&req->out, WL_RESPONSE_MAX);
	if ((p->path = http_alloc(req, n + 1)) == NULL) {
		req_free(req);
		return NULL;
	}
	memcpy(p->path, url, n); /* http_alloc's bytes are zeroed: NUL-ended */
	req->path = p->path;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, http_copy_query, req);
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, http_copy_header, req);
	http_request_id(req);
	return req;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct wl_req *req = *con_cls;
	struct http_private *p;

	if (req == NULL) {
		const char *cl;

		req = req_new(s, conn, url, method, version);
		if (req == NULL)
			return MHD_NO;
		*con_cls = req;
		wl_log_request(req->priv->request_id);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > req->priv->body_max) {
			/* Answer before reading: MHD closes the connection after. */
			req->priv->too_large = true;
			(void)http_dispatch(req); /* refused at once: never handed off */
			return http_queue_answer(req);
		}
		return MHD_YES;
	}
	p = req->priv;
	wl_log_request(p->request_id);
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
		if (http_dispatch(req))
			return MHD_YES; /* suspended; resumed by the writer or a worker */
		return http_queue_answer(req);
	case RS_FINISH:
		assert(p->suspended && p->job_pending && p->finish != NULL);
		p->suspended = false;
		atomic_fetch_sub(&p->server->in_flight, 1);
		p->state = RS_DISPATCHED;
		/* A finish renders from its job's argument: no queries here. */
		store_forbid_acquire(true);
		p->finish(req, p->job->job.arg, p->job->job.rc, &p->job->job.err);
		store_forbid_acquire(false);
		if (p->state != RS_DONE)
			http_reply_fail(req, WL_EINTERNAL, "finish gave no answer");
		return http_queue_answer(req);
	case RS_DONE:
		if (p->suspended) {
			/* Resumed after an offloaded read-only handler. */
			p->suspended = false;
			atomic_fetch_sub(&p->server->in_flight, 1);
			return http_queue_answer(req);
		}
		return MHD_YES;
	default: return MHD_YES;
	}
}

/* Every log line written while this thread works on the request names it. */
enum MHD_Result
http_on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		const char *version, const char *upload_data, size_t *upload_data_size,
		void **con_cls)
{
	enum MHD_Result ret =
		on_request(cls, conn, url, method, version, upload_data, upload_data_size, con_cls);

	wl_log_request(NULL);
	return ret;
}

void
http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		  enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct wl_req *req = *con_cls;

	(void)toe;
	/* The next request on this connection gets its deadlines afresh. */
	conns_idle(conns_of(conn));
	if (req == NULL)
		return;
	/* A client that went away while its request was suspended: after the
	 * resume libmicrohttpd ends the request without calling us again. */
	if (req->priv->suspended)
		atomic_fetch_sub(&s->in_flight, 1);
	req_free(req);
	*con_cls = NULL;
}
