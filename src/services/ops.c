/*
 * ops.c — the gauges of a /metrics scrape (see ops.h). Runs on the metrics
 * listener's own thread: its database read never holds up a request.
 */
#include "services/ops.h"

#include "log.h"
#include "services/workers.h"
#include "services/writer.h"
#include "store/store.h"

void
ops_gauges(struct wl_app *app, struct metrics_gauges *g)
{
	struct store_ops_counts counts;
	struct store_conn *c;
	struct wl_error err;
	int queued, busy, threads;

	*g = (struct metrics_gauges){ -1, -1, -1, -1, -1, -1, -1, -1 };
	if (app->writer != NULL)
		g->writer_queue = (long)writer_queue_depth(app->writer);
	if (app->workers != NULL) {
		workers_usage(app->workers, &queued, &busy, &threads);
		g->workers_queue = queued;
		g->workers_busy = busy;
		g->workers_threads = threads;
	}
	wl_error_clear(&err);
	c = store_acquire(app->store, &err);
	if (c == NULL)
		return;
	if (store_ops_counts(c, &counts, &err) == WL_OK) {
		g->open_calls = (long)counts.open_calls;
		g->mail_queued = (long)counts.mail_queued;
		g->mail_failed = (long)counts.mail_failed;
	} else {
		wl_log("metrics: reading the database's figures failed: %s", err.message);
	}
	store_release(c);
}
