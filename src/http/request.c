/*
 * request.c — reading a request: its memory (http_alloc), query, copied
 * headers, method, id, form fields and the client's address. Its answer is
 * answer.c's; its life and routing are server.c's.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/form.h"
#include "core/validate.h"
#include "http/http_int.h"

/* Request headers a handler may read; the rest are never copied. */
#define WANTED(name) \
	{ \
		name, sizeof(name) - 1 \
	}
static const struct {
	const char *name;
	size_t len;
} wanted_headers[] = {
	WANTED("Authorization"),
	WANTED("X-Organization-Id"),
	WANTED("Idempotency-Key"),
	WANTED("Content-Type"),
	WANTED("Host"),
	WANTED("Cookie"),
	WANTED("Stripe-Signature"),
	WANTED("Origin"),
	WANTED("X-Forwarded-Proto"),
	WANTED("X-Forwarded-For"),
	WANTED("Accept"),
	WANTED("Sec-Fetch-Site"),
	WANTED("If-Match"),
	WANTED("X-Request-Id"),
};
#undef WANTED
#define NWANTED (sizeof(wanted_headers) / sizeof(wanted_headers[0]))

/* ---- small helpers ------------------------------------------------------ */

/* Zeroed bytes that live until the request is freed: carved from the
 * request's own arena, then from chunks of CHUNK_BYTES (a larger block gets
 * a chunk of its own). Every block is aligned for any type. */
#define CHUNK_BYTES 4096
#define ALIGN_UP(n) (((n) + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t))

static void *
carve(unsigned char *area, size_t *used, size_t cap, size_t n)
{
	void *at;

	if (cap - *used < n)
		return NULL;
	at = area + *used;
	*used += n;
	memset(at, 0, n);
	return at;
}

void *
http_alloc(struct wl_req *req, size_t n)
{
	struct http_private *p = req->priv;
	struct chunk *c = p->chunks;
	size_t cap;
	void *at;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = ALIGN_UP(n == 0 ? 1 : n);
	if ((at = carve(p->arena, &p->arena_used, sizeof(p->arena), n)) != NULL)
		return at;
	if (c != NULL && (at = carve((unsigned char *)c->data, &c->used, c->cap, n)) != NULL)
		return at;
	cap = n > CHUNK_BYTES / 2 ? n : CHUNK_BYTES;
	if ((c = malloc(sizeof(*c) + cap)) == NULL)
		return NULL;
	c->cap = cap;
	c->used = 0;
	/* A block of its own goes behind the chunk being carved. */
	if (cap == n && p->chunks != NULL) {
		c->next = p->chunks->next;
		p->chunks->next = c;
	} else {
		c->next = p->chunks;
		p->chunks = c;
	}
	return carve((unsigned char *)c->data, &c->used, c->cap, n);
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

void
http_mark_bad(struct wl_req *req, const char *msg)
{
	if (!req->priv->bad_input) {
		req->priv->bad_input = true;
		snprintf(req->priv->bad_message, sizeof(req->priv->bad_message), "%s", msg);
	}
}

enum MHD_Result
http_copy_query(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
		const char *value, size_t value_size)
{
	struct wl_req *req = cls;
	struct http_private *p = req->priv;

	(void)kind;
	assert(p->nquery >= 0 && p->nquery <= MAX_QUERY);
	if (p->nquery >= MAX_QUERY) {
		http_mark_bad(req, "too many query parameters");
		return MHD_NO;
	}
	if (key_size > 64 || value_size > QUERY_VALUE_MAX || strlen(key) != key_size ||
	    (value != NULL && strlen(value) != value_size) ||
	    !wl_valid_utf8(value != NULL ? value : "", value != NULL ? value_size : 0)) {
		http_mark_bad(req, "a query parameter is too long or not valid text");
		return MHD_NO;
	}
	p->query[p->nquery].name = dup_bounded(req, key, key_size);
	p->query[p->nquery].value =
		dup_bounded(req, value != NULL ? value : "", value != NULL ? value_size : 0);
	if (p->query[p->nquery].name == NULL || p->query[p->nquery].value == NULL)
		return MHD_NO;
	p->nquery++;
	return MHD_YES;
}

enum MHD_Result
http_copy_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
		 const char *value, size_t value_size)
{
	struct wl_req *req = cls;
	struct http_private *p = req->priv;
	size_t i;

	(void)kind;
	for (i = 0; i < NWANTED; i++)
		if (key_size == wanted_headers[i].len &&
		    strcasecmp(key, wanted_headers[i].name) == 0)
			break;
	assert(p->nheaders >= 0 && p->nheaders <= MAX_HEADERS);
	if (i == NWANTED || p->nheaders >= MAX_HEADERS)
		return MHD_YES;
	/* A copied header's name is its entry's in wanted_headers: a repeat
	 * (in any case) has the same pointer. */
	for (int j = 0; j < p->nheaders; j++)
		if (p->headers[j].name == wanted_headers[i].name) {
			http_mark_bad(req, "a header is repeated");
			return MHD_YES;
		}
	if (value_size > HEADER_VALUE_MAX) {
		http_mark_bad(req, "a header is too long");
		return MHD_YES;
	}
	p->headers[p->nheaders].name = wanted_headers[i].name;
	p->headers[p->nheaders].value = dup_bounded(req, value, value_size);
	if (p->headers[p->nheaders].value != NULL)
		p->nheaders++;
	return MHD_YES;
}

enum http_method
http_parse_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	if (strcmp(m, "PUT") == 0)
		return HTTP_PUT;
	if (strcmp(m, "PATCH") == 0)
		return HTTP_PATCH;
	if (strcmp(m, "DELETE") == 0)
		return HTTP_DELETE;
	return HTTP_OTHER;
}

const char *
http_method_name(enum http_method m)
{
	switch (m) {
	case HTTP_GET: return "GET";
	case HTTP_HEAD: return "HEAD";
	case HTTP_POST: return "POST";
	case HTTP_PUT: return "PUT";
	case HTTP_PATCH: return "PATCH";
	case HTTP_DELETE: return "DELETE";
	default: return "OTHER";
	}
}

/* A client's X-Request-Id is kept when it is 1 to 64 of A-Z a-z 0-9 . _ : -
 * (nothing that could forge a log line or a header); else a new random one. */
/* 16 bytes no other request id shares and nobody can foresee: the next
 * bytes of a per-thread ChaCha20 key stream under a per-thread random key
 * (one getrandom per thread, one stream block for many ids). */
#define ID_STREAM_BYTES 512

static void
request_id_bytes(unsigned char raw[16])
{
	static _Thread_local struct {
		bool keyed;
		unsigned char key[crypto_stream_chacha20_KEYBYTES];
		uint64_t nonce;
		size_t used;
		unsigned char stream[ID_STREAM_BYTES];
	} g;

	_Static_assert(ID_STREAM_BYTES % 16 == 0, "whole ids in a stream block");
	if (!g.keyed) {
		randombytes_buf(g.key, sizeof(g.key));
		g.keyed = true;
		g.used = sizeof(g.stream);
	}
	if (g.used == sizeof(g.stream)) {
		unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

		_Static_assert(sizeof(nonce) == sizeof(g.nonce), "a counter as the nonce");
		g.nonce++;
		memcpy(nonce, &g.nonce, sizeof(nonce));
		crypto_stream_chacha20(g.stream, sizeof(g.stream), nonce, g.key);
		g.used = 0;
	}
	memcpy(raw, g.stream + g.used, 16);
	g.used += 16;
}

void
http_request_id(struct wl_req *req)
{
	static const char hex[] = "0123456789abcdef";
	const char *given = http_header(req, "X-Request-Id");
	unsigned char raw[16];
	size_t i;

	if (given != NULL && wl_valid_token(given, WL_REQUEST_ID_MAX)) {
		memcpy(req->priv->request_id, given, strlen(given) + 1); /* at most the max */
		return;
	}
	request_id_bytes(raw);
	for (i = 0; i < sizeof(raw); i++) {
		req->priv->request_id[2 * i] = hex[raw[i] >> 4];
		req->priv->request_id[2 * i + 1] = hex[raw[i] & 15];
	}
	req->priv->request_id[2 * sizeof(raw)] = '\0';
}

/* ---- form fields and the client ------------------------------------------ */

const char *
http_form(struct wl_req *req, const char *name)
{
	struct http_private *p = req->priv;

	if (!p->form_parsed) {
		const char *ct = http_header(req, "Content-Type");

		p->form_parsed = true;
		p->form = calloc(1, sizeof(*p->form));
		p->form_ok = p->form != NULL &&
			     (ct == NULL ||
			      strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) &&
			     wl_form_parse(req->body.p != NULL ? req->body.p : "", req->body.len,
					   p->form) == WL_OK;
	}
	return p->form_ok ? wl_form_get(p->form, name) : NULL;
}

void
http_form_wipe(struct wl_req *req)
{
	if (req->body.p != NULL)
		explicit_bzero(req->body.p, req->body.len);
	wl_form_free(req->priv->form); /* NULL when never parsed */
	req->priv->form_ok = false;
	req->priv->form_parsed = true;
}

void
http_client_addr(struct wl_req *req, char *out, size_t n)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(req->priv->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;
	const char *fwd = req->app->trust_proxy ? http_header(req, "X-Forwarded-For") : NULL;

	/* Behind our own proxy every peer is the proxy: the client is the last
	 * address it appended (earlier ones are the client's own claims). */
	if (fwd != NULL && fwd[0] != '\0') {
		const char *last = strrchr(fwd, ',');

		last = last != NULL ? last + 1 : fwd;
		last += strspn(last, " ");
		snprintf(out, n, "%.*s", (int)strcspn(last, " "), last);
		return;
	}
	if (sa != NULL && sa->sa_family == AF_INET &&
	    wl_format_ipv4((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
				   ->sin_addr,
			   out, n))
		return;
	if (sa != NULL && sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		      (socklen_t)n) != NULL)
		return;
	snprintf(out, n, "unknown"); /* neither, or it did not fit */
}
