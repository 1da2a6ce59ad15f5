/*
 * masterkey.h — the master key of a running server and the database it
 * seals secrets in belong together. The database keeps a key check value
 * (a known text sealed under the key, written at the first start); `serve`
 * loads the key and refuses to start when it does not open that value — or,
 * in a database from before check values, one of the stored secrets — and
 * never makes a new key while the database holds sealed secrets.
 */
#ifndef WL_MASTERKEY_H
#define WL_MASTERKEY_H

#include "services/app.h"

/* Fills app->master_key from path (created only for a database without
 * sealed secrets or check value). WL_EINTERNAL with a message that says
 * what to do when the key does not belong to the database. */
int masterkey_open(struct wl_app *app, const char *path, struct wl_error *err);

#endif
