/*
 * token_bucket.h — the arithmetic of a token bucket, in integers: a bucket
 * holds up to `burst` tokens, refills at `per_s` tokens a second, and each
 * request takes one. Pure: the caller owns the bucket, its lock and the
 * clock (http/ratelimit.c keeps the tables).
 */
#ifndef WL_CORE_TOKEN_BUCKET_H
#define WL_CORE_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#define WL_BUCKET_UNIT 1000000LL /* one token, in the bucket's micro-tokens */

struct wl_rate {
	int64_t per_s; /* tokens added a second, >= 1 */
	int64_t burst; /* the most a bucket holds, >= 1 */
};

struct wl_bucket {
	int64_t micro; /* micro-tokens held */
	int64_t at_ms; /* when `micro` was last brought up to date; 0 = new (full) */
};

/* What a take answers, for the RateLimit-* and Retry-After headers. */
struct wl_bucket_verdict {
	bool granted;
	int64_t remaining;   /* whole tokens left after this request */
	int64_t reset_s;     /* seconds until the bucket is full again (>= 0) */
	int64_t retry_after; /* refused: seconds until a token is there (>= 1) */
};

/* Refills b up to now_ms and takes one token if there is one. */
void wl_bucket_take(struct wl_bucket *b, const struct wl_rate *r, int64_t now_ms,
		    struct wl_bucket_verdict *v);
/* Whether b would be full at now_ms (it then says no more than a new one). */
bool wl_bucket_full(const struct wl_bucket *b, const struct wl_rate *r, int64_t now_ms);

#endif
