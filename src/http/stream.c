/*
 * stream.c — answers whose body is made while it is sent (http_reply_stream):
 * a download too large to hold, made a piece at a time.
 *
 * libmicrohttpd asks for the body through a content reader on the
 * connection's server thread. That thread never queries the database: when
 * the piece in hand is sent, the reader suspends the connection and hands
 * the next piece to a worker, which reads it with a read connection of its
 * own, gives that back and resumes the connection as its very last touch.
 * No thread waits on the client: a slow reader holds one piece (about a
 * page of rows) and no database connection. A piece that fails ends the
 * body with an error (libmicrohttpd then closes the connection, so the
 * client sees a cut chunked body, never a short file that looks whole).
 *
 * A suspended stream counts in in_flight like any suspended request, so a
 * stopping server waits for it; a stopping server cuts streams at their
 * next piece.
 */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "services/workers.h"

/* The largest piece a source may append at once. */
#define STREAM_PIECE_MAX (4 * 1024 * 1024)

struct http_stream {
	struct http_server *server;
	struct MHD_Connection *mhd;
	struct wl_app *app;
	struct http_stream_source src;
	struct wl_buf piece;
	size_t sent; /* bytes of piece already handed to libmicrohttpd */
	bool done, failed;
	bool suspended; /* counted in server->in_flight */
	char request_id[WL_REQUEST_ID_MAX + 1];
};

void
http_reply_stream(struct wl_req *req, int status, const char *content_type,
		  const struct http_stream_source *src)
{
	struct http_private *p = req->priv;
	struct http_stream *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		src->free(src->state);
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	s->server = p->server;
	s->mhd = p->mhd;
	s->app = req->app;
	s->src = *src;
	/* What the handler made already is the first piece. */
	s->piece = req->out;
	wl_buf_init(&req->out, WL_RESPONSE_MAX);
	if (s->piece.max < STREAM_PIECE_MAX)
		s->piece.max = STREAM_PIECE_MAX;
	memcpy(s->request_id, p->request_id, sizeof(s->request_id));
	free(p->stream);
	p->stream = s;
	req->status = status;
	req->content_type = content_type;
	p->state = RS_DONE;
}

/* On a worker: the next piece, then the connection resumed. */
static void
fill(void *arg)
{
	struct http_stream *s = arg;
	struct store_conn *c;
	struct wl_error err;

	wl_log_request(s->request_id);
	wl_error_clear(&err);
	wl_buf_reset(&s->piece);
	s->sent = 0;
	c = store_acquire(s->app->store, &err);
	if (c == NULL) {
		s->failed = true;
	} else {
		if (s->src.next(c, s->src.state, &s->piece, &s->done, &err) != WL_OK ||
		    !wl_buf_ok(&s->piece))
			s->failed = true;
		store_release(c);
	}
	if (s->failed)
		wl_log("stream cut: %s", err.message[0] ? err.message : "piece too large");
	wl_log_request(NULL);
	MHD_resume_connection(s->mhd); /* the last touch: s may be gone after it */
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *s = cls;
	size_t n;

	(void)pos;
	if (s->suspended) {
		s->suspended = false;
		atomic_fetch_sub(&s->server->in_flight, 1);
	}
	if (s->sent < s->piece.len) {
		n = s->piece.len - s->sent;
		if (n > max)
			n = max;
		memcpy(buf, s->piece.p + s->sent, n);
		s->sent += n;
		return (ssize_t)n;
	}
	if (s->failed || (!s->done && atomic_load(&s->server->stopping)))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (s->done)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Suspended before the worker may resume it. */
	s->suspended = true;
	atomic_fetch_add(&s->server->in_flight, 1);
	MHD_suspend_connection(s->mhd);
	if (workers_submit(s->app->workers, fill, s) != WL_OK) {
		s->failed = true;
		MHD_resume_connection(s->mhd);
	}
	return 0; /* called again once resumed */
}

static void
stream_free(void *cls)
{
	struct http_stream *s = cls;

	/* Resumed, then the client went away before the next read. */
	if (s->suspended)
		atomic_fetch_sub(&s->server->in_flight, 1);
	s->src.free(s->src.state);
	wl_buf_free(&s->piece);
	free(s);
}

struct MHD_Response *
http_stream_response(struct wl_req *req)
{
	struct http_stream *s = req->priv->stream;
	struct MHD_Response *resp;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s,
						 stream_free);
	if (resp != NULL)
		req->priv->stream = NULL; /* libmicrohttpd owns it now */
	return resp;
}

void
http_stream_discard(struct http_private *p)
{
	if (p->stream != NULL)
		stream_free(p->stream);
	p->stream = NULL;
}
