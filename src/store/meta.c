/*
 * meta.c — the fingerprints of idempotent requests and the installation's
 * named values (the master key's check value, a sealed secret to try it
 * on), written once for both drivers (db.h); the SQL of each dialect is in
 * statements*.c.
 */
#include "store/db.h"

#include <string.h>

/* Insert, and only when the key was there already read what it was
 * recorded with: on PostgreSQL a second statement sees a row another
 * instance committed while the insert waited for it. */
int
store_idem_claim(struct store_conn *c, const char *scope, const char *key, const char *fingerprint,
		 int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_IDEM_INSERT, err);
	char stored[WL_FINGERPRINT_LEN];
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, scope);
	db_bind_text(st, 2, key);
	db_bind_text(st, 3, fingerprint);
	db_bind_int64(st, 4, now);
	if ((rc = db_insert_once(st, err)) != WL_ECONFLICT)
		return rc;
	wl_error_clear(err);
	if ((st = db_stmt(c, Q_IDEM_GET, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, scope);
	db_bind_text(st, 2, key);
	if ((rc = db_first_text(st, stored, sizeof(stored), err)) != WL_OK)
		return rc;
	if (strcmp(stored, fingerprint) != 0)
		return wl_fail(err, WL_ECONFLICT, "idempotency key used for another request");
	return WL_OK;
}

int
store_meta_get(struct store_conn *c, const char *name, char *out, size_t n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_META_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, name);
	return db_first_text(st, out, n, err);
}

int
store_meta_put_once(struct store_conn *c, const char *name, const char *value, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_META_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, value);
	return db_exec(st, err);
}

int
store_sealed_sample(struct store_conn *c, char *out, size_t n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_SEALED_SAMPLE, err);

	return st == NULL ? err->code : db_first_text(st, out, n, err);
}
