/*
 * webhook_client.h — one signed POST to a webhook, through the SSRF guard:
 * shared by the outbox's senders (services/webhook_sender.c, which perform
 * it on their own thread) and the synchronous engine calls
 * (services/webhook_caller.c, which run many at once in a curl multi loop).
 *
 * The guard: the URL's host is resolved once, every address is checked
 * (core/webhook.h wl_addr_public) and the connection is pinned to them
 * (CURLOPT_RESOLVE) and checked again as the socket opens, so a DNS answer
 * that changes in between cannot point it elsewhere. Private, loopback and
 * link-local addresses are refused unless allow_private.
 */
#ifndef WL_SERVICES_WEBHOOK_CLIENT_H
#define WL_SERVICES_WEBHOOK_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What is sent: the body is signed by the caller (signature header value). */
struct webhook_request {
	const char *url;
	const char *event;
	const char *delivery_id;
	int64_t attempt;
	const char *signature;
	int64_t ts;
	const char *body;
	long timeout_ms;
};

/* What came back. answer (answer_cap bytes, owned by the caller) keeps the
 * first bytes of the response body; the rest is read and dropped. */
struct webhook_attempt {
	bool allow_private;
	long status;
	int64_t duration_ms;
	bool timed_out;
	char error[256];
	char *answer;
	size_t answer_cap;
	size_t answer_len;
};

struct webhook_transfer;

/* Parses the URL, resolves and checks its host, and makes an easy handle
 * ready to perform. NULL with *rc WL_EINVALID (refused: not retried soon)
 * or WL_EUNAVAILABLE (try again later), the reason in a->error. The
 * request's strings must outlive the transfer; a must too. */
struct webhook_transfer *webhook_transfer_new(const struct webhook_request *in,
					      struct webhook_attempt *a, int *rc);
CURL *webhook_transfer_easy(struct webhook_transfer *t);
/* After the transfer ends with cc: fills a->status, duration, error; WL_OK on
 * a 2xx, else WL_EUNAVAILABLE. */
int webhook_transfer_outcome(struct webhook_transfer *t, CURLcode cc);
void webhook_transfer_free(struct webhook_transfer *t);

/* new + perform + outcome + free, blocking this thread. */
int webhook_post(const struct webhook_request *in, struct webhook_attempt *a);

#endif
