/*
 * batch_int.h — the writer's batch cache (batch.c), shared with the
 * write-out of what a batch deferred (batch_out.c).
 */
#ifndef WL_STORE_BATCH_INT_H
#define WL_STORE_BATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/db.h"

/* More rows of a kind than this in one batch simply are not remembered. */
#define BATCH_ROWS_MAX 512
/* Open addressing, at most half full: a power of two. */
#define BATCH_SLOTS 1024

/* Row i + 1 of a kind in each slot of its id's probe sequence; 0 = free. */
struct batch_index {
	uint16_t slot[BATCH_SLOTS];
};

/* Both kinds of row start with their id (find_slot). */
_Static_assert(offsetof(struct store_org, id) == 0 && offsetof(struct store_call, id) == 0,
	       "rows start with their id");

/* Entries of known changes not yet written, at most this many a batch
 * before they are written out; what does not fit a field below is written
 * at once instead. */
#define BATCH_ENTRIES_MAX 1024

struct batch_entry {
	char org_id[WL_ID_LEN];
	char kind[24];
	char reference[WL_REF_MAX + 1];
	char description[48];
	int64_t delta_seconds, created_at;
};

struct batch_cache {
	uint64_t version;  /* the database's data version at the last BEGIN */
	bool version_read; /* ... when it could be read */
	int norgs, ncalls;
	int deferred;                    /* orgs whose pending[] is not 0 */
	int64_t pending[BATCH_ROWS_MAX]; /* balance change not yet written, by org row */
	int ticked;                      /* calls whose tick[] is set */
	bool tick[BATCH_ROWS_MAX];       /* the call's new seconds not yet written */
	int nentries;
	int entries_out; /* of them already written (a write-out that failed halfway) */
	struct batch_index org_ix, call_ix;
	struct store_org org[BATCH_ROWS_MAX];
	struct store_call call[BATCH_ROWS_MAX];
	struct batch_entry entry[BATCH_ENTRIES_MAX];
	struct wl_buf arr[6]; /* the arrays of one write-out (array literals) */
};

/* The call row `id` this transaction holds (NULL: none). */
struct store_call *batch_find_call(struct store_conn *c, const char *id);

#endif
