/*
 * app.h — opening and closing the application a command runs (app.c).
 */
#ifndef WL_APP_WIRING_H
#define WL_APP_WIRING_H

#include <stdbool.h>

#include "config.h"
#include "services/app.h"

/* Opens app from cfg: store, migrations and (with_writer) the writer.
 * Prints what went wrong and returns 1 on failure (nothing stays open). */
int app_open(struct wl_app *app, const struct wl_config *cfg, bool with_writer);
/* Stops what is running (workers, writer), closes the store, wipes app. */
void app_close(struct wl_app *app);

#endif
