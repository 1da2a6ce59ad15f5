/*
 * reaper.h — settles calls the engine stopped reporting on. A call that has
 * had no event for WLPORTAL_CALL_STALE_AFTER seconds is ended as "stale"
 * with its usage row (the seconds already billed), through the writer, by
 * a background thread of the server: no server thread ever waits for it.
 * Every instance may run one; the job checks again under the call's lock,
 * so a call is settled exactly once.
 */
#ifndef WL_REAPER_H
#define WL_REAPER_H

#include <stdint.h>

#include "services/app.h"

#define REAPER_STALE_DEFAULT_S 300
#define REAPER_STALE_MAX_S (7 * 24 * 3600)

struct reaper;

/* Starts the thread; it looks for silent calls every stale_after_ms / 4
 * (at least every 30 s, at most every 250 ms). */
struct reaper *reaper_start(struct wl_app *app, int64_t stale_after_ms, struct wl_error *err);
/* Ends the current pass and stops the thread (before the writer stops). */
void reaper_stop(struct reaper *r);

/* One pass: settles every call silent since before now − stale_after_ms.
 * *settled = calls ended by this pass. Blocks until their writes are
 * durable: call it from the reaper's thread (or a CLI/test), never from a
 * server thread. */
int reaper_pass(struct wl_app *app, int64_t stale_after_ms, int64_t *settled, struct wl_error *err);

#endif
