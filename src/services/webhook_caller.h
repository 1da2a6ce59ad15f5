/*
 * webhook_caller.h — the synchronous webhook calls of the engine API
 * (assistant-request, tool-calls) waiting at once in one curl multi loop on
 * one thread of their own, so a slow receiver holds neither a server thread
 * nor a worker.
 *
 * At most `max` calls are in flight: a request reserves a slot before it
 * does any work (webhook_caller_reserve; false: the caller answers 503) and
 * the slot is given back when its transfer ends (or with
 * webhook_caller_release when it never starts one).
 */
#ifndef WL_SERVICES_WEBHOOK_CALLER_H
#define WL_SERVICES_WEBHOOK_CALLER_H

#include <stdbool.h>

#include "core/error.h"
#include "services/webhook_client.h"

#define WEBHOOK_CALLER_MAX_DEFAULT 256

struct webhook_caller;

struct webhook_caller *webhook_caller_start(int max, struct wl_error *err);
/* Ends every transfer still running (their done runs with a failure) and
 * stops the thread. */
void webhook_caller_stop(struct webhook_caller *c);

bool webhook_caller_reserve(struct webhook_caller *c);
void webhook_caller_release(struct webhook_caller *c);

/* Runs the transfer (made by webhook_transfer_new) in a reserved slot;
 * done(arg, rc) runs on the caller's thread once it ended (rc as
 * webhook_transfer_outcome), after which the transfer is freed and the slot
 * given back. Never fails: when the loop cannot take it, done runs at once
 * with WL_EUNAVAILABLE. */
void webhook_caller_run(struct webhook_caller *c, struct webhook_transfer *t,
			void (*done)(void *arg, int rc), void *arg);

#endif
