/*
 * metrics.h — the process's counters for Prometheus (GET /metrics on the
 * WLPORTAL_METRICS_LISTEN listener, src/http/metrics_http.c). Every layer
 * may count here: each counter is a C11 atomic added to with relaxed
 * order, so counting costs one uncontended atomic add on the request path
 * and never takes a lock. What is read from elsewhere at scrape time
 * (queue depths, the pool, the outbox, open calls) is passed to
 * metrics_render as gauges.
 */
#ifndef WL_METRICS_H
#define WL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* The routes counted, in route-table order: index i is method[i] pattern[i];
 * index n is "no route matched". Called once before the server starts;
 * the strings must outlive the process (the route table's). */
void metrics_routes(size_t n, const char *const *methods, const char *const *patterns);
/* One answered request: its route index (-1: none matched), status and
 * time from its first byte to its answer. */
void metrics_request(long route, int status, uint64_t duration_us);
/* One writer batch of `jobs` jobs whose COMMIT took commit_us, which
 * waited round_trips times for the database's answer, wrote balances
 * balance_writes times and ran `statements` statements. */
void metrics_writer_batch(size_t jobs, uint64_t commit_us, uint64_t round_trips,
			  uint64_t balance_writes, uint64_t statements);
/* A wait for a database connection of the pool (PostgreSQL), in µs. */
/* keybatch.c looked up the keys of `requests` account reads in one statement. */
void metrics_key_batch(size_t requests);
/* A checkpoint of SQLite's WAL run off the writer. */
void metrics_sqlite_checkpoint(bool tail);
void metrics_sqlite_wal_restart(void);
/* An engine event found its call's owner in memory (hit) or not. */
void metrics_call_owner(bool hit);
void metrics_db_wait(uint64_t wait_us, int timed_out);
/* A mail that could not be sent (a try that failed; given_up: no more). */
void metrics_mail_failure(int given_up);
/* One Stripe webhook delivery with its outcome (credited, duplicate, …). */
void metrics_stripe_event(const char *outcome);
/* Call seconds billed, counted once the debit is committed. */
void metrics_billed_seconds(int64_t seconds);

/* What is read at scrape time; -1 for what is unknown (not exported). */
struct metrics_gauges {
	long writer_queue;    /* jobs waiting for the writer */
	long workers_queue;   /* tasks waiting for a worker */
	long workers_busy;    /* workers running a task */
	long workers_threads; /* workers in the pool */
	long db_pool_open;    /* PostgreSQL connections open (-1 on SQLite) */
	long mail_queued;     /* mails waiting in the outbox */
	long mail_failed;     /* mails given up (kept in the outbox) */
	long open_calls;      /* calls not ended or rejected */
};

/* The Prometheus text exposition (version 0.0.4) of every metric. */
void metrics_render(struct wl_buf *out, const struct metrics_gauges *g);

#endif
