/*
 * ops.h — what an operator's scrape reads (GET /metrics): the depths of the
 * writer's and the workers' queues, the workers in use, and from the
 * database the calls still open and the mails waiting or given up.
 */
#ifndef WL_SERVICES_OPS_H
#define WL_SERVICES_OPS_H

#include "metrics.h"
#include "services/app.h"

/* Fills g; a figure that cannot be read now is -1 (left out of the scrape). */
void ops_gauges(struct wl_app *app, struct metrics_gauges *g);

#endif
