/*
 * app.h — the long-lived objects every use case needs, made once at start by
 * main.c and owned by it: the store, the writer, the worker pool, and the
 * settings. Services receive it; nothing here is global.
 */
#ifndef WL_APP_H
#define WL_APP_H

#include <stdint.h>

#include "services/workers.h"
#include "services/writer.h"
#include "store/store.h"

struct wl_app {
	struct store *store;
	struct writer *writer;
	struct workers *workers;
	int64_t price_micro_per_minute;  /* platform price, EUR micro per minute */
	char engine_token[128];
	char base_domain[256];
	char listen_host[64];            /* host part of the listen address */
	char cname_target[272];
	char dns_server[128];
	int public_port;
	bool trust_proxy;                /* behind our own reverse proxy */                 /* the port portal URLs carry on a localhost base */
	unsigned char master_key[32];    /* seals stored secrets; wiped at exit */
};

#endif
