/*
 * token_bucket.c — the bucket's arithmetic (see token_bucket.h). Times in
 * milliseconds, tokens in millionths, so a rate of 1 a second refills 1000
 * micro-tokens a millisecond and nothing is lost to rounding.
 */
#include "core/token_bucket.h"

#include <assert.h>

/* micro-tokens after refilling to now_ms, capped at the burst */
static int64_t
level(const struct wl_bucket *b, const struct wl_rate *r, int64_t now_ms)
{
	int64_t cap = r->burst * WL_BUCKET_UNIT, per_ms = r->per_s * (WL_BUCKET_UNIT / 1000);
	int64_t elapsed;

	if (b->at_ms == 0)
		return cap;
	elapsed = now_ms - b->at_ms;
	if (elapsed <= 0)
		return b->micro;
	/* past the time a refill from empty takes: full (and no overflow) */
	if (elapsed >= cap / per_ms + 1)
		return cap;
	return b->micro + elapsed * per_ms < cap ? b->micro + elapsed * per_ms : cap;
}

static int64_t
ceil_div(int64_t a, int64_t b)
{
	return a <= 0 ? 0 : (a + b - 1) / b;
}

void
wl_bucket_take(struct wl_bucket *b, const struct wl_rate *r, int64_t now_ms,
	       struct wl_bucket_verdict *v)
{
	int64_t per_s = r->per_s * WL_BUCKET_UNIT, cap = r->burst * WL_BUCKET_UNIT;

	assert(r->per_s >= 1 && r->burst >= 1);
	b->micro = level(b, r, now_ms);
	if (now_ms > b->at_ms || b->at_ms == 0)
		b->at_ms = now_ms > 0 ? now_ms : 1;
	v->granted = b->micro >= WL_BUCKET_UNIT;
	if (v->granted)
		b->micro -= WL_BUCKET_UNIT;
	v->remaining = b->micro / WL_BUCKET_UNIT;
	v->reset_s = ceil_div(cap - b->micro, per_s);
	v->retry_after = v->granted ? 0 : ceil_div(WL_BUCKET_UNIT - b->micro, per_s);
	if (!v->granted && v->retry_after < 1)
		v->retry_after = 1;
}

bool
wl_bucket_full(const struct wl_bucket *b, const struct wl_rate *r, int64_t now_ms)
{
	return level(b, r, now_ms) >= r->burst * WL_BUCKET_UNIT;
}
