/*
 * ratelimit.c — the platform API's rate limits: a token bucket per API key
 * and one per client address (core/token_bucket.h), kept in this process
 * (each instance limits on its own; README says so).
 *
 * Memory is bounded whatever the callers: a table is a fixed array of sets
 * of RL_WAYS buckets, found by a keyed hash (SipHash with a random key, so
 * nobody can aim many names at one set). A name not in its set takes an
 * empty slot, else the slot of a bucket that has refilled to full (it
 * holds nothing a new bucket would not), else the least recently used one.
 * So an attacker with many addresses only evicts buckets of its own set
 * and never grows the table. Sets are locked in stripes.
 *
 * The engine API and pages are not limited: only AUTH_API_KEY routes
 * (server.c asks here before and after authenticating).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "http/http_int.h"

#define RL_WAYS 8
#define RL_STRIPES 64

struct rl_slot {
	uint64_t tag; /* 0 = empty */
	int64_t last_ms;
	struct wl_bucket bucket;
};

struct ratelimit {
	struct wl_rate rate;
	size_t nsets;
	struct rl_slot (*sets)[RL_WAYS];
	pthread_mutex_t locks[RL_STRIPES];
	unsigned char key[crypto_shorthash_KEYBYTES];
	char burst_text[24]; /* RateLimit-Limit, the same on every answer */
};

struct ratelimit *
ratelimit_new(const struct wl_rate *rate, size_t entries)
{
	struct ratelimit *rl;
	int i;

	if (rate->per_s <= 0 || rate->burst <= 0)
		return NULL; /* off */
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->rate = *rate;
	rl->nsets = entries / RL_WAYS > 0 ? entries / RL_WAYS : 1;
	if ((rl->sets = calloc(rl->nsets, sizeof(*rl->sets))) == NULL) {
		free(rl);
		return NULL;
	}
	for (i = 0; i < RL_STRIPES; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	crypto_shorthash_keygen(rl->key);
	wl_format_int(rate->burst, rl->burst_text);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	int i;

	if (rl == NULL)
		return;
	for (i = 0; i < RL_STRIPES; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl->sets);
	free(rl);
}

/* The slot for tag in its set: its own, or the one it takes over. */
static struct rl_slot *
slot_for(struct ratelimit *rl, struct rl_slot *set, uint64_t tag, int64_t now)
{
	struct rl_slot *victim = NULL;
	int i;

	for (i = 0; i < RL_WAYS; i++)
		if (set[i].tag == tag)
			return &set[i];
	for (i = 0; i < RL_WAYS && victim == NULL; i++)
		if (set[i].tag == 0 || wl_bucket_full(&set[i].bucket, &rl->rate, now))
			victim = &set[i];
	if (victim == NULL) {
		victim = &set[0];
		for (i = 1; i < RL_WAYS; i++)
			if (set[i].last_ms < victim->last_ms)
				victim = &set[i];
	}
	memset(victim, 0, sizeof(*victim));
	victim->tag = tag;
	return victim;
}

void
ratelimit_take(struct ratelimit *rl, const char *name, int64_t now_ms, struct wl_bucket_verdict *v)
{
	unsigned char h[crypto_shorthash_BYTES];
	struct rl_slot *s;
	uint64_t tag;
	size_t set;

	crypto_shorthash(h, (const unsigned char *)name, strlen(name), rl->key);
	memcpy(&tag, h, sizeof(tag));
	tag |= 1; /* never 0, the empty slot */
	set = (size_t)(tag >> 1) % rl->nsets;
	pthread_mutex_lock(&rl->locks[set % RL_STRIPES]);
	s = slot_for(rl, rl->sets[set], tag, now_ms);
	s->last_ms = now_ms;
	wl_bucket_take(&s->bucket, &rl->rate, now_ms, v);
	pthread_mutex_unlock(&rl->locks[set % RL_STRIPES]);
}

static void
add_number(struct wl_req *req, const char *header, int64_t v)
{
	char text[24];

	wl_format_int(v, text);
	http_add_header(req, header, text);
}

bool
http_rate_limit(struct wl_req *req, struct ratelimit *rl, const char *name, bool headers)
{
	struct wl_bucket_verdict v;

	if (rl == NULL)
		return true;
	ratelimit_take(rl, name, wl_now_ms(), &v);
	if (v.granted && !headers)
		return true;
	http_add_header(req, "RateLimit-Limit", rl->burst_text);
	add_number(req, "RateLimit-Remaining", v.remaining);
	add_number(req, "RateLimit-Reset", v.granted ? v.reset_s : v.retry_after);
	if (v.granted)
		return true;
	add_number(req, "Retry-After", v.retry_after);
	http_reply_fail(req, WL_ERATELIMITED, "Too many requests: try again in %lld s",
			(long long)v.retry_after);
	return false;
}
