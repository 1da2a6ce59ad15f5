/*
 * metrics.c — the counters and histograms of metrics.h, and their text
 * exposition for Prometheus. Counters are plain atomics (relaxed: each is
 * a tally on its own, no ordering with anything else); a histogram keeps
 * one atomic per bucket (not cumulative) and its sum, and is made
 * cumulative when rendered, so a scrape sees monotonic buckets.
 */
#include "metrics.h"

#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef atomic_uint_fast64_t counter;

static void
inc(counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* ---- histograms ------------------------------------------------------------ */

#define HIST_MAX_BOUNDS 16

struct histogram {
	counter bucket[HIST_MAX_BOUNDS + 1]; /* the last: above every bound */
	counter sum;                         /* in the unit of the bounds × 1e6 */
};

/* Seconds, for latencies and commit times (in µs: bound × 1e6). */
static const uint64_t time_bounds_us[] = { 500,     1000,    2500,    5000,    10000,
					   25000,   50000,   100000,  250000,  500000,
					   1000000, 2500000, 5000000, 10000000 };
#define NTIME (sizeof(time_bounds_us) / sizeof(time_bounds_us[0]))
/* Jobs per writer batch. */
static const uint64_t batch_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
#define NBATCH (sizeof(batch_bounds) / sizeof(batch_bounds[0]))

_Static_assert(NTIME <= HIST_MAX_BOUNDS && NBATCH <= HIST_MAX_BOUNDS, "histogram bounds fit");

static void
observe(struct histogram *h, const uint64_t *bounds, size_t n, uint64_t v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	inc(&h->bucket[i], 1);
	inc(&h->sum, v);
}

/* ---- what is counted --------------------------------------------------------- */

static const int status_codes[] = { 200, 201, 204, 301, 302, 303, 304, 400, 401, 402,
				    403, 404, 405, 409, 413, 422, 429, 500, 502, 503 };
#define NSTATUS (sizeof(status_codes) / sizeof(status_codes[0]))

struct route_metrics {
	counter by_status[NSTATUS + 1]; /* the last: any other status */
	struct histogram latency;
};

static const char *const stripe_outcomes[] = { "credited", "duplicate", "ignored", "mismatch",
					       "bad_signature" };
#define NOUTCOMES (sizeof(stripe_outcomes) / sizeof(stripe_outcomes[0]))

static struct {
	size_t nroutes;
	const char *const *methods;
	const char *const *patterns;
	struct route_metrics *routes; /* nroutes + 1: the last is "no route" */
	struct histogram batch_size, batch_commit;
	counter writer_round_trips;
	counter writer_statements;
	counter writer_balance_writes;
	counter key_batches, key_batched;
	counter call_owner_hits, call_owner_misses;
	counter checkpoints, tail_checkpoints, wal_restarts;
	counter db_waits, db_wait_us, db_wait_timeouts;
	counter mail_failures, mail_given_up;
	counter stripe[NOUTCOMES + 1]; /* the last: another outcome */
	counter billed_seconds;
} m;

void
metrics_routes(size_t n, const char *const *methods, const char *const *patterns)
{
	m.routes = calloc(n + 1, sizeof(*m.routes));
	if (m.routes == NULL)
		return; /* requests are then not counted */
	m.nroutes = n;
	m.methods = methods;
	m.patterns = patterns;
}

void
metrics_request(long route, int status, uint64_t duration_us)
{
	struct route_metrics *r;
	size_t i;

	if (m.routes == NULL)
		return;
	r = &m.routes[route >= 0 && (size_t)route < m.nroutes ? (size_t)route : m.nroutes];
	for (i = 0; i < NSTATUS && status_codes[i] != status; i++)
		;
	inc(&r->by_status[i], 1);
	observe(&r->latency, time_bounds_us, NTIME, duration_us);
}

void
metrics_writer_batch(size_t jobs, uint64_t commit_us, uint64_t round_trips, uint64_t balance_writes,
		     uint64_t statements)
{
	inc(&m.writer_statements, statements);
	inc(&m.writer_balance_writes, balance_writes);
	observe(&m.batch_size, batch_bounds, NBATCH, jobs);
	observe(&m.batch_commit, time_bounds_us, NTIME, commit_us);
	inc(&m.writer_round_trips, round_trips);
}

void
metrics_sqlite_checkpoint(bool tail)
{
	inc(tail ? &m.tail_checkpoints : &m.checkpoints, 1);
}

void
metrics_sqlite_wal_restart(void)
{
	inc(&m.wal_restarts, 1);
}

void
metrics_call_owner(bool hit)
{
	inc(hit ? &m.call_owner_hits : &m.call_owner_misses, 1);
}

void
metrics_key_batch(size_t requests)
{
	inc(&m.key_batches, 1);
	inc(&m.key_batched, requests);
}

void
metrics_db_wait(uint64_t wait_us, int timed_out)
{
	inc(&m.db_waits, 1);
	inc(&m.db_wait_us, wait_us);
	if (timed_out)
		inc(&m.db_wait_timeouts, 1);
}

void
metrics_mail_failure(int given_up)
{
	inc(&m.mail_failures, 1);
	if (given_up)
		inc(&m.mail_given_up, 1);
}

void
metrics_stripe_event(const char *outcome)
{
	size_t i;

	for (i = 0; i < NOUTCOMES && strcmp(stripe_outcomes[i], outcome) != 0; i++)
		;
	inc(&m.stripe[i], 1);
}

void
metrics_billed_seconds(int64_t seconds)
{
	if (seconds > 0)
		inc(&m.billed_seconds, (uint64_t)seconds);
}

/* ---- the text exposition ------------------------------------------------------- */

static void
head(struct wl_buf *b, const char *name, const char *type, const char *help)
{
	wl_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's lines; labels is "" or `route="…",method="…"` ; scale
 * turns the stored unit into the exported one (1e6 for µs → s). */
static void
histogram_lines(struct wl_buf *b, const char *name, const char *labels, struct histogram *h,
		const uint64_t *bounds, size_t n, double scale)
{
	uint64_t cum = 0;
	size_t i;
	const char *sep = labels[0] ? "," : "";

	for (i = 0; i <= n; i++) {
		cum += get(&h->bucket[i]);
		if (i < n)
			wl_buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
				      (double)bounds[i] / scale, (unsigned long long)cum);
		else
			wl_buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
				      (unsigned long long)cum);
	}
	wl_buf_printf(b, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels,
		      labels[0] ? "}" : "", (double)get(&h->sum) / scale);
	wl_buf_printf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels,
		      labels[0] ? "}" : "", (unsigned long long)cum);
}

static void
route_label(size_t i, char *out, size_t n)
{
	if (i < m.nroutes)
		snprintf(out, n, "route=\"%s\",method=\"%s\"", m.patterns[i], m.methods[i]);
	else
		snprintf(out, n, "route=\"none\",method=\"any\"");
}

static void
render_requests(struct wl_buf *b)
{
	char labels[300];
	size_t i, s;

	head(b, "wlportal_http_requests_total", "counter",
	     "HTTP requests answered, by route pattern, method and status.");
	for (i = 0; m.routes != NULL && i <= m.nroutes; i++) {
		route_label(i, labels, sizeof(labels));
		for (s = 0; s <= NSTATUS; s++) {
			uint64_t v = get(&m.routes[i].by_status[s]);

			if (v == 0)
				continue;
			if (s < NSTATUS)
				wl_buf_printf(
					b, "wlportal_http_requests_total{%s,status=\"%d\"} %llu\n",
					labels, status_codes[s], (unsigned long long)v);
			else
				wl_buf_printf(
					b,
					"wlportal_http_requests_total{%s,status=\"other\"} %llu\n",
					labels, (unsigned long long)v);
		}
	}
	head(b, "wlportal_http_request_duration_seconds", "histogram",
	     "Time from a request's head to its answer, by route pattern and method.");
	for (i = 0; m.routes != NULL && i <= m.nroutes; i++) {
		uint64_t any = 0;

		for (s = 0; s <= NTIME; s++)
			any += get(&m.routes[i].latency.bucket[s]);
		if (any == 0)
			continue;
		route_label(i, labels, sizeof(labels));
		histogram_lines(b, "wlportal_http_request_duration_seconds", labels,
				&m.routes[i].latency, time_bounds_us, NTIME, 1e6);
	}
}

static void
gauge(struct wl_buf *b, const char *name, const char *help, long v)
{
	if (v < 0)
		return;
	head(b, name, "gauge", help);
	wl_buf_printf(b, "%s %ld\n", name, v);
}

static void
counter_line(struct wl_buf *b, const char *name, const char *help, uint64_t v)
{
	head(b, name, "counter", help);
	wl_buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

void
metrics_render(struct wl_buf *out, const struct metrics_gauges *g)
{
	size_t i;

	render_requests(out);
	head(out, "wlportal_writer_batch_size", "histogram",
	     "Jobs committed together by the group-commit writer.");
	histogram_lines(out, "wlportal_writer_batch_size", "", &m.batch_size, batch_bounds, NBATCH,
			1);
	head(out, "wlportal_writer_commit_seconds", "histogram",
	     "Time a writer batch's COMMIT took.");
	histogram_lines(out, "wlportal_writer_commit_seconds", "", &m.batch_commit, time_bounds_us,
			NTIME, 1e6);
	counter_line(out, "wlportal_writer_round_trips_total",
		     "Times the writer waited for the database's answer (PostgreSQL; 0 on SQLite).",
		     get(&m.writer_round_trips));
	counter_line(out, "wlportal_writer_statements_total",
		     "Statements the writer ran, BEGIN and COMMIT included (on PostgreSQL a "
		     "batch of events writes its entries and its calls in one statement each).",
		     get(&m.writer_statements));
	counter_line(out, "wlportal_writer_balance_writes_total",
		     "UPDATEs of organization balances the writer sent (on PostgreSQL one per "
		     "organization and batch of events).",
		     get(&m.writer_balance_writes));
	counter_line(out, "wlportal_sqlite_checkpoints_total",
		     "Checkpoints of SQLite's WAL run off the writer (its own thread).",
		     get(&m.checkpoints));
	counter_line(out, "wlportal_sqlite_tail_checkpoints_total",
		     "Checkpoints of the last frames of SQLite's WAL run by a committing "
		     "connection once the checkpoint thread had copied the rest.",
		     get(&m.tail_checkpoints));
	counter_line(out, "wlportal_sqlite_wal_restarts_total",
		     "Times SQLite's WAL was started over from its beginning.",
		     get(&m.wal_restarts));
	counter_line(out, "wlportal_call_owner_hits_total",
		     "Engine events whose call's org and billed org were known in memory.",
		     get(&m.call_owner_hits));
	counter_line(out, "wlportal_call_owner_misses_total",
		     "Engine events that read their call's org and billed org from the database.",
		     get(&m.call_owner_misses));
	counter_line(out, "wlportal_account_lookup_batches_total",
		     "Statements that looked up the keys of account reads together (PostgreSQL).",
		     get(&m.key_batches));
	counter_line(out, "wlportal_account_lookups_batched_total",
		     "Account reads whose key those statements looked up.", get(&m.key_batched));
	gauge(out, "wlportal_writer_queue_depth", "Jobs waiting for the writer.", g->writer_queue);
	gauge(out, "wlportal_workers_queue_depth", "Tasks waiting for a worker thread.",
	      g->workers_queue);
	gauge(out, "wlportal_workers_busy", "Worker threads running a task.", g->workers_busy);
	gauge(out, "wlportal_workers_threads", "Worker threads in the pool.", g->workers_threads);
	gauge(out, "wlportal_db_pool_open_connections",
	      "Database connections the pool holds open (PostgreSQL).", g->db_pool_open);
	counter_line(out, "wlportal_db_pool_waits_total",
		     "Times a thread waited for a free database connection.", get(&m.db_waits));
	head(out, "wlportal_db_pool_wait_seconds_total", "counter",
	     "Time spent waiting for a free database connection.");
	wl_buf_printf(out, "wlportal_db_pool_wait_seconds_total %.6f\n",
		      (double)get(&m.db_wait_us) / 1e6);
	counter_line(out, "wlportal_db_pool_wait_timeouts_total",
		     "Waits for a database connection that gave up (answered 503).",
		     get(&m.db_wait_timeouts));
	gauge(out, "wlportal_mail_outbox_queued", "Mails waiting in the outbox.", g->mail_queued);
	gauge(out, "wlportal_mail_outbox_failed", "Mails given up, kept in the outbox.",
	      g->mail_failed);
	counter_line(out, "wlportal_mail_send_failures_total",
		     "Mail sending attempts that failed (retried later, or given up).",
		     get(&m.mail_failures));
	counter_line(out, "wlportal_mail_given_up_total", "Mails given up after failing.",
		     get(&m.mail_given_up));
	head(out, "wlportal_stripe_events_total", "counter",
	     "Stripe webhook deliveries received, by outcome.");
	for (i = 0; i <= NOUTCOMES; i++)
		wl_buf_printf(out, "wlportal_stripe_events_total{outcome=\"%s\"} %llu\n",
			      i < NOUTCOMES ? stripe_outcomes[i] : "other",
			      (unsigned long long)get(&m.stripe[i]));
	gauge(out, "wlportal_open_calls", "Calls neither ended nor rejected (all instances).",
	      g->open_calls);
	counter_line(out, "wlportal_access_log_dropped_total",
		     "Access-log lines dropped because stderr was not being read.",
		     wl_log_access_dropped());
	counter_line(out, "wlportal_billed_seconds_total",
		     "Call seconds billed by this process (committed debits).",
		     get(&m.billed_seconds));
}
