/*
 * webhook_client.c — one signed POST through the SSRF guard (see
 * webhook_client.h): parse the URL, resolve once and check every address,
 * pin the connection to them, check again as the socket opens, read the
 * first bytes of the answer.
 */
#include "services/webhook_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/timeutil.h"
#include "core/webhook.h"

#define RESOLVE_MAX 1200

struct webhook_transfer {
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *resolve;
	struct webhook_attempt *a;
	int64_t t0;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct webhook_attempt *a = arg;
	size_t len = size * n, room = a->answer_cap - a->answer_len;

	memcpy(a->answer + a->answer_len, p, len < room ? len : room);
	a->answer_len += len < room ? len : room;
	return len; /* the rest is read and dropped; the time-out bounds it */
}

/* Checked again as the socket opens: the pinned address is the one used. */
static curl_socket_t
on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct webhook_attempt *a = arg;

	(void)purpose;
	if (!a->allow_private && !wl_addr_public(&addr->addr)) {
		snprintf(a->error, sizeof(a->error), "refused to connect to a private address");
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* Resolves host once and checks every address; fills "host:port:a,b" for
 * CURLOPT_RESOLVE. WL_EINVALID (not retried soon) when refused. */
static int
resolve_checked(struct webhook_attempt *a, const char *host, const char *port, char *pin,
		size_t pinsz)
{
	struct addrinfo hints, *res = NULL, *ai;
	char name[256], text[INET6_ADDRSTRLEN];
	size_t used, hl = strlen(host);
	int rc;

	if (hl >= sizeof(name))
		return snprintf(a->error, sizeof(a->error), "host name too long"), WL_EINVALID;
	/* an IPv6 literal comes in brackets */
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']')
		snprintf(name, sizeof(name), "%.*s", (int)(hl - 2), host + 1);
	else
		snprintf(name, sizeof(name), "%s", host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(name, port, &hints, &res)) != 0) {
		snprintf(a->error, sizeof(a->error), "cannot resolve %.200s: %s", name,
			 gai_strerror(rc));
		return WL_EUNAVAILABLE;
	}
	used = (size_t)snprintf(pin, pinsz, "%s:%s:", host, port);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		const void *bin =
			ai->ai_family == AF_INET6
				? (const void *)&((struct sockaddr_in6 *)(void *)ai->ai_addr)
					  ->sin6_addr
				: (const void *)&((struct sockaddr_in *)(void *)ai->ai_addr)
					  ->sin_addr;

		inet_ntop(ai->ai_family, bin, text, sizeof(text));
		if (!a->allow_private && !wl_addr_public(ai->ai_addr)) {
			snprintf(a->error, sizeof(a->error),
				 "refused: %.80s resolves to %s, a private, loopback or "
				 "link-local address (WLPORTAL_WEBHOOK_ALLOW_PRIVATE=1 allows it)",
				 name, text);
			freeaddrinfo(res);
			return WL_EINVALID;
		}
		if (used < pinsz)
			used += (size_t)snprintf(pin + used, pinsz - used,
						 ai->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
						 ai == res ? "" : ",", text);
	}
	freeaddrinfo(res);
	if (used >= pinsz)
		return snprintf(a->error, sizeof(a->error), "too many addresses"), WL_EINVALID;
	return WL_OK;
}

static struct curl_slist *
headers_for(const struct webhook_request *in)
{
	struct curl_slist *h = NULL, *t;
	char line[WL_WEBHOOK_SIG_HEADER_MAX + 64];
	const char *fixed[] = { "Content-Type: application/json", "Expect:", NULL };
	size_t i;

	for (i = 0; fixed[i] != NULL; i++)
		if ((t = curl_slist_append(h, fixed[i])) != NULL)
			h = t;
#define ADD(...) \
	do { \
		snprintf(line, sizeof(line), __VA_ARGS__); \
		if ((t = curl_slist_append(h, line)) != NULL) \
			h = t; \
	} while (0)
	ADD("X-Webhook-Event: %s", in->event);
	ADD("X-Webhook-Timestamp: %lld", (long long)in->ts);
	ADD("X-Webhook-Signature: %s", in->signature);
	ADD("X-Webhook-Delivery-Id: %s", in->delivery_id);
	ADD("X-Webhook-Attempt: %lld", (long long)in->attempt);
#undef ADD
	return h;
}

/* The URL's parts, checked; WL_OK and the CURLOPT_RESOLVE line in pin. */
static int
check_url(const char *url, struct webhook_attempt *a, char *pin, size_t pinsz)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	CURLU *u = curl_url();
	int rc = WL_EINVALID;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		snprintf(a->error, sizeof(a->error), "the URL cannot be parsed");
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		snprintf(a->error, sizeof(a->error), "only http and https URLs are allowed");
	else
		rc = resolve_checked(a, host, port, pin, pinsz);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

struct webhook_transfer *
webhook_transfer_new(const struct webhook_request *in, struct webhook_attempt *a, int *rc)
{
	struct webhook_transfer *t;
	char pin[RESOLVE_MAX];
	CURL *c;

	a->status = 0;
	a->answer_len = 0;
	a->timed_out = false;
	a->error[0] = '\0';
	if ((*rc = check_url(in->url, a, pin, sizeof(pin))) != WL_OK)
		return NULL;
	*rc = WL_EUNAVAILABLE;
	if ((t = calloc(1, sizeof(*t))) == NULL || (t->easy = c = curl_easy_init()) == NULL ||
	    (t->resolve = curl_slist_append(NULL, pin)) == NULL) {
		snprintf(a->error, sizeof(a->error), "out of memory");
		webhook_transfer_free(t);
		return NULL;
	}
	t->a = a;
	t->t0 = wl_now_ms();
	t->headers = headers_for(in);
	curl_easy_setopt(c, CURLOPT_URL, in->url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, t->resolve);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, a);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wlportal-webhooks/1");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, in->timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, in->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(in->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	*rc = WL_OK;
	return t;
}

CURL *
webhook_transfer_easy(struct webhook_transfer *t)
{
	return t->easy;
}

int
webhook_transfer_outcome(struct webhook_transfer *t, CURLcode cc)
{
	struct webhook_attempt *a = t->a;
	int rc = WL_EUNAVAILABLE;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &a->status);
	if (cc != CURLE_OK) {
		a->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		if (a->error[0] == '\0')
			snprintf(a->error, sizeof(a->error), "%s", curl_easy_strerror(cc));
	} else if (a->status >= 200 && a->status < 300) {
		rc = WL_OK;
	} else {
		snprintf(a->error, sizeof(a->error), "HTTP %ld", a->status);
	}
	a->duration_ms = wl_now_ms() - t->t0;
	return rc;
}

void
webhook_transfer_free(struct webhook_transfer *t)
{
	if (t == NULL)
		return;
	curl_slist_free_all(t->headers);
	curl_slist_free_all(t->resolve);
	curl_easy_cleanup(t->easy);
	free(t);
}

int
webhook_post(const struct webhook_request *in, struct webhook_attempt *a)
{
	int64_t t0 = wl_now_ms();
	int rc;
	struct webhook_transfer *t = webhook_transfer_new(in, a, &rc);

	if (t == NULL) {
		a->duration_ms = wl_now_ms() - t0;
		return rc;
	}
	rc = webhook_transfer_outcome(t, curl_easy_perform(t->easy));
	webhook_transfer_free(t);
	return rc;
}
