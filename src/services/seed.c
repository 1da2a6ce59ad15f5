/*
 * seed.c — writes seeded history (seed.h). Every call is one the metering
 * path (services/calls.c) could have left: answered, billed in one event at
 * its end (reference "call:{id}:{seconds}", kind "call", and for a client
 * org the agency's "child_call" with the same reference), ended by the
 * customer, its usage row written at its end. Durations follow `wlportal
 * simulate`'s law (log-normal around 90 s, 5 s to an hour). Calls end
 * evenly spread over [now - days, now), in time order, with time-ordered
 * ids, so each transaction appends to the indexes instead of scattering.
 */
#include "services/seed.h"

#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/ids.h"

/* splitmix64: a small generator we can replay from its seed. */
static uint64_t
next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* In (0, 1). */
static double
next_unit(uint64_t *state)
{
	return ((double)(next_u64(state) >> 11) + 0.5) / 9007199254740992.0;
}

static int64_t
draw_duration(uint64_t *state)
{
	double u1 = next_unit(state), u2 = next_unit(state);
	double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
	double d = exp(log(90.0) + 0.8 * z);

	return d < 5 ? 5 : d > 3600 ? 3600 : (int64_t)d;
}

struct plan {
	const struct store_org *org;
	int64_t calls;
	int64_t start_ms, span_ms; /* calls end in [start, start + span) */
	uint64_t salt;             /* of the ids */
	uint64_t time_state;       /* jitter within each call's slot, numbers */
	int64_t first;             /* index of the chunk's first call */
	const int64_t *durations;  /* the chunk's */
};

/* The start of call i's slot: calls spread evenly over the span. */
static int64_t
slot_start(const struct plan *p, int64_t i)
{
	return p->start_ms + (int64_t)((long double)i * (long double)p->span_ms / p->calls);
}

static void
fill_call(int i, struct store_ended_call *e, void *arg)
{
	struct plan *p = arg;
	int64_t k = p->first + i, from = slot_start(p, k), to = slot_start(p, k + 1);
	int64_t secs = p->durations[i],
		jitter =
			to > from ? (int64_t)(next_u64(&p->time_state) % (uint64_t)(to - from)) : 0;
	int64_t ended = from + jitter;
	struct store_call *c = &e->call;
	bool child = p->org->parent_id[0] != '\0';

	ids_time_uuid(ended, p->salt, (uint32_t)k, c->id);
	memcpy(c->org_id, p->org->id, WL_ID_LEN);
	memcpy(c->billed_org_id, child ? p->org->parent_id : p->org->id, WL_ID_LEN);
	snprintf(c->direction, sizeof(c->direction), "inbound");
	snprintf(c->status, sizeof(c->status), "ended");
	snprintf(c->from_number, sizeof(c->from_number), "+3161%07u",
		 (unsigned)(next_u64(&p->time_state) % 10000000u));
	snprintf(c->to_number, sizeof(c->to_number), "+3120%07u",
		 (unsigned)(next_u64(&p->time_state) % 10000000u));
	c->elapsed_sec = secs;
	c->billed_seconds = secs;
	snprintf(c->ended_reason, sizeof(c->ended_reason), "customer-ended-call");
	c->created_at = ended - secs * 1000;
	c->ended_at = ended;
	c->last_event_at = ended;

	snprintf(e->reference, sizeof(e->reference), "call:%s:%" PRId64, c->id, secs);
	e->entries[0] =
		(struct store_entry){ c->org_id, -secs, "call", e->reference, "Call", ended };
	e->n_entries = 1;
	if (child)
		e->entries[e->n_entries++] =
			(struct store_entry){ c->billed_org_id, -secs,         "child_call",
					      e->reference,     "Client call", ended };

	ids_time_uuid(ended, p->salt ^ 0x5a5a5a5a5aULL, (uint32_t)k, e->usage.id);
	memcpy(e->usage.org_id, c->org_id, WL_ID_LEN);
	memcpy(e->usage.billed_org_id, c->billed_org_id, WL_ID_LEN);
	memcpy(e->usage.call_id, c->id, WL_ID_LEN);
	e->usage.duration_sec = secs;
	e->usage.created_at = ended;
}

static int
check_request(const struct seed_request *r, struct wl_error *err)
{
	if (!wl_valid_uuid(r->org_id))
		return wl_fail(err, WL_EINVALID, "org must be an organization id (a UUID)");
	if (r->calls < 1 || r->calls > SEED_CALLS_MAX)
		return wl_fail(err, WL_EINVALID, "calls must be 1 to %lld", SEED_CALLS_MAX);
	if (r->days < 1 || r->days > SEED_DAYS_MAX)
		return wl_fail(err, WL_EINVALID, "days must be 1 to %d", SEED_DAYS_MAX);
	return WL_OK;
}

/* When o cannot pay `need`: grants it (a ledger entry "grant:seed-…") or
 * refuses saying what is missing. */
static int
cover(struct wl_app *app, const struct seed_request *r, const struct store_org *o, int64_t need,
      uint64_t salt, int64_t *granted, struct wl_error *err)
{
	struct accounts_grant_result res;
	char have[32], cost[32], ref[64];
	int64_t missing = need - o->balance_seconds;

	*granted = 0;
	if (missing <= 0)
		return WL_OK;
	if (!r->grant) {
		wl_format_minutes(o->balance_seconds, have);
		wl_format_minutes(need, cost);
		return wl_fail(
			err, WL_EINSUFFICIENT,
			"organization %s has %s minutes but the calls cost %s minutes: grant at "
			"least %" PRId64 " minutes first (admin grant-minutes), or pass --grant",
			o->id, have, cost, (missing + 59) / 60);
	}
	/* The whole cost, so the balance ends where it started. */
	snprintf(ref, sizeof(ref), "grant:seed-%016" PRIx64, salt);
	*granted = need;
	return accounts_grant(app, o->id, need, ref, "Minutes granted to pay seeded calls", &res,
			      err);
}

/* The cost of every call, drawn from the durations' generator (replayed later). */
static int64_t
total_cost(uint64_t seed, int64_t calls)
{
	int64_t i, total = 0;

	for (i = 0; i < calls; i++)
		total += draw_duration(&seed);
	return total;
}

static int
write_chunks(struct store_conn *c, const struct seed_request *r, struct plan *p,
	     uint64_t duration_state, struct seed_result *out, struct wl_error *err)
{
	int64_t *durations = malloc(sizeof(int64_t) * SEED_CHUNK);
	struct store_bulk b;
	int64_t total;
	int i, rc = WL_OK;

	if (durations == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	p->durations = durations;
	memset(&b, 0, sizeof(b));
	b.next = fill_call;
	b.arg = p;
	if (p->org->parent_id[0] != '\0')
		b.payers[b.n_payers++] = p->org->parent_id; /* the agency first */
	b.payers[b.n_payers++] = p->org->id;
	for (p->first = 0; p->first < r->calls && rc == WL_OK; p->first += b.n) {
		b.n = r->calls - p->first < SEED_CHUNK ? (int)(r->calls - p->first) : SEED_CHUNK;
		for (i = 0, total = 0; i < b.n; i++)
			total += durations[i] = draw_duration(&duration_state);
		b.payer_delta = -total;
		rc = store_bulk_ended_calls(c, &b, err);
		if (rc == WL_OK) {
			out->calls += b.n;
			out->seconds += total;
			if (r->progress != NULL)
				r->progress(out->calls, r->calls, r->arg);
		}
	}
	free(durations);
	return rc;
}

int
seed_usage(struct wl_app *app, const struct seed_request *r, struct seed_result *out,
	   struct wl_error *err)
{
	struct store_org org, parent;
	struct store_conn *c;
	struct plan p;
	uint64_t duration_seed;
	int64_t need;
	int rc;

	memset(out, 0, sizeof(*out));
	if (check_request(r, err) != WL_OK)
		return err->code;
	if ((c = store_acquire(app->store, err)) == NULL)
		return err->code;
	rc = store_org_get(c, r->org_id, false, &org, err);
	if (rc == WL_OK && org.parent_id[0] != '\0')
		rc = store_org_get(c, org.parent_id, false, &parent, err);
	memset(&p, 0, sizeof(p));
	randombytes_buf(&duration_seed, sizeof(duration_seed));
	randombytes_buf(&p.salt, sizeof(p.salt));
	randombytes_buf(&p.time_state, sizeof(p.time_state));
	need = total_cost(duration_seed, r->calls);
	if (rc == WL_OK && org.parent_id[0] != '\0')
		rc = cover(app, r, &parent, need, p.salt, &out->granted_parent, err);
	if (rc == WL_OK)
		rc = cover(app, r, &org, need, p.salt, &out->granted, err);
	if (rc == WL_OK) {
		p.org = &org;
		p.calls = r->calls;
		p.span_ms = (int64_t)r->days * WL_MS_PER_DAY;
		p.start_ms = r->now_ms - p.span_ms;
		rc = write_chunks(c, r, &p, duration_seed, out, err);
	}
	store_release(c);
	return rc;
}
