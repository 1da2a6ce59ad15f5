/*
 * workers.h — a small pool of threads for work that blocks: password hashing,
 * outbound HTTP, and reads on a networked database. Server threads hand such
 * work here and never wait on it themselves.
 */
#ifndef WL_WORKERS_H
#define WL_WORKERS_H

#include "core/error.h"

struct workers;

struct workers *workers_start(int nthreads, struct wl_error *err);
/* Runs every task already queued, then stops the threads. */
void workers_stop(struct workers *w);
/* Queues fn(arg); WL_EUNAVAILABLE when stopping or too much is queued. */
int workers_submit(struct workers *w, void (*fn)(void *arg), void *arg);
/* Tasks waiting, threads running one, threads in the pool (for /metrics). */
void workers_usage(struct workers *w, int *queued, int *busy, int *threads);

#endif
