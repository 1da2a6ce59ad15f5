/*
 * store_impl.h — what a storage backend provides: one table of operations.
 * Only src/store/ includes this file.
 */
#ifndef WL_STORE_IMPL_H
#define WL_STORE_IMPL_H

#include "store/store.h"

struct store_ops {
	const char *name;
	void (*close)(struct store *s);
	int (*migrate)(struct store *s, struct wl_error *err);
	struct store_conn *(*acquire)(struct store *s, struct wl_error *err);
	void (*release)(struct store_conn *c);

	int (*begin)(struct store_conn *c, struct wl_error *err);
	int (*commit)(struct store_conn *c, struct wl_error *err);
	void (*rollback)(struct store_conn *c);
	int (*savepoint)(struct store_conn *c, struct wl_error *err);
	int (*savepoint_release)(struct store_conn *c, struct wl_error *err);
	int (*savepoint_rollback)(struct store_conn *c, struct wl_error *err);
	bool (*retryable)(struct store_conn *c);

	int (*org_insert)(struct store_conn *, const struct store_org *, struct wl_error *);
	int (*org_get)(struct store_conn *, const char *, bool, struct store_org *, struct wl_error *);
	int (*org_add_balance)(struct store_conn *, const char *, int64_t, struct wl_error *);
	int (*org_find_demo)(struct store_conn *, struct store_org *, struct store_org *,
			     struct wl_error *);

	int (*user_insert)(struct store_conn *, const struct store_user *, struct wl_error *);
	int (*apikey_insert)(struct store_conn *, const char *, const char *,
			     const unsigned char *, const char *, int64_t, struct wl_error *);
	int (*apikey_lookup)(struct store_conn *, const unsigned char *, char *, struct wl_error *);
	int (*apikey_revoke_label)(struct store_conn *, const char *, const char *, int64_t,
				   struct wl_error *);

	int (*ledger_insert)(struct store_conn *, const struct store_entry *, struct wl_error *);
	/* optional: entry and balance in one statement (else insert, then add) */
	int (*ledger_apply)(struct store_conn *, const struct store_entry *, struct wl_error *);
	int (*audit)(struct store_conn *, void (*)(const struct store_audit_row *, void *), void *,
		     int64_t *, int64_t *, struct wl_error *);

	int (*call_insert)(struct store_conn *, const struct store_call *, struct wl_error *);
	int (*call_get)(struct store_conn *, const char *, bool, struct store_call *,
			struct wl_error *);
	int (*call_update)(struct store_conn *, const struct store_call *, struct wl_error *);
	int (*call_list)(struct store_conn *, const char *, int64_t, const char *, int,
			 struct store_call *, int *, struct wl_error *);
	int (*number_org)(struct store_conn *, const char *, char *, struct wl_error *);
	int (*usage_insert)(struct store_conn *, const struct store_usage *, struct wl_error *);
	int (*call_stale)(struct store_conn *, int64_t, int, struct store_call *, int *,
			  struct wl_error *);
	int (*reconcile)(struct store_conn *, int64_t, const struct store_recon_hooks *, int64_t *,
			 struct wl_error *);
	int (*idem_claim)(struct store_conn *, const char *, const char *, const char *, int64_t,
			  struct wl_error *);
	int (*meta_get)(struct store_conn *, const char *, char *, size_t, struct wl_error *);
	int (*meta_put_once)(struct store_conn *, const char *, const char *, struct wl_error *);
	int (*sealed_sample)(struct store_conn *, char *, size_t, struct wl_error *);
	int (*usage_list)(struct store_conn *, const struct store_usage_query *, int64_t,
			  const char *, int, struct store_usage *, int *, struct wl_error *);
	int (*usage_sum)(struct store_conn *, const struct store_usage_query *, int64_t *,
			 int64_t *, struct wl_error *);

	int (*wl_get)(struct store_conn *, const char *, bool, struct store_whitelabel *,
		      struct wl_error *);
	int (*wl_put)(struct store_conn *, const struct store_whitelabel *, struct wl_error *);
	int (*wl_find)(struct store_conn *, const char *, const char *, struct store_whitelabel *,
		       struct wl_error *);
	int (*slug_owner)(struct store_conn *, const char *, char *, struct wl_error *);
	int (*wl_domains)(struct store_conn *, const char *, int, struct store_whitelabel *, int *,
			  struct wl_error *);
	int (*user_get)(struct store_conn *, const char *, struct store_user *, struct wl_error *);
	int (*user_by_email)(struct store_conn *, const char *, struct store_user *,
			     struct wl_error *);
	int (*client_users)(struct store_conn *, const char *, int64_t, const char *, int,
			    struct store_client_user *, int *, struct wl_error *);
	int (*org_children)(struct store_conn *, const char *, int, struct store_org *, int *,
			    struct wl_error *);
	int (*session_insert)(struct store_conn *, const unsigned char *, const struct store_session *,
			      struct wl_error *);
	int (*session_get)(struct store_conn *, const unsigned char *, int64_t, struct store_session *,
			   struct wl_error *);
	int (*session_delete)(struct store_conn *, const unsigned char *, struct wl_error *);
	int (*login_get)(struct store_conn *, const char *, struct store_login_failures *,
			 struct wl_error *);
	int (*login_add)(struct store_conn *, const char *, int64_t, int64_t, int64_t,
			 struct wl_error *);
	int (*login_clear)(struct store_conn *, const char *, struct wl_error *);
	int (*login_purge)(struct store_conn *, int64_t, struct wl_error *);
};

/* Every backend's store and connection structs start with these. */
struct store {
	const struct store_ops *ops;
	enum store_kind kind;
};

struct store_conn {
	const struct store_ops *ops;
	struct store *owner;
};

struct store *store_sqlite_open(const char *path, struct wl_error *err);
struct store *store_pg_open(const char *conninfo, struct wl_error *err);

#endif
