/*
 * keycache.h — a connection's memory of API-key lookups while the database
 * is unchanged (keycache.c); used by store_apikey_org only.
 */
#ifndef WL_STORE_KEYCACHE_H
#define WL_STORE_KEYCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

/* The database's state as this connection sees it, read before a lookup. */
struct keycache_stamp {
	uint64_t version; /* the driver's data version */
	uint64_t mark;    /* this connection's own changes */
};

/* False when the driver has no data version: nothing may be remembered. */
bool keycache_version(struct store_conn *c, struct keycache_stamp *out);
/* True and *out when this query was answered at exactly this stamp. */
bool keycache_get(struct store_conn *c, const struct keycache_stamp *at,
		  const unsigned char hash[WL_KEY_HASH_LEN], const struct store_usage_query *usage,
		  struct store_key_org *out);
void keycache_put(struct store_conn *c, const struct keycache_stamp *at,
		  const unsigned char hash[WL_KEY_HASH_LEN], const struct store_usage_query *usage,
		  const struct store_key_org *row);
/* When the connection closes. */
void keycache_free(struct store_conn *c);

#endif
