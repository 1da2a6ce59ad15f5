/*
 * json_alloc.h — jansson's memory, wiped on release. Request bodies parsed
 * by jansson may hold a Stripe secret key, a webhook signing secret or a
 * password; jansson copies every string it parses, so its free must wipe
 * what it gives back. Installed once, before any thread parses JSON.
 */
#ifndef WL_SERVICES_JSON_ALLOC_H
#define WL_SERVICES_JSON_ALLOC_H

/* Makes every jansson allocation remember its size and be wiped with
 * sodium_memzero when freed. Call once at start, before threads exist. */
void json_alloc_install_wiping(void);

#endif
