/*
 * answer.c — building a request's answer (JSON, HTML, errors, raw bytes,
 * redirects, cookies, extra headers) and queuing it to libmicrohttpd in one
 * place, with its access-log line and its figures for /metrics. Reading the
 * request is request.c's; its life and routing are server.c's.
 */
#include "http/http.h"

#include <assert.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "http/http_int.h"
#include "metrics.h"

/* The access log line and the request's figures for /metrics. */
static void
account_answer(struct wl_req *req, size_t bytes)
{
	struct http_private *p = req->priv;
	uint64_t took = wl_monotonic_us() - p->start_us;
	struct wl_access a = {
		.request_id = p->request_id,
		.method = http_method_name(req->method),
		.route = p->route >= 0 ? wl_routes[p->route].pattern : NULL,
		.status = req->status,
		.duration_us = took,
		.org_id = req->org.id[0] != '\0' ? req->org.id : NULL,
		.bytes = bytes,
	};

	metrics_request(p->route, req->status, took);
	wl_log_access(&a);
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

	if (req->html) {
		if (code == WL_EINTERNAL)
			wl_log("%s: internal error: %s", req->path, err->message);
		if (code == WL_EMETHOD)
			req->priv->extra_header_name = "Allow";
		if (req->priv->server->error_page != NULL) {
			req->priv->server->error_page(
				req, wl_error_http_status(code), NULL,
				code == WL_EINTERNAL
					? "Something went wrong on our side. Please try again."
					: err->message);
			return;
		}
	}
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
		wl_log("%s %s: internal error: %s", req->method == HTTP_POST ? "POST" : "request",
		       req->path, err->message);
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

void
http_reply_html(struct wl_req *req, int status)
{
	req->status = status;
	req->content_type = "text/html; charset=utf-8";
	req->priv->page_headers = true;
	req->priv->state = RS_DONE;
}

void
http_reply_static(struct wl_req *req, const char *content_type)
{
	req->status = 200;
	req->content_type = content_type;
	req->priv->cache_control = "public, max-age=300";
	req->priv->state = RS_DONE;
}

void
http_reply_document(struct wl_req *req, const char *content_type)
{
	req->status = 200;
	req->content_type = content_type;
	req->priv->cache_control = "no-store";
	req->priv->state = RS_DONE;
}

void
http_reply_bytes(struct wl_req *req, int status, const char *content_type, char *data, size_t len)
{
	free(req->priv->raw_body);
	req->priv->raw_body = data;
	req->priv->raw_len = len;
	req->status = status;
	req->content_type = content_type;
	req->priv->state = RS_DONE;
}

void
http_add_header(struct wl_req *req, const char *name, const char *value)
{
	struct http_private *p = req->priv;
	size_t n = strlen(value);
	char *copy;

	assert(p->nextra >= 0 && p->nextra <= MAX_EXTRA_HEADERS);
	if (p->nextra >= MAX_EXTRA_HEADERS || (copy = http_alloc(req, n + 1)) == NULL)
		return;
	memcpy(copy, value, n);
	p->extra[p->nextra].name = name;
	p->extra[p->nextra].value = copy;
	p->nextra++;
}

void
http_redirect(struct wl_req *req, const char *location)
{
	wl_buf_reset(&req->out);
	wl_buf_puts(&req->out, "<!doctype html><title>See other</title><a href=\"");
	wl_html_escape(&req->out, location);
	wl_buf_puts(&req->out, "\">Continue</a>\n");
	http_add_header(req, "Location", location);
	http_reply_html(req, 303);
}

void
http_set_cookie(struct wl_req *req, const char *name, const char *value, long max_age_s)
{
	char line[512];

	snprintf(line, sizeof(line), "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name,
		 value, max_age_s, http_is_https(req) ? "; Secure" : "");
	http_add_header(req, "Set-Cookie", line);
}

/* The body as libmicrohttpd takes it: a stream, the raw bytes of
 * http_reply_bytes, or req->out; *len its size (0 for a stream, whose
 * size is not known yet). NULL when memory runs out. */
static struct MHD_Response *
body_response(struct wl_req *req, size_t *len)
{
	struct MHD_Response *resp;
	char *body;

	*len = 0;
	if (req->priv->stream != NULL)
		return http_stream_response(req);
	if (!wl_buf_ok(&req->out)) {
		wl_buf_free(&req->out);
		wl_buf_init(&req->out, WL_RESPONSE_MAX);
		req->status = 500;
		wl_buf_puts(
			&req->out,
			"{\"error\":{\"code\":\"internal_error\",\"message\":\"Response too large\"}}");
	}
	if (req->priv->raw_body != NULL) {
		body = req->priv->raw_body;
		*len = req->priv->raw_len;
		req->priv->raw_body = NULL;
	} else {
		body = wl_buf_steal(&req->out, len);
	}
	if (body == NULL)
		return NULL;
	resp = MHD_create_response_from_buffer(*len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(body);
	return resp;
}

enum MHD_Result
http_queue_answer(struct wl_req *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len;

	resp = body_response(req, &len);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
				req->content_type ? req->content_type : "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Request-Id", req->priv->request_id);
	MHD_add_response_header(resp, "Cache-Control",
				req->priv->cache_control ? req->priv->cache_control : "no-store");
	if (req->priv->extra_header_name != NULL && req->priv->extra_header_value[0] != '\0')
		MHD_add_response_header(resp, req->priv->extra_header_name,
					req->priv->extra_header_value);
	if (req->priv->page_headers) {
		MHD_add_response_header(
			resp, "Content-Security-Policy",
			"default-src 'self'; img-src * data:; style-src 'self' "
			"'unsafe-inline'; script-src 'self'; frame-ancestors 'none'");
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
		MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	}
	for (int i = 0; i < req->priv->nextra; i++)
		MHD_add_response_header(resp, req->priv->extra[i].name, req->priv->extra[i].value);
	if (req->priv->too_large)
		MHD_add_response_header(resp, "Connection", "close");
	ret = MHD_queue_response(req->priv->mhd, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	account_answer(req, len);
	return ret;
}
