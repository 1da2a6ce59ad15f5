/*
 * webhook_sender.c — delivering the webhook outbox (see webhook_sender.h):
 * claim, resolve and check the address, POST with the signature headers,
 * settle. Runs on its own threads, never on a server thread.
 */
#include "services/webhook_sender.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "core/webhook.h"
#include "log.h"
#include "services/secrets.h"
#include "services/webhooks.h"

#define CLAIM_MAX 4
#define POLL_MS 200
#define RESOLVE_MAX 1200

int64_t
webhook_retry_delay_ms(int64_t base_ms, int64_t attempts)
{
	int64_t d = base_ms > 0 ? base_ms : 1;
	uint32_t spread;

	while (--attempts > 0 && d < WEBHOOK_RETRY_CAP_MS)
		d *= 2;
	if (d > WEBHOOK_RETRY_CAP_MS)
		d = WEBHOOK_RETRY_CAP_MS;
	/* jitter: 3/4 .. 5/4 of d, so receivers coming back are not hit by
	 * every sender at the same moment */
	spread = (uint32_t)(d / 2 > 0 ? d / 2 : 1);
	return d - d / 4 + (int64_t)randombytes_uniform(spread + 1);
}

/* ---- one HTTP attempt ---------------------------------------------------------------- */

struct attempt {
	bool allow_private;
	long status;
	int64_t duration_ms;
	char error[256];
	char answer[WL_WEBHOOK_RESPONSE_MAX];
	size_t answer_len;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n, room = sizeof(a->answer) - a->answer_len;

	memcpy(a->answer + a->answer_len, p, len < room ? len : room);
	a->answer_len += len < room ? len : room;
	return len; /* the rest is read and dropped; the time-out bounds it */
}

/* Checked again as the socket opens: the pinned address is the one used. */
static curl_socket_t
on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct attempt *a = arg;

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
resolve_checked(struct attempt *a, const char *host, const char *port, char *pin, size_t pinsz)
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

struct send_input {
	const char *url;
	const char *event;
	const char *delivery_id;
	int64_t attempt;
	const char *signature;
	int64_t ts;
	const char *body;
};

static struct curl_slist *
headers_for(const struct send_input *in)
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

/* WL_OK on a 2xx; WL_EUNAVAILABLE to retry; WL_EINVALID when refused. */
static int
post(const struct send_input *in, struct attempt *a)
{
	char *scheme = NULL, *host = NULL, *port = NULL, pin[RESOLVE_MAX];
	struct curl_slist *headers = NULL, *resolve = NULL;
	CURLU *u = curl_url();
	CURL *c = NULL;
	CURLcode cc;
	int64_t t0 = wl_now_ms();
	int rc = WL_EINVALID;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, in->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(a->error, sizeof(a->error), "the URL cannot be parsed");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(a->error, sizeof(a->error), "only http and https URLs are allowed");
		goto out;
	}
	if ((rc = resolve_checked(a, host, port, pin, sizeof(pin))) != WL_OK)
		goto out;
	rc = WL_EUNAVAILABLE;
	if ((c = curl_easy_init()) == NULL || (resolve = curl_slist_append(NULL, pin)) == NULL) {
		snprintf(a->error, sizeof(a->error), "out of memory");
		goto out;
	}
	headers = headers_for(in);
	curl_easy_setopt(c, CURLOPT_URL, in->url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, a);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wlportal-webhooks/1");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WEBHOOK_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, in->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(in->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	if (cc != CURLE_OK) {
		if (a->error[0] == '\0')
			snprintf(a->error, sizeof(a->error), "%s", curl_easy_strerror(cc));
	} else if (a->status >= 200 && a->status < 300) {
		rc = WL_OK;
	} else {
		snprintf(a->error, sizeof(a->error), "HTTP %ld", a->status);
	}
out:
	a->duration_ms = wl_now_ms() - t0;
	curl_slist_free_all(headers);
	curl_slist_free_all(resolve);
	curl_easy_cleanup(c);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* ---- claim, send, settle ----------------------------------------------------------------- */

struct claim_job {
	int64_t now, lease_until;
	struct store_wh_claim rows[CLAIM_MAX];
	int n;
};

static int
claim_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct claim_job *j = arg;

	return store_wh_claim(c, j->now, j->lease_until, CLAIM_MAX, j->rows, &j->n, err);
}

static int
settle_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	const struct store_wh_delivery *d = arg;

	return store_wh_settle(c, d, wl_now_ms(), err);
}

/* "sha256=…" with the current secret, and the previous one while a
 * rotation's overlap lasts. */
static int
sign(const struct wl_app *app, const struct store_wh_endpoint *e, int64_t ts, const char *body,
     char out[WL_WEBHOOK_SIG_HEADER_MAX], struct wl_error *err)
{
	char *secret = NULL, one[7 + WL_WEBHOOK_SIG_HEX + 1];

	if (secrets_open(app->master_key, e->secret_sealed, &secret, err) != WL_OK)
		return err->code;
	wl_webhook_sign(secret, ts, body, strlen(body), out, WL_WEBHOOK_SIG_HEADER_MAX);
	secrets_free(secret);
	if (e->old_secret_sealed[0] == '\0' || e->old_secret_until <= wl_now_ms())
		return WL_OK;
	if (secrets_open(app->master_key, e->old_secret_sealed, &secret, err) != WL_OK)
		return err->code;
	wl_webhook_sign(secret, ts, body, strlen(body), one, sizeof(one));
	secrets_free(secret);
	snprintf(out + strlen(out), WL_WEBHOOK_SIG_HEADER_MAX - strlen(out), ",%s", one);
	return WL_OK;
}

/* Reads the delivery and its endpoint (a read connection, given back
 * before the slow part). */
static int
load(struct wl_app *app, const char *id, struct store_wh_delivery *d, struct store_wh_endpoint *e,
     struct wl_error *err)
{
	struct store_conn *c = store_acquire(app->store, err);
	int rc;

	if (c == NULL)
		return err->code;
	rc = store_wh_delivery_get(c, id, d, err);
	if (rc == WL_OK && (rc = store_wh_get(c, d->endpoint_id, e, err)) != WL_OK) {
		free(d->body);
		d->body = NULL;
	}
	store_release(c);
	return rc;
}

/* What the attempt's outcome writes: delivered, or the next try, or failed
 * once the next try would fall after the retry window. */
static void
outcome(const struct wl_app *app, struct store_wh_delivery *d, const struct attempt *a, int rc)
{
	int64_t now = wl_now_ms(), next;

	d->last_status_code = a->status;
	d->last_duration_ms = a->duration_ms;
	snprintf(d->last_error, sizeof(d->last_error), "%s", rc == WL_OK ? "" : a->error);
	wl_text_sanitize(a->answer, a->answer_len, d->last_response, WL_WEBHOOK_RESPONSE_MAX);
	if (rc == WL_OK) {
		snprintf(d->status, sizeof(d->status), "delivered");
		d->next_attempt_at = now;
		return;
	}
	next = now + webhook_retry_delay_ms(app->webhook_retry_ms, d->attempts);
	if (next > d->retry_until) {
		snprintf(d->status, sizeof(d->status), "failed");
		d->next_attempt_at = now;
	} else {
		snprintf(d->status, sizeof(d->status), "pending");
		d->next_attempt_at = next;
	}
}

static int
deliver(struct wl_app *app, const struct store_wh_claim *cl, struct wl_error *err)
{
	struct store_wh_endpoint e;
	struct store_wh_delivery d;
	struct attempt a;
	struct send_input in;
	char sig[WL_WEBHOOK_SIG_HEADER_MAX];
	int rc = load(app, cl->id, &d, &e, err);

	if (rc == WL_ENOTFOUND)
		return WL_OK; /* its endpoint was deleted meanwhile */
	if (rc != WL_OK)
		return rc;
	memset(&a, 0, sizeof(a));
	a.allow_private = app->webhook_allow_private;
	d.attempts = cl->attempts;
	in = (struct send_input){ e.url, d.event, d.id, cl->attempts, sig, wl_now_ms() / 1000,
				  d.body };
	if (sign(app, &e, in.ts, d.body, sig, err) != WL_OK) {
		snprintf(a.error, sizeof(a.error), "the endpoint's secret cannot be opened");
		rc = WL_EINVALID;
	} else {
		rc = post(&in, &a);
	}
	sodium_memzero(&e, sizeof(e));
	outcome(app, &d, &a, rc);
	if (rc != WL_OK)
		wl_log("webhook delivery %s (%s, attempt %lld) %s: %s", d.id, d.event,
		       (long long)d.attempts,
		       strcmp(d.status, "failed") == 0 ? "failed" : "will retry", a.error);
	free(d.body);
	d.body = NULL;
	wl_error_clear(err);
	return writer_run(app->writer, settle_run, &d, err);
}

/* One pass: claims up to CLAIM_MAX due deliveries and sends them;
 * *claimed = how many. */
static int
pass(struct wl_app *app, int *claimed, struct wl_error *err)
{
	struct claim_job j;
	int i, rc;

	memset(&j, 0, sizeof(j));
	j.now = wl_now_ms();
	j.lease_until = j.now + WEBHOOK_LEASE_MS;
	*claimed = 0;
	if ((rc = writer_run(app->writer, claim_run, &j, err)) != WL_OK)
		return rc;
	*claimed = j.n;
	for (i = 0; i < j.n && rc == WL_OK; i++)
		rc = deliver(app, &j.rows[i], err);
	return rc;
}

/* ---- the threads ------------------------------------------------------------------------- */

struct webhook_sender {
	struct wl_app *app;
	pthread_t threads[WEBHOOK_SENDERS];
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
};

static void *
sender_main(void *arg)
{
	struct webhook_sender *s = arg;
	struct wl_error err;
	struct timespec until;
	int claimed;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		pthread_mutex_unlock(&s->mu);
		wl_error_clear(&err);
		if (pass(s->app, &claimed, &err) != WL_OK)
			wl_log("webhook sender: %s", err.message);
		pthread_mutex_lock(&s->mu);
		if (s->stopping)
			break;
		if (claimed == CLAIM_MAX)
			continue; /* more may be due */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &until);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct webhook_sender *
webhook_sender_start(struct wl_app *app, struct wl_error *err)
{
	struct webhook_sender *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->app = app;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (s->started = 0; s->started < WEBHOOK_SENDERS; s->started++)
		if (pthread_create(&s->threads[s->started], NULL, sender_main, s) != 0)
			break;
	if (s->started == 0) {
		webhook_sender_stop(s);
		wl_fail(err, WL_EINTERNAL, "cannot start the webhook sender");
		return NULL;
	}
	return s;
}

void
webhook_sender_stop(struct webhook_sender *s)
{
	int i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->started; i++)
		pthread_join(s->threads[i], NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
