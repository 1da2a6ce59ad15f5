/*
 * masterkey.c — loads the master key and proves it belongs to the database
 * (see masterkey.h). The check value is secrets_seal(key, MASTERKEY_CHECK)
 * stored as the installation value "master_key_check"; opening it proves
 * the key without revealing anything about it.
 */
#include "services/masterkey.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "services/secrets.h"

#define MASTERKEY_CHECK "wlportal master key check v1"
#define CHECK_NAME "master_key_check"
#define SEALED_MAX 512

struct stored {
	char check[SEALED_MAX];  /* "" = none yet */
	char sample[SEALED_MAX]; /* a sealed secret, "" = none */
};

static int
read_stored(struct store *s, struct stored *out, struct wl_error *err)
{
	struct store_conn *c = store_acquire(s, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return err->code;
	rc = store_meta_get(c, CHECK_NAME, out->check, sizeof(out->check), err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		out->check[0] = '\0';
		rc = WL_OK;
	}
	if (rc == WL_OK) {
		rc = store_sealed_sample(c, out->sample, sizeof(out->sample), err);
		if (rc == WL_ENOTFOUND) {
			wl_error_clear(err);
			out->sample[0] = '\0';
			rc = WL_OK;
		}
	}
	store_release(c);
	return rc;
}

/* Whether key opens sealed (and, for the check value, to the known text). */
static bool
opens(const unsigned char *key, const char *sealed, bool is_check)
{
	struct wl_error e;
	char *plain = NULL;
	bool ok;

	wl_error_clear(&e);
	ok = secrets_open(key, sealed, &plain, &e) == WL_OK &&
	     (!is_check || strcmp(plain, MASTERKEY_CHECK) == 0);
	secrets_free(plain);
	return ok;
}

static int
put_check_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	return store_meta_put_once(c, CHECK_NAME, arg, err);
}

static int
wrong_key(const char *path, struct wl_error *err)
{
	return wl_fail(err, WL_EINTERNAL,
		       "the master key in %s does not open the secrets sealed in this database: "
		       "start with the key file they were sealed with (WLPORTAL_MASTER_KEY_FILE); "
		       "refusing to start rather than lose them",
		       path);
}

int
masterkey_open(struct wl_app *app, const char *path, struct wl_error *err)
{
	struct stored st;
	char *check = NULL;
	int rc;

	if ((rc = read_stored(app->store, &st, err)) != WL_OK)
		return rc;
	if ((st.check[0] != '\0' || st.sample[0] != '\0') && access(path, F_OK) != 0 &&
	    errno == ENOENT)
		return wl_fail(err, WL_EINTERNAL,
			       "the master key file %s does not exist, but this database holds "
			       "secrets sealed under a master key: restore that file "
			       "(WLPORTAL_MASTER_KEY_FILE); a new key would lose them",
			       path);
	if ((rc = secrets_load_master_key(path, app->master_key, err)) != WL_OK)
		return rc;
	if (st.check[0] != '\0')
		return opens(app->master_key, st.check, true) ? WL_OK : wrong_key(path, err);
	if (st.sample[0] != '\0' && !opens(app->master_key, st.sample, false))
		return wrong_key(path, err);
	/* First start with this database: keep the check value. Another
	 * instance may store its own first; then ours must open that one. */
	if ((rc = secrets_seal(app->master_key, MASTERKEY_CHECK, &check, err)) != WL_OK)
		return rc;
	rc = writer_run(app->writer, put_check_run, check, err);
	secrets_free(check);
	if (rc != WL_OK)
		return rc;
	if ((rc = read_stored(app->store, &st, err)) != WL_OK)
		return rc;
	return st.check[0] != '\0' && opens(app->master_key, st.check, true) ? WL_OK
									     : wrong_key(path, err);
}
